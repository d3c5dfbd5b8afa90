import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { serializeWatchFile } from "@autowatch/watchfile";
import { buildWatchFile, writeWatchFile } from "../src/index.js";
import { INTROSPECT_VERSION } from "../src/version.js";
import { tempDir } from "./support.js";

const origin = (line: number) => ({ file: "/b/base.cfg", line, section: "odoo", option: "addons" });

describe("the watch file", () => {
  const input = {
    config: "buildout.cfg",
    part: "odoo",
    builder: "odoo-10.0",
    directory: "/b",
    now: new Date("2026-11-24T10:00:00.456Z"),
    watches: [
      { vcs: "git" as const, url: "https://b/z.git", revspec: "10.0", origin: origin(3) },
      { vcs: "git" as const, url: "https://b/a.git", revspec: "10.0", origin: origin(4) },
      { vcs: "git" as const, url: "https://b/z.git", revspec: "10.0", origin: origin(9) },
      { vcs: "bzr" as const, url: "lp:x", revspec: "" },
    ],
    pinned: [{ vcs: "hg" as const, url: "https://h/x", revspec: "v1", why: "tag" as const, origin: { file: "/elsewhere/x.cfg" } }],
    problems: [
      { level: "warning" as const, code: "introspect.revision.unverified" as const, message: "m", file: "/b/buildout.cfg", line: 2 },
      { level: "warning" as const, code: "introspect.revision.unverified" as const, message: "m", file: "/b/buildout.cfg", line: 2 },
    ],
  };

  it("is sorted, deduplicated (first origin kept), with origins relative to the buildout directory", () => {
    const file = buildWatchFile(input);
    expect(file.watches.map((w) => [w.vcs, w.url, w.origin?.line])).toEqual([
      ["bzr", "lp:x", undefined],
      ["git", "https://b/a.git", 4],
      ["git", "https://b/z.git", 3],
    ]);
    expect(file.watches[1]?.origin?.file).toBe("base.cfg");
    expect(file.pinned[0]?.origin?.file).toBe("/elsewhere/x.cfg");
    expect(file.problems).toEqual([{ level: "warning", code: "introspect.revision.unverified", message: "m", file: "buildout.cfg", line: 2 }]);
    expect(file).toMatchObject({
      schema: "autowatch.watchfile/2",
      builder: "odoo-10.0",
      generated: "2026-11-24T10:00:00Z",
      generator: `@autowatch/introspect ${INTROSPECT_VERSION}`,
      buildout: { config: "buildout.cfg", part: "odoo" },
    });
  });

  it("does not depend on the order sources were found in", () => {
    const reversed = { ...input, watches: [...input.watches].reverse() };
    expect(buildWatchFile(reversed).watches.map((w) => w.url)).toEqual(buildWatchFile(input).watches.map((w) => w.url));
  });

  it("is written atomically as canonical JSON", async () => {
    const dir = tempDir();
    try {
      const target = path.join(dir.path, "watch.json");
      const file = buildWatchFile(input);
      await writeWatchFile(target, file);
      expect(readFileSync(target, "utf8")).toBe(serializeWatchFile(file));
      expect(serializeWatchFile(file).endsWith("}\n")).toBe(true);
    } finally {
      dir.remove();
    }
  });

  it("names the package version it was written by", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
    expect(INTROSPECT_VERSION).toBe(pkg.version);
  });
});

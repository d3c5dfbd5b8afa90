import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WatchFile } from "@autowatch/watchfile";
import { introspect, introspectSections } from "../src/index.js";
import { makeFixture, type Fixture } from "./fixture.js";
import { tempDir, vcsEnv } from "./support.js";

const plain = (file: WatchFile) => ({
  watches: file.watches.map(({ vcs, url, revspec }) => ({ vcs, url, revspec })),
  pinned: file.pinned.map(({ vcs, url, revspec, why }) => ({ vcs, url, revspec, why })),
});

const dirs: Array<ReturnType<typeof tempDir>> = [];
let withCheckouts: Fixture;
let without: Fixture;
beforeAll(() => {
  dirs.push(tempDir(), tempDir());
  withCheckouts = makeFixture(dirs[0]!.path, true);
  without = makeFixture(dirs[1]!.path, false);
}, 120_000);
afterAll(() => dirs.forEach((dir) => dir.remove()));

describe("a 3-level buildout with 40 addons lines, revisions, merges and vcs-extend-develop (hand-resolved sections)", () => {
  it("with real checkouts: exactly the expected watches and pins", async () => {
    const progress: number[] = [];
    const result = await introspectSections(withCheckouts.sections, {
      config: withCheckouts.config,
      builder: "odoo-10.0",
      env: vcsEnv,
      now: new Date("2026-11-24T10:00:00.123Z"),
      onProgress: ({ done }) => progress.push(done),
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(plain(result.watchFile)).toEqual(withCheckouts.withCheckouts);
    expect(result.watchFile).toMatchObject({
      schema: "autowatch.watchfile/2",
      builder: "odoo-10.0",
      generated: "2026-11-24T10:00:00Z",
      generator: "@autowatch/introspect 0.1.0",
      buildout: { part: "odoo" },
    });
    expect(result.problems.filter((p) => p.code === "introspect.revision.unverified")).toEqual([]);
    expect(result.problems.some((p) => p.code === "introspect.remote.unknown" && p.message.includes('"nowhere"'))).toBe(true);
    const follows = result.problems.filter((p) => p.code === "introspect.revision.missing").map((p) => p.message);
    expect(follows.some((m) => m.includes("ssh://git@git.example.org/lib.git") && m.includes('follows "main"'))).toBe(true);
    // 1 main + 24 git + 9 hg + 2 git develop + 1 hg develop + the buildout itself
    expect(progress.at(-1)).toBe(38);
    const main = result.watchFile.pinned.find((p) => p.url === "https://github.com/OCA/OCB.git");
    expect(main?.origin).toEqual({ file: "buildout.cfg", line: 10, section: "odoo", option: "revisions" });
    const self = result.watchFile.watches.find((w) => w.url.endsWith("farm.git"));
    expect(self?.origin).toMatchObject({ file: "buildout.cfg", section: "buildout" });
  }, 120_000);

  it("without checkouts: the string rules, with a not-verified warning per source", async () => {
    const result = await introspectSections(without.sections, { config: without.config, env: vcsEnv });
    if (!result.ok) throw new Error(result.error.message);
    expect(plain(result.watchFile)).toEqual(without.withoutCheckouts);
    const unverified = result.problems.filter((p) => p.code === "introspect.revision.unverified");
    expect(unverified).toHaveLength(without.unverified);
    expect(unverified.every((p) => p.level === "warning" && p.file !== undefined && p.message.includes("not verified"))).toBe(true);
    expect(result.problems.some((p) => p.code === "introspect.remote.unknown" && p.message.includes('"origin"'))).toBe(true);
    expect(result.problems.some((p) => p.code === "introspect.revision.missing" && p.message.includes('follows "HEAD"'))).toBe(true);
  }, 60_000);
});

describe("introspect(): resolveBuildout on the 3-level fixture, then extraction and classification", () => {
  it("with real checkouts: exactly the expected watches and pins, origins in the right files", async () => {
    const result = await introspect({ config: "buildout.cfg", cwd: withCheckouts.directory, env: vcsEnv, noUserDefaults: true });
    if (!result.ok) throw new Error(result.error.message);
    expect(plain(result.watchFile)).toEqual(withCheckouts.withCheckouts);
    expect(result.watchFile.buildout).toEqual({ config: "buildout.cfg", part: "odoo" });
    const origin = (url: string) => [...result.watchFile.watches, ...result.watchFile.pinned].find((e) => e.url === url)?.origin;
    expect(origin("https://github.com/OCA/OCB.git")).toMatchObject({ file: "buildout.cfg", section: "odoo", option: "revisions" });
    expect(origin("https://git.example.org/oca/addons-2.git")).toMatchObject({ section: "odoo", option: "addons" });
    expect(origin("https://git.example.org/tool.git")).toMatchObject({ file: "buildout.cfg", section: "buildout", option: "vcs-extend-develop" });
    expect(origin("https://git.example.org/me/fork.git")).toMatchObject({ file: "base.cfg", option: "merges" });
    expect(result.problems.filter((p) => p.message.includes("not verified"))).toEqual([]);

    // every entry names the very line that declares it (the line of `revisions` that changed it)
    const entries = [...result.watchFile.watches, ...result.watchFile.pinned].filter(
      (e) => e.origin?.section !== "buildout" || e.origin.option !== "directory",
    );
    expect(entries).toHaveLength(plain(result.watchFile).watches.length + plain(result.watchFile).pinned.length - 1);
    const lineAt = (file: string, line: number) => readFileSync(path.join(withCheckouts.directory, file), "utf8").split("\n")[line - 1] ?? "";
    for (const { url, revspec, origin: at } of entries) {
      expect(at?.line, url).toBeDefined();
      const text = lineAt(at!.file, at!.line!);
      const named = at!.option === "revisions" || (at!.option === "merges" && !text.includes(url)) ? revspec : url;
      expect(text, `${url} at ${at!.file}:${at!.line}`).toContain(named);
    }
    expect(origin("https://git.example.org/oca/addons-2.git")).toEqual({ file: "common.cfg", line: 11, section: "odoo", option: "addons" });
    expect(lineAt("base.cfg", origin("https://git.example.org/me/fork.git")!.line!)).toBe("    git https://git.example.org/me/fork.git addons-git/a2 fix-123");
  }, 120_000);

  it("without checkouts: the string rules with not-verified warnings", async () => {
    const result = await introspect({ config: without.config, env: vcsEnv, noUserDefaults: true });
    if (!result.ok) throw new Error(result.error.message);
    expect(plain(result.watchFile)).toEqual(without.withoutCheckouts);
    expect(result.problems.filter((p) => p.code === "introspect.revision.unverified")).toHaveLength(without.unverified);
  }, 60_000);

  it("command-line overrides reach the extraction", async () => {
    const result = await introspect({
      config: without.config,
      env: vcsEnv,
      noUserDefaults: true,
      overrides: ["odoo:revisions=", "odoo:version=git https://example.org/odoo.git odoo 12.0"],
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.watchFile.watches).toContainEqual(expect.objectContaining({ vcs: "git", url: "https://example.org/odoo.git", revspec: "12.0" }));
    expect(result.watchFile.watches.find((w) => w.url === "https://git.example.org/oca/addons-1.git")?.revspec).toBe("10.0");
  }, 60_000);

  it("fails with file and reason when the configuration is missing or has no recipe part", async () => {
    const missing = await introspect({ config: "nope.cfg", cwd: without.directory, env: vcsEnv, noUserDefaults: true });
    expect(missing.ok || missing.error.code).toBe("buildout.read.failed");
    const noPart = await introspect({ config: without.config, env: vcsEnv, noUserDefaults: true, part: "buildout" });
    expect(noPart.ok || noPart.error.code).toBe("introspect.part.recipe");
  }, 60_000);
});

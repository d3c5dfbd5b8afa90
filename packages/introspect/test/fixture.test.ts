import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WatchFile } from "@autowatch/watchfile";
import { introspectSections } from "../src/index.js";
import { makeFixture, type Fixture } from "./fixture.js";
import { tempDir, vcsEnv } from "./support.js";

const plain = (file: WatchFile) => ({
  watches: file.watches.map(({ vcs, url, revspec }) => ({ vcs, url, revspec })),
  pinned: file.pinned.map(({ vcs, url, revspec, why }) => ({ vcs, url, revspec, why })),
});

describe("a 3-level buildout with 40 addons lines, revisions, merges and vcs-extend-develop (hand-resolved sections)", () => {
  const dirs: Array<ReturnType<typeof tempDir>> = [];
  let withCheckouts: Fixture;
  let without: Fixture;
  beforeAll(() => {
    dirs.push(tempDir(), tempDir());
    withCheckouts = makeFixture(dirs[0]!.path, true);
    without = makeFixture(dirs[1]!.path, false);
  }, 120_000);
  afterAll(() => dirs.forEach((dir) => dir.remove()));

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
    const messages = result.problems.map((p) => p.message);
    expect(messages.filter((m) => m.includes("not verified"))).toEqual([]);
    expect(messages.some((m) => m.includes('merge from remote name "nowhere" skipped'))).toBe(true);
    expect(messages.some((m) => m.includes('ssh://git@git.example.org/lib.git') && m.includes('no revision given; follows "main"'))).toBe(true);
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
    const unverified = result.problems.filter((p) => p.message.includes("not verified"));
    expect(unverified).toHaveLength(without.unverified);
    expect(unverified.every((p) => p.level === "warning" && p.file !== undefined)).toBe(true);
    expect(result.problems.some((p) => p.message.includes('merge from remote name "origin" skipped'))).toBe(true);
    expect(result.problems.some((p) => p.message.includes('no revision given; follows "HEAD"'))).toBe(true);
  }, 60_000);
});

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runMerge, type RunMergeOptions } from "../src/index.js";
import { NOW, git, watchFileText } from "./helpers.js";
import { BO, OCB, MIXED, OTHER_HOST, WEB, manifestText, type Farm, makeFarm, storeContents, readOrMissing } from "./cache-farm.js";
import { differential, sameSizeOtherBytes } from "./cache-differential.js";
import { checksumOf } from "../src/cache/checksum.js";

describe("the merge cache", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "autowatch-memo-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    [20261124, 120, undefined],
    [7, 60, undefined],
    [20261206, 120, 0],
    [11, 60, 0],
  ])("a merge with the cache gives what a merge without gives, after any change (seed %i, %i steps, racy window %s ms)", async (seed, steps, racyWindowMs) => {
    const { recalled, skippedWrites } = await differential(root, seed, steps, racyWindowMs);
    // the cache did skip work: otherwise this test would prove nothing
    expect(recalled).toBeGreaterThan(steps);
    expect(skippedWrites).toBeGreaterThan(steps / 10);
  });

  describe("focused", () => {
    let farm: Farm;
    let options: RunMergeOptions;
    beforeEach(() => {
      farm = makeFarm(root);
      writeFileSync(farm.manifest, manifestText({ extra: true, autoOff: new Set(), manualBranch: "10.0", buildoutBranch: "b01" }));
      for (const builder of ["b01", "b02", "b03", "b07", "b11"]) {
        writeFileSync(join(farm.watchDir, `${builder}.json`), watchFileText(builder, [git(OCB, "10.0"), git(OTHER_HOST, "master"), git(MIXED, "main")]));
      }
      options = { manifests: [farm.manifest], watchDir: farm.watchDir, now: NOW, ...farm.a };
    });

    it("compares sections by value: a manifest parsed again with the same sections reuses every builder, a changed one is merged again", async () => {
      const first = await runMerge(options);
      expect(first.reused).toBe(0);
      // parsed again (other bytes), every section as it was
      writeFileSync(farm.manifest, `${readFileSync(farm.manifest, "utf8")}\n# a comment\n`);
      const same = await runMerge(options);
      expect(same.reused).toBe(11);
      expect(same.stateText).toBe(first.stateText);
      writeFileSync(farm.manifest, readFileSync(farm.manifest, "utf8").replace(`git ${BO} b01 buildout.cfg`, `git ${BO} b01-next buildout.cfg`));
      const moved = await runMerge(options);
      // b01 and b10 (which inherits it) are merged again
      expect(moved.reused).toBe(9);
      expect(moved.state.builders.b01!.watches.map((w) => w.branch)).toContain("b01-next");
      const fresh = await runMerge({ ...options, ...farm.b, cache: false });
      expect(moved.stateText).toBe(fresh.stateText);
    });

    it("a section moved by lines written above it is reused unless a problem of it points at a manifest line: what an uncached merge gives", async () => {
      const first = await runMerge(options);
      // builders whose problems point at a line of the manifest (b09's line naming its own repository on another branch)
      const pointing = new Set(first.problems.filter((p) => p.builder !== undefined && p.file === farm.manifest).map((p) => p.builder));
      expect(pointing.has("b09")).toBe(true);
      const lineBefore = first.problems.find((p) => p.builder === "b09" && p.file === farm.manifest)!.line!;
      writeFileSync(farm.manifest, `# maintained by the farm team\n\n${readFileSync(farm.manifest, "utf8")}`);
      const moved = await runMerge(options);
      expect(moved.reused).toBe(11 - pointing.size);
      const fresh = await runMerge({ ...options, ...farm.b, cache: false });
      expect(moved.stateText).toBe(fresh.stateText);
      expect(moved.problems).toEqual(fresh.problems);
      expect(new Map(moved.result.details)).toEqual(new Map(fresh.result.details));
      expect(moved.problems.find((p) => p.builder === "b09" && p.file === farm.manifest)!.line).toBe(lineBefore + 2);
      expect(moved.result.details.get("b01")!.line).toBe(3);
      // the cache now holds the sections where they are: a builder merged again alone has its new lines
      writeFileSync(join(farm.watchDir, "b01.json"), watchFileText("b01", [git(OCB, "11.0")]));
      const spliced = await runMerge(options);
      expect(spliced.reused).toBe(10);
      const freshAgain = await runMerge({ ...options, ...farm.b, cache: false });
      expect(spliced.stateText).toBe(freshAgain.stateText);
      expect(spliced.problems).toEqual(freshAgain.problems);
      expect(new Map(spliced.result.details)).toEqual(new Map(freshAgain.result.details));
    });

    it("a merge that splices a few builders in leaves a whole cache: the next one reuses every other builder", async () => {
      await runMerge(options);
      // each file with a repository no builder had: the watch table grows at each merge
      for (const [builder, repository] of [
        ["b02", "https://github.com/OCA/server-tools.git"],
        ["b03", "https://github.com/OCA/web.git"],
        ["b07", "https://github.com/OCA/queue.git"],
      ]) {
        writeFileSync(join(farm.watchDir, `${builder}.json`), watchFileText(builder, [git(OCB, "10.0"), git(repository!, "16.0")]));
        const spliced = await runMerge(options);
        expect(spliced.reused).toBe(10);
        expect(spliced.stateText).toContain(repository);
        const fresh = await runMerge({ ...options, ...farm.b, cache: false });
        expect(spliced.stateText).toBe(fresh.stateText);
      }
    });

    it("with the manifest's sections not in name order (the state's), a few builders are spliced in as an uncached merge writes them", async () => {
      const sections = readFileSync(farm.manifest, "utf8").trimEnd().split("\n\n");
      writeFileSync(farm.manifest, `${[...sections].reverse().join("\n\n")}\n`);
      await runMerge(options);
      for (const builder of ["b02", "b07"]) {
        writeFileSync(join(farm.watchDir, `${builder}.json`), watchFileText(builder, [git(OCB, "11.0"), git(WEB, "10.0")]));
        const spliced = await runMerge(options);
        expect(spliced.reused).toBe(10);
        const fresh = await runMerge({ ...options, ...farm.b, cache: false });
        expect(readFileSync(farm.a.output, "utf8")).toBe(fresh.stateText);
        expect(spliced.problems).toEqual(fresh.problems);
      }
    });

    it("a table row that is not a watch, though the cache's checksum says it is as written, only costs a whole merge", async () => {
      await runMerge(options);
      // every row damaged, and the payload's checksum made again to vouch for it
      const file = `${farm.a.output}.cache`;
      // head, check line, table, records, the payload's checksum, and the empty string after the last newline
      const [head, check, table, ...rest] = readFileSync(file, "utf8").split("\n");
      const payload = [table!.replaceAll('["git",', '["cvs",'), ...rest.slice(0, -2)].join("\n");
      writeFileSync(file, `${head}\n${check}\n${payload}\n${JSON.stringify({ payload: checksumOf(payload) })}\n`);
      writeFileSync(join(farm.watchDir, "b02.json"), watchFileText("b02", [git(OCB, "11.0")]));
      const after = await runMerge(options);
      expect(after.reused).toBe(0);
      const fresh = await runMerge({ ...options, ...farm.b, cache: false });
      expect(after.stateText).toBe(fresh.stateText);
      // the cache written by that merge is whole again
      writeFileSync(join(farm.watchDir, "b03.json"), watchFileText("b03", [git(OCB, "10.0")]));
      expect((await runMerge(options)).reused).toBe(10);
    });

    it("a re-merge with nothing changed gives the same bytes and leaves the state file alone", async () => {
      const first = await runMerge(options);
      const before = statSync(farm.a.output);
      const store = storeContents(farm.a.lastGoodDir);
      const again = await runMerge(options);
      const after = statSync(farm.a.output);
      expect(again.stateText).toBe(first.stateText);
      expect(readFileSync(farm.a.output, "utf8")).toBe(first.stateText);
      expect(again.changed).toBe(false);
      expect(again.written).toBe(true);
      expect([after.ino, after.mtimeMs, after.ctimeMs]).toEqual([before.ino, before.mtimeMs, before.ctimeMs]);
      expect(storeContents(farm.a.lastGoodDir)).toEqual(store);
    });

    it.each([
      [
        "written in place, same size",
        (file: string) => {
          writeFileSync(file, sameSizeOtherBytes(file));
        },
      ],
      ["written in place, other bytes", (file: string) => writeFileSync(file, "{}\n")],
      [
        "replaced by rename",
        (file: string) => {
          writeFileSync(`${file}.new`, "{}\n");
          renameSync(`${file}.new`, file);
        },
      ],
      ["deleted", (file: string) => rmSync(file)],
    ])("after another writer touched the state file (%s), the next cached merge rewrites it", async (_label, touch) => {
      const first = await runMerge(options);
      touch(farm.a.output);
      expect(readOrMissing(farm.a.output)).not.toBe(first.stateText);
      const again = await runMerge(options);
      expect(again.stateText).toBe(first.stateText);
      expect(readFileSync(farm.a.output, "utf8")).toBe(first.stateText);
    });

    it("a policy change makes the cache foreign: every builder is checked again", async () => {
      const open = await runMerge(options);
      expect(open.stateText).toContain(OTHER_HOST);
      const allowHosts = ["github.com", "git.example.com", "hg.example.com", "code.example.com"];
      const closed = await runMerge({ ...options, allowHosts });
      const fresh = await runMerge({ ...options, ...farm.b, allowHosts, cache: false });
      expect(closed.stateText).not.toContain(`"url": "${OTHER_HOST}"`);
      const refused = closed.problems.filter((p) => p.code === "merge.policy.host" && p.message.includes("other.example.org"));
      expect(refused.map((p) => p.builder).sort()).toEqual(["b01", "b02", "b03", "b07", "b11"]);
      expect(closed.stateText).toBe(fresh.stateText);
      expect(closed.problems).toEqual(fresh.problems);

      // rewrite rules too: the polled URLs follow the new rule at once
      const rewrite = ["https://github.com/=ssh://git@mirror.example.com/"];
      const rewritten = await runMerge({ ...options, allowHosts, rewrite });
      const freshRewritten = await runMerge({ ...options, ...farm.b, allowHosts, rewrite, cache: false });
      expect(rewritten.stateText).toContain("ssh://git@mirror.example.com/OCA/OCB.git");
      expect(rewritten.stateText).toBe(freshRewritten.stateText);
    });
  });
});

// The cache checks the file's content (sha256), not only its time stamps, because of this case.
describe("the merge cache, state file rewritten by another writer within one time stamp tick", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "autowatch-memo-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("a same-size write in place that leaves dev/ino/size/mtime as the cache saw them is still noticed", async () => {
    const farm = makeFarm(root);
    writeFileSync(farm.manifest, manifestText({ extra: false, autoOff: new Set(), manualBranch: "10.0", buildoutBranch: "b01" }));
    writeFileSync(join(farm.watchDir, "b01.json"), watchFileText("b01", [git(OCB, "10.0")]));
    const options: RunMergeOptions = { manifests: [farm.manifest], watchDir: farm.watchDir, now: NOW, ...farm.a };
    const first = await runMerge(options);
    const { mtimeNs } = statSync(farm.a.output, { bigint: true });
    writeFileSync(farm.a.output, sameSizeOtherBytes(farm.a.output));
    // what a kernel with coarse file time stamps (Linux before 6.13, NFS...) gives a write in
    // the same tick (1-10 ms) as the merge's own: the time stamp the cache recorded
    const seconds = mtimeNs / 1_000_000_000n;
    const nanos = (mtimeNs % 1_000_000_000n).toString().padStart(9, "0");
    execFileSync("touch", ["-m", "-d", `@${seconds}.${nanos}`, farm.a.output]);
    expect(statSync(farm.a.output, { bigint: true }).mtimeNs).toBe(mtimeNs);
    expect(readFileSync(farm.a.output, "utf8")).not.toBe(first.stateText);

    const again = await runMerge(options);
    const fresh = await runMerge({ ...options, ...farm.b, cache: false });
    expect(again.stateText).toBe(fresh.stateText);
    expect(readFileSync(farm.a.output, "utf8"), "state file A (cached merge) vs B (uncached merge)").toBe(readFileSync(farm.b.output, "utf8"));
  });
});

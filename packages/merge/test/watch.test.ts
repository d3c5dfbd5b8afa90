import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { State } from "@autowatch/watchfile";
import { MergeSetupError, watchMerge, type MergeEvent, type MergeWatcher, type WatchMergeOptions } from "../src/index.js";
import { git, watchFileText } from "./helpers.js";

// watchMerge on real files in a temporary directory: real fs.watch and chokidar, real merges.
const QUIET_MS = 150;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function waitFor(what: string, probe: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe("watchMerge", () => {
  let root: string;
  let watchDir: string;
  let manifest: string;
  let output: string;
  let events: MergeEvent[];
  let applied: State[];
  let log: string[];
  let watcher: MergeWatcher | undefined;

  const oks = () => events.filter((event): event is Extract<MergeEvent, { ok: true }> => event.ok);
  /** Writes like Buildbot's FileUpload: a temporary file, renamed into place. */
  const upload = (builder: string, text: string) => {
    const temporary = join(watchDir, `buildbot-transfer-${builder}`);
    writeFileSync(temporary, text);
    renameSync(temporary, join(watchDir, `${builder}.json`));
  };
  const start = async (extra: Partial<WatchMergeOptions> = {}) => {
    watcher = await watchMerge({
      manifests: [manifest],
      watchDir,
      output,
      debounceMs: QUIET_MS,
      onReady: (watching) => log.push(`ready: ${watching.join(" ")}`),
      onMerge: (event) => {
        events.push(event);
        log.push(event.ok ? "merged" : "failed");
      },
      apply: (state) => {
        applied.push(state);
        log.push("applied");
        return true;
      },
      onError: (error, source) => log.push(`${source} error: ${String(error)}`),
      ...extra,
    });
    return watcher;
  };
  /** Waits for `n` merges in all, then for a quiet spell that shows no further merge comes. */
  const settle = async (n: number) => {
    await waitFor(`${n} merges (${log.join(", ")})`, () => events.length >= n);
    await sleep(QUIET_MS * 4);
    expect(events).toHaveLength(n);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "autowatch-watchmerge-"));
    watchDir = join(root, "watch");
    mkdirSync(watchDir);
    manifest = join(root, "MANIFEST.cfg");
    output = join(root, "state.json");
    writeFileSync(manifest, "[app]\nwatch = git https://example.com/core.git main\n");
    events = [];
    applied = [];
    log = [];
    watcher = undefined;
  });
  afterEach(async () => {
    await watcher?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("merges at start, then after each change; applies only states whose pollers or change filters changed", async () => {
    await start();
    await settle(1);
    expect(log.slice(0, 3)).toEqual([`ready: ${watchDir} ${manifest}`, "merged", "applied"]);
    expect(oks()[0]!.changed).toBe(true); // no state before: Buildbot has to load the first one
    expect(JSON.parse(readFileSync(output, "utf8")).pollers).toHaveLength(1);

    upload("app", watchFileText("app", [git("https://example.com/dep.git", "main")]));
    await settle(2);
    expect(oks()[1]!.changed).toBe(true);
    expect(applied.map((state) => state.pollers.length)).toEqual([1, 2]);

    // the same watches again (a later build): merged, nothing to apply
    upload("app", watchFileText("app", [git("https://example.com/dep.git", "main")]));
    await settle(3);
    expect(oks()[2]!.changed).toBe(false);
    expect(applied).toHaveLength(2);

    // a manifest edit is followed too, and one replaced by rename
    writeFileSync(manifest, "[app]\nwatch = git https://example.com/core.git 17.0\n");
    await settle(4);
    writeFileSync(`${manifest}.new`, "[app]\nwatch = git https://example.com/core.git 18.0\n");
    renameSync(`${manifest}.new`, manifest);
    await settle(5);
    expect(applied.map((state) => state.builders.app!.watches.map((w) => w.branch))).toEqual([["main"], ["main", "main"], ["17.0", "main"], ["18.0", "main"]]);
  });

  it("a burst of uploads is one merge or two, not one each", async () => {
    writeFileSync(manifest, Array.from({ length: 50 }, (_, i) => `[b${i}]\n`).join("\n"));
    await start();
    await settle(1);
    for (let i = 0; i < 50; i++) {
      upload(`b${i}`, watchFileText(`b${i}`, [git(`https://example.com/b${i}.git`, "main")]));
      await sleep(2);
    }
    await waitFor("every upload merged", () => oks().at(-1)?.result.state.pollers.length === 50);
    await sleep(QUIET_MS * 4);
    expect(events.length - 1).toBeGreaterThanOrEqual(1);
    expect(events.length - 1).toBeLessThanOrEqual(2);
  });

  it("a steady stream of changes still gets a merge within maxWaitMs", async () => {
    await start({ debounceMs: 400, maxWaitMs: 600 });
    await settle(1);
    const until = Date.now() + 2000;
    for (let i = 0; Date.now() < until; i++) {
      upload("app", watchFileText("app", [git("https://example.com/dep.git", `b${i}`)]));
      await sleep(100);
    }
    // quiet never came for 2 s, yet merges did
    expect(events.length).toBeGreaterThanOrEqual(2);
  });

  it("tells each new error or warning once, and a failed merge keeps the state file and goes on", async () => {
    upload("app", watchFileText("app", [git("https://example.com/dep.git", "main")]));
    await start();
    await settle(1);
    upload("app", '{"schema": "autowatch.watchfile/2", "watches": [');
    await settle(2);
    expect(oks()[1]!.newProblems.map((p) => [p.level, p.code, p.message])).toEqual([
      ["error", "watchfile.json.invalid", expect.stringMatching(/^not valid JSON .*: last good watches from \S+ kept$/)],
    ]);
    expect(oks()[1]!.changed).toBe(false);
    // the same problem at the next merge is not new
    writeFileSync(join(watchDir, "stray.json"), "{}");
    await settle(3);
    expect(oks()[2]!.newProblems.map((p) => [p.code, p.file])).toEqual([["merge.watchfile.orphan", join(watchDir, "stray.json")]]);

    const before = readFileSync(output, "utf8");
    writeFileSync(manifest, "[app\nwatch = git https://example.com/core.git main\n");
    await settle(4);
    const failed = events[3]!;
    expect(failed.ok).toBe(false);
    expect(!failed.ok && failed.error).toBeInstanceOf(MergeSetupError);
    expect(readFileSync(output, "utf8")).toBe(before);
    writeFileSync(manifest, "[app]\nwatch = git https://example.com/core.git 17.0\n");
    await settle(5);
    expect(oks().at(-1)!.changed).toBe(true);
  });

  it("applies again after the next merge when apply failed", async () => {
    let up = false;
    await start({
      apply: (state) => {
        applied.push(state);
        return up;
      },
    });
    await settle(1);
    up = true;
    // changes nothing Buildbot acts on, but the master never got the state
    upload("app", watchFileText("app", []));
    await settle(2);
    expect(oks()[1]!.changed).toBe(true);
    expect(applied).toHaveLength(2);
    upload("app", watchFileText("app", [], { generated: "2026-12-01T00:00:00Z" }));
    await settle(3);
    expect(applied).toHaveLength(2);
  });

  it("a callback that throws is told to onError and stops nothing", async () => {
    await start({
      onMerge: (event) => {
        events.push(event);
        if (events.length === 1) throw new Error("log full");
      },
      apply: () => {
        throw new Error("master down");
      },
    });
    await settle(1);
    expect(log.slice(1)).toEqual(["callback error: Error: log full", "callback error: Error: master down"]);
    upload("app", watchFileText("app", []));
    await settle(2);
    // a throwing apply did not apply: tried again
    expect(log.at(-1)).toBe("callback error: Error: master down");
  });

  it("takes the state file found at start as applied", async () => {
    const first = await start();
    await settle(1);
    await first.close();
    events = [];
    applied = [];
    await start();
    await settle(1);
    expect(oks()[0]!.changed).toBe(false);
    expect(applied).toEqual([]);
  });

  it("reacts to watch files only: not to other files, dot files or the state file in the watch directory", async () => {
    output = join(watchDir, "state.json");
    await start();
    await settle(1);
    writeFileSync(join(watchDir, "notes.txt"), "x");
    writeFileSync(join(watchDir, ".hidden.json"), "{}");
    writeFileSync(output, readFileSync(output));
    await sleep(QUIET_MS * 4);
    expect(events).toHaveLength(1);
    // (its own state file is reported as a stray watch file: a reason not to put it there)
    writeFileSync(join(watchDir, "app.json"), watchFileText("app", [git("https://example.com/in-place.git", "main")]));
    await settle(2);
    rmSync(join(watchDir, "app.json"));
    await settle(3);
    expect(oks()[2]!.newProblems.map((p) => [p.level, p.code])).toEqual([["warning", "merge.watchfile.gone"]]);
  });

  it("tells a problem again only when its code, builder or file is new, or it comes once more: not when its words change", async () => {
    writeFileSync(manifest, "[app]\nwatch = git https://example.com/core.git main\n  git https://example.com/core.git main\n");
    await start();
    await settle(1);
    expect(oks()[0]!.newProblems.map((p) => [p.code, p.line])).toEqual([["manifest.watch.duplicate", 3]]);
    // the same kind of problem, other words and another line: not new
    writeFileSync(manifest, "[app]\n\nwatch = git https://example.com/core.git main\n  git https://example.com/core.git  main\n");
    await settle(2);
    const warnings = oks()[1]!.result.problems.filter((p) => p.level === "warning");
    expect(warnings.map((p) => [p.code, p.line, p.message])).toEqual([["manifest.watch.duplicate", 4, expect.stringContaining("repeats line 3")]]);
    expect(oks()[1]!.newProblems).toEqual([]);
    // a second one of that kind in that file is
    writeFileSync(
      manifest,
      "[app]\n\nwatch = git https://example.com/core.git main\n  git https://example.com/core.git  main\n  git https://example.com/core.git main\n",
    );
    await settle(3);
    expect(oks()[2]!.newProblems.map((p) => [p.code, p.line])).toEqual([["manifest.watch.duplicate", 5]]);
  });

  it("refuses a watch directory it cannot list before watching anything", async () => {
    await expect(start({ watchDir: join(root, "wacth") })).rejects.toThrow(MergeSetupError);
    expect(existsSync(join(root, "wacth"))).toBe(false);
    expect(existsSync(output)).toBe(false);
    expect(log).toEqual([]);
  });

  it("close() waits for the running merge and nothing is merged after it", async () => {
    const running = await start({
      onMerge: async (event) => {
        await sleep(300);
        events.push(event);
      },
    });
    await sleep(50);
    await running.close();
    expect(events).toHaveLength(1);
    upload("app", watchFileText("app", [git("https://example.com/dep.git", "main")]));
    await sleep(QUIET_MS * 4);
    expect(events).toHaveLength(1);
  });
});

import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CliContext } from "../src/context.js";
import { follow } from "../src/commands/merge/follow.js";

const DEBOUNCE_MS = 300;

async function waitFor(what: string, probe: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function watchFile(builder: string, urls: string[]): string {
  return JSON.stringify({
    schema: "autowatch.watchfile/2",
    builder,
    generated: new Date().toISOString(),
    watches: urls.map((url) => ({ vcs: "git", url, revspec: "main" })),
  });
}

describe("autowatch merge --follow", () => {
  let root: string;
  let watchDir: string;
  let manifest: string;
  let state: string;
  let reconfigLog: string;
  let stderr: string;
  let controller: AbortController;
  let running: Promise<number> | undefined;

  const reconfigs = () => (existsSync(reconfigLog) ? readFileSync(reconfigLog, "utf8").split("\n").filter(Boolean).length : 0);
  const merges = () => stderr.split("\n").filter((line) => line.includes("re-merged:")).length;
  /** Writes like Buildbot's FileUpload: a temporary file, renamed into place. */
  const upload = (builder: string, text: string) => {
    const temporary = join(watchDir, `buildbot-transfer-${builder}-${Math.random().toString(36).slice(2)}`);
    writeFileSync(temporary, text);
    renameSync(temporary, join(watchDir, `${builder}.json`));
  };
  const start = (extra: Record<string, unknown> = {}) => {
    const err = new PassThrough();
    err.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const context: CliContext = { cwd: root, env: { ...process.env }, stdout: new PassThrough(), stderr: err, isTTY: false, color: false };
    const options = { manifest: [manifest], watchDir: "watch", output: state, reconfig: `echo reconfig >> '${reconfigLog}'`, follow: true, ...extra };
    running = follow(options, [], context, { signal: controller.signal, debounceMs: DEBOUNCE_MS });
  };
  /** Waits for `n` merges in all, then for a quiet spell that shows no further merge comes. */
  const settle = async (n: number) => {
    await waitFor(`${n} merges (log so far:\n${stderr})`, () => merges() >= n);
    await sleep(DEBOUNCE_MS * 3);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "autowatch-follow-"));
    watchDir = join(root, "watch");
    mkdirSync(watchDir);
    manifest = join(root, "MANIFEST.cfg");
    state = join(root, "state.json");
    reconfigLog = join(root, "reconfigs.log");
    stderr = "";
    controller = new AbortController();
    running = undefined;
  });

  afterEach(async () => {
    controller.abort();
    await running;
    rmSync(root, { recursive: true, force: true });
  });

  it("merges at start, reconfigures only when pollers or change filters change, and stops on abort", async () => {
    writeFileSync(manifest, "[app]\nwatch = git https://example.com/core.git main\n");
    start();
    await settle(1);
    expect(JSON.parse(readFileSync(state, "utf8")).pollers).toHaveLength(1);
    expect(reconfigs()).toBe(1); // no state before: Buildbot has to load the first one

    upload("app", watchFile("app", ["https://example.com/dep.git"]));
    await settle(2);
    expect(reconfigs()).toBe(2);
    expect(JSON.parse(readFileSync(state, "utf8")).pollers).toHaveLength(2);

    // a new upload with the same watches (a later build): re-merged, nothing to reconfigure
    upload("app", watchFile("app", ["https://example.com/dep.git"]));
    await settle(3);
    expect(reconfigs()).toBe(2);
    expect(stderr).toMatch(/re-merged: .*unchanged/);

    // a manifest edit is followed too
    writeFileSync(manifest, "[app]\nwatch = git https://example.com/core.git main\n  git https://example.com/core.git 17.0\n");
    await settle(4);
    expect(reconfigs()).toBe(3);

    // and so is a manifest replaced by rename, as editors and deploy tools do
    writeFileSync(`${manifest}.new`, "[app]\nwatch = git https://example.com/core.git 17.0\n");
    renameSync(`${manifest}.new`, manifest);
    await settle(5);
    expect(reconfigs()).toBe(4);
    writeFileSync(`${manifest}.new`, "[app]\nwatch = git https://example.com/core.git 18.0\n");
    renameSync(`${manifest}.new`, manifest);
    await settle(6);
    expect(reconfigs()).toBe(5);

    controller.abort();
    await expect(running).resolves.toBe(0);
    expect(stderr).toContain("stopped");
    // stopped means stopped: later uploads are not merged
    const before = merges();
    upload("app", watchFile("app", ["https://example.com/other.git"]));
    await sleep(DEBOUNCE_MS * 3);
    expect(merges()).toBe(before);
  });

  it("a burst of 100 uploads gives one or two reconfigs, not 100", async () => {
    const names = Array.from({ length: 100 }, (_, i) => `b${i}`);
    writeFileSync(manifest, names.map((name) => `[${name}]\n`).join("\n"));
    start();
    await settle(1);
    const initial = reconfigs();
    for (const name of names) {
      upload(name, watchFile(name, [`https://example.com/${name}.git`]));
      await sleep(2);
    }
    await waitFor("every upload merged", () => {
      try {
        return JSON.parse(readFileSync(state, "utf8")).pollers.length === 100;
      } catch {
        return false;
      }
    });
    await sleep(DEBOUNCE_MS * 3);
    const burst = reconfigs() - initial;
    expect(burst).toBeGreaterThanOrEqual(1);
    expect(burst).toBeLessThanOrEqual(2);
  });

  it("survives bad watch files and keeps the last good watches, without reconfiguring", async () => {
    writeFileSync(manifest, "[app]\n");
    upload("app", watchFile("app", ["https://example.com/dep.git"]));
    start();
    await settle(1);
    expect(reconfigs()).toBe(1);
    upload("app", '{"schema": "autowatch.watchfile/2", "watches": [ {"vcs": "git", "url": ');
    await settle(2);
    expect(stderr).toMatch(/re-merged: .*1 error,/);
    // the new problem is told once, on a line of its own, as FILE:LINE: level: message (the file names the builder)
    expect(stderr).toMatch(/\n.* {2}new problem: \S*app\.json(:\d+)?: error: not valid JSON .*: last good watches from \S+ kept\n/);
    expect(stderr.match(/new problem/g)).toHaveLength(1);
    expect(reconfigs()).toBe(1);
    const afterText = readFileSync(state, "utf8");
    const after = JSON.parse(afterText);
    expect(after.pollers.map((p: { url: string }) => p.url)).toEqual(["https://example.com/dep.git"]);

    // a manifest that cannot be read: that re-merge is skipped, the state stays, following goes on
    writeFileSync(manifest, Buffer.from([0x5b, 0x61, 0x70, 0x70, 0x5d, 0x0a, 0xff, 0xfe, 0x0a]));
    await waitFor("the failed re-merge", () => stderr.includes("re-merge failed"));
    expect(readFileSync(state, "utf8")).toBe(afterText);
    writeFileSync(manifest, "[app]\nwatch = git https://example.com/core.git main\n");
    await waitFor("a re-merge after the fix", () => reconfigs() === 2);
  });

  it("sees watch files written in place and deleted, and nothing else in the watch directory", async () => {
    writeFileSync(manifest, "[app]\n");
    start();
    await settle(1);
    writeFileSync(join(watchDir, "app.json"), watchFile("app", ["https://example.com/in-place.git"]));
    await settle(2);
    expect(readFileSync(state, "utf8")).toContain("in-place.git");
    // not a watch file: no re-merge
    writeFileSync(join(watchDir, "notes.txt"), "x");
    writeFileSync(join(watchDir, ".hidden.json"), "{}");
    await sleep(DEBOUNCE_MS * 3);
    expect(merges()).toBe(2);
    rmSync(join(watchDir, "app.json"));
    await settle(3);
    // a deletion is seen; the builder keeps its last good watches (issue 11), with a warning
    expect(stderr).toMatch(/new problem: \S*app\.json: warning: watch file is gone/);
    expect(readFileSync(state, "utf8")).toContain("in-place.git");
  });

  it("retries a failed reconfig after the next merge", async () => {
    writeFileSync(manifest, "[app]\nwatch = git https://example.com/core.git main\n");
    const marker = join(root, "master-is-up");
    start({ reconfig: `test -e '${marker}' && echo reconfig >> '${reconfigLog}'` });
    await settle(1);
    expect(reconfigs()).toBe(0);
    expect(stderr).toContain("reconfig command failed");
    writeFileSync(marker, "");
    upload("app", watchFile("app", [])); // changes nothing Buildbot acts on, but the master never got the state
    await settle(2);
    expect(reconfigs()).toBe(1);
  });

  it("without -o it refuses to start", async () => {
    const context: CliContext = { cwd: root, env: {}, stdout: new PassThrough(), stderr: new PassThrough(), isTTY: false, color: false };
    await expect(follow({ manifest: [manifest], watchDir: "watch", follow: true }, [], context, { signal: controller.signal })).rejects.toThrow(/-o STATE/);
  });
});

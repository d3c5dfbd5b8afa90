import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadLastGood } from "@autowatch/merge";
import { follow } from "../src/commands/merge/follow.js";
import type { CliContext } from "../src/context.js";
import { autoUrls, cli, dir, GOOD, merge, pythonReads, snapshot, state, useFaultFarm, watchFile } from "./faults-support.js";

/**
 * Issue 11: nothing the master reads, from a worker or from the operator, silently drops what a
 * builder watches. Each scenario runs through the CLI, the way an operator's cron would.
 */

useFaultFarm();

describe("a manifest Python's ConfigParser refuses: the merge refuses, nothing is written", () => {
  const broken: [string, string, number][] = [
    ["a typo in a section header", GOOD.replace("[odoo-b]", "[odoo-b"), 4],
    ["a line that is no option", GOOD.replace("watch =", "watch git git@github.com/OCA/x.git 16.0\nwatch ="), 6],
    ["an option set twice in a section", `${GOOD}watch = git https://github.com/OCA/y.git 16.0\n`, 7],
    ["a section defined twice in one file", `${GOOD}\n[odoo-a]\nbuildout = standalone a.cfg\n`, 8],
  ];

  it.each(broken)("%s", async (_what, text, line) => {
    const first = await merge();
    expect(first.code).toBe(0);
    const before = readFileSync(join(dir, "state.json"), "utf8");
    const store = snapshot(join(dir, "state.json.lastgood"));
    expect(loadLastGood(join(dir, "state.json.lastgood")).lastGood.get("odoo-b")).toMatchObject({ watches: expect.any(Array) });

    expect(pythonReads(text)).not.toBe("ok");
    writeFileSync(join(dir, "MANIFEST.cfg"), text);
    const run = await merge();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`MANIFEST.cfg:${line}: error:`);
    expect(run.stderr).toMatch(/nothing written/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(join(dir, "state.json"), "utf8")).toBe(before);
    expect(snapshot(join(dir, "state.json.lastgood"))).toEqual(store);

    // --json and no -o: no state on stdout either
    const json = await cli(["merge", "--manifest", "MANIFEST.cfg", "--watch-dir", "watch", "--json"]);
    expect(json.code).toBe(1);
    expect(json.stdout).toBe("");
  });

  it("an inherit chain cut at the reader's limit refuses the merge too: builders past the cut would lose the watch lines they inherit", async () => {
    const first = await merge();
    expect(first.code).toBe(0);
    const before = readFileSync(join(dir, "state.json"), "utf8");
    // odoo-c0 watches a branch; odoo-c1..odoo-c69 each inherit it through the one before
    const chain = Array.from({ length: 69 }, (_, i) => `[odoo-c${i + 1}]\ninherit = odoo-c${i}\nopt${i + 1} = x\n`).join("\n");
    const text = `${GOOD}\n[odoo-c0]\nbuildout = standalone c.cfg\nwatch = git https://github.com/OCA/web.git 17.0\n\n${chain}`;
    expect(pythonReads(text)).toBe("ok");
    writeFileSync(join(dir, "MANIFEST.cfg"), text);
    const run = await merge();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/MANIFEST\.cfg:\d+: error: section "odoo-c64": inherit chain longer than 64 sections/);
    expect(run.stderr).toMatch(/nothing written/);
    expect(readFileSync(join(dir, "state.json"), "utf8")).toBe(before);
  });

  it("a problem in one value stays that value's: a bad watch line and a bad auto-watch value", async () => {
    const text = GOOD.replace(
      "watch = git https://github.com/OCA/web.git 16.0",
      "watch = git https://github.com/OCA/web.git 16.0\n  git https://github.com/OCA/only-url.git\nauto-watch = maybe",
    );
    expect(pythonReads(text)).toBe("ok");
    writeFileSync(join(dir, "MANIFEST.cfg"), text);
    const run = await merge();
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/MANIFEST\.cfg:7: .*watch/);
    expect(run.stderr).toMatch(/MANIFEST\.cfg:8: .*auto-watch must be/);
    expect(state().builders["odoo-b"].watches.map((w: { url: string }) => w.url)).toEqual([
      "https://github.com/OCA/server-tools.git",
      "https://github.com/OCA/web.git",
    ]);
  });
});

describe("the watch directory", () => {
  it("missing (a mistyped --watch-dir) is a configuration error: nothing written, exit 1", async () => {
    expect((await merge()).code).toBe(0);
    const before = readFileSync(join(dir, "state.json"), "utf8");
    const run = await cli(["merge", "--manifest", "MANIFEST.cfg", "--watch-dir", "wacth", "-o", "state.json"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^autowatch: watch directory \S*wacth does not exist/);
    expect(readFileSync(join(dir, "state.json"), "utf8")).toBe(before);
    expect(existsSync(join(dir, "wacth"))).toBe(false);
  });

  it("not a directory is a configuration error too", async () => {
    writeFileSync(join(dir, "afile"), "");
    const run = await cli(["merge", "--manifest", "MANIFEST.cfg", "--watch-dir", "afile", "-o", "state.json"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/watch directory \S*afile is not a directory/);
    expect(existsSync(join(dir, "state.json"))).toBe(false);
  });

  it("empty is normal: no watch files yet", async () => {
    rmSync(join(dir, "watch", "odoo-b.json"));
    const run = await merge();
    expect(run.code).toBe(0);
    expect(statSync(join(dir, "state.json")).isFile()).toBe(true);
    expect(state().builders["odoo-b"].watches).toHaveLength(1);
  });
});

describe("merge --follow", () => {
  let controller: AbortController;
  let stderr: string;
  let running: Promise<number> | undefined;

  const start = (watchDir = "watch") => {
    const err = new PassThrough();
    err.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const context: CliContext = { cwd: dir, env: { ...process.env }, stdout: new PassThrough(), stderr: err, isTTY: false, color: false };
    const options = { manifest: ["MANIFEST.cfg"], watchDir, output: "state.json", follow: true };
    return follow(options, [], context, { signal: controller.signal, debounceMs: 200 });
  };
  const waitFor = async (what: string, probe: () => boolean) => {
    const deadline = Date.now() + 15_000;
    while (!probe()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  beforeEach(() => {
    controller = new AbortController();
    stderr = "";
    running = undefined;
  });
  afterEach(async () => {
    controller.abort();
    await running;
  });

  it("a manifest Python would refuse: the re-merge is refused, the state kept, following goes on", async () => {
    running = start();
    await waitFor("the first merge", () => stderr.includes("re-merged:"));
    const before = readFileSync(join(dir, "state.json"), "utf8");
    writeFileSync(join(dir, "MANIFEST.cfg"), GOOD.replace("[odoo-b]", "[odoo-b"));
    await waitFor("the refused re-merge", () => stderr.includes("re-merge failed"));
    expect(stderr).toMatch(/MANIFEST\.cfg:4: error: /);
    expect(readFileSync(join(dir, "state.json"), "utf8")).toBe(before);
    writeFileSync(join(dir, "MANIFEST.cfg"), `${GOOD}\n[odoo-c]\n`);
    await waitFor("a re-merge after the fix", () => state().builders["odoo-c"] !== undefined);
    expect(Object.keys(state().builders)).toEqual(["odoo-a", "odoo-b", "odoo-c"]);
  });

  it("a missing watch directory: refuses to start, creates nothing", async () => {
    await expect(start("wacth")).rejects.toThrow(/watch directory \S*wacth does not exist/);
    expect(existsSync(join(dir, "wacth"))).toBe(false);
    expect(existsSync(join(dir, "state.json"))).toBe(false);
  });
});

describe("a watch file deleted after it was merged", () => {
  it("keeps the builder's last good watches, with a warning naming the file; explain says so", async () => {
    expect((await merge()).code).toBe(0);
    expect(autoUrls("odoo-b")).toEqual(["https://github.com/OCA/server-tools.git"]);
    rmSync(join(dir, "watch", "odoo-b.json"));
    const run = await merge();
    expect(run.code).toBe(0);
    expect(autoUrls("odoo-b")).toEqual(["https://github.com/OCA/server-tools.git"]);
    expect(run.stderr).toMatch(
      /^watch\/odoo-b\.json: warning: watch file is gone \(deleted after it was merged\?\): last good watches from \d{4}-\d\d-\d\d kept$/m,
    );
    expect(run.stderr).toContain("(pollers and change filters unchanged)");
    const explained = await cli(["explain", "--manifest", "MANIFEST.cfg", "--watch-dir", "watch", "-o", "state.json", "--builder", "odoo-b"]);
    expect(explained.stdout).toMatch(/watch file: \S*odoo-b\.json \(gone; last good watches from \d{4}-\d\d-\d\d used\)/);
    expect(explained.stdout).not.toContain("not uploaded yet");
    expect(explained.stdout).toMatch(/server-tools\.git branch 16\.0\n {4}auto: watch file \S*odoo-b\.json \(last good version from /);
  });
});

describe("a watch file with any entry refused for security reasons is distrusted whole", () => {
  const HOSTILE = [
    { url: "--upload-pack=touch /tmp/pwned" },
    { url: "ext::sh -c touch% /tmp/pwned" },
    { url: "https://github.com/OCA/ok.git", revspec: "-oProxyCommand=touch /tmp/pwned" },
    { url: "ssh://-oProxyCommand=touch/x.git" },
  ];

  it("every entry hostile: last good kept, the file never becomes the last good one, each reason named", async () => {
    expect((await merge()).code).toBe(0);
    const store = snapshot(join(dir, "state.json.lastgood"));
    writeFileSync(join(dir, "watch", "odoo-b.json"), watchFile("odoo-b", HOSTILE));
    const run = await merge();
    expect(run.code).toBe(0);
    expect(autoUrls("odoo-b")).toEqual(["https://github.com/OCA/server-tools.git"]);
    const problems = state().problems.filter((p: { builder?: string; file?: string }) => p.builder === "odoo-b" && p.file?.endsWith("odoo-b.json"));
    expect(problems.map((p: { code: string }) => p.code)).toEqual([
      "merge.watchfile.distrusted",
      "merge.url.option",
      "merge.url.transport",
      "merge.branch.option",
      "merge.url.option",
    ]);
    const messages = problems.map((p: { message: string }) => p.message).join("\n");
    for (const index of [0, 1, 2, 3]) expect(messages).toContain(`watches[${index}] refused: `);
    expect(messages).toMatch(/file distrusted: 4 of 4 entries refused for security reasons \(watches\[0\] refused: .*: last good watches from \S+ kept/);
    expect(snapshot(join(dir, "state.json.lastgood"))).toEqual(store);
    // and again: still the first good file, not the hostile one
    await merge();
    expect(autoUrls("odoo-b")).toEqual(["https://github.com/OCA/server-tools.git"]);
  });

  it("one hostile entry among good ones: none of the file's entries counts", async () => {
    expect((await merge()).code).toBe(0);
    writeFileSync(join(dir, "watch", "odoo-b.json"), watchFile("odoo-b", [{ url: "https://github.com/OCA/new.git" }, HOSTILE[3]!]));
    const run = await merge();
    expect(run.code).toBe(0);
    expect(autoUrls("odoo-b")).toEqual(["https://github.com/OCA/server-tools.git"]);
    expect(run.stderr).toMatch(/file distrusted: 1 of 2 entries refused for security reasons/);
  });

  it("a builder field naming another builder: distrusted, never feeds that builder", async () => {
    writeFileSync(join(dir, "watch", "odoo-a.json"), watchFile("odoo-b", [{ url: "https://github.com/OCA/new.git" }]));
    const run = await merge();
    expect(run.stderr).toContain('the file names builder "odoo-b", not this one');
    expect(autoUrls("odoo-a")).toEqual([]);
    expect(autoUrls("odoo-b")).toEqual(["https://github.com/OCA/server-tools.git"]);
  });

  it("--allow-host refusals are operator policy: dropped one by one, the rest becomes the last good", async () => {
    writeFileSync(
      join(dir, "watch", "odoo-b.json"),
      watchFile("odoo-b", [{ url: "https://github.com/OCA/new.git" }, { url: "https://gitlab.example.org/x.git" }]),
    );
    const run = await merge("--allow-host", "github.com");
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('watches[1] refused: host "gitlab.example.org" not allowed');
    expect(run.stderr).not.toContain("distrusted");
    expect(autoUrls("odoo-b")).toEqual(["https://github.com/OCA/new.git"]);
    const kept = loadLastGood(join(dir, "state.json.lastgood")).lastGood.get("odoo-b");
    expect(kept && "watches" in kept ? kept.watches.map((watch) => watch.url) : kept).toEqual(["https://github.com/OCA/new.git"]);
  });
});

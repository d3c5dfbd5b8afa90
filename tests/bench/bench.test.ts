// The benchmark harness measures what it claims: its generated inputs are what the docs say they
// are (broken files really rejected, buildouts resolved alike by autowatch and zc.buildout,
// checkouts classified as generated), and its statistics and report are right.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classifySources } from "@autowatch/introspect";
import { resolveBuildout } from "@autowatch/introspect/resolve";
import { runMerge } from "@autowatch/merge";
// @ts-expect-error plain ESM bench modules, untyped
import { farm, builderName, churnWatchFiles, BROKEN_EVERY } from "../../bench/gen/farm.mjs";
// @ts-expect-error plain ESM bench modules, untyped
import { buildout } from "../../bench/gen/buildout.mjs";
// @ts-expect-error plain ESM bench modules, untyped
import { checkouts, gitEnv } from "../../bench/gen/repos.mjs";
// @ts-expect-error plain ESM bench modules, untyped
import { interleave, median, ratio } from "../../bench/lib/stats.mjs";
// @ts-expect-error plain ESM bench modules, untyped
import { atLeast, atMost } from "../../bench/lib/targets.mjs";
// @ts-expect-error plain ESM bench modules, untyped
import { renderReport } from "../../bench/report.mjs";
// @ts-expect-error plain ESM bench modules, untyped
import { readAndParseAll } from "../../bench/merge.mjs";
// @ts-expect-error plain ESM bench modules, untyped
import { agreement, flatten } from "../../bench/resolve.mjs";

describe("bench statistics", () => {
  it("takes medians and ratios", () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(ratio(3, 2)).toBe(1.5);
  });

  it("interleaves variants in rotating order and drops warm-up rounds", async () => {
    const order: string[] = [];
    const samples = await interleave(
      ["a", "b", "c"].map((name) => ({ name, run: () => (order.push(name), name.charCodeAt(0)) })),
      { runs: 3, warmup: 1 },
    );
    expect(samples).toEqual({ a: [97, 97, 97], b: [98, 98, 98], c: [99, 99, 99] });
    expect(order.slice(3, 12).join("")).toBe("abcbcacab");
  });

  it("checks targets in both directions", () => {
    expect(atMost("x", 1.9, 2).ok).toBe(true);
    expect(atMost("x", 2.1, 2).ok).toBe(false);
    expect(atMost("x", Number.NaN, 2).ok).toBe(false);
    expect(atLeast("x", 5.2, 5).ok).toBe(true);
    expect(atLeast("x", 4.9, 5).ok).toBe(false);
  });
});

describe("generated farm", () => {
  it("has one watch file per builder, and exactly the broken 5% are rejected by the merge", async () => {
    const input = await farm(80);
    expect(readdirSync(input.watchDir)).toHaveLength(80);
    expect(input.broken).toBe(80 / BROKEN_EVERY);
    const work = mkdtempSync(join(tmpdir(), "autowatch-bench-test-"));
    try {
      const result = await runMerge({ manifests: [input.manifest], watchDir: input.watchDir, output: join(work, "state.json") });
      const rejected = new Set(result.problems.filter((p) => p.level === "error" && p.file?.startsWith(input.watchDir)).map((p) => p.builder));
      const broken = Array.from({ length: 80 }, (_, i) => i)
        .filter((i) => i % BROKEN_EVERY === BROKEN_EVERY - 1)
        .map(builderName);
      for (const builder of broken) expect(rejected).toContain(builder);
      expect([...rejected].filter((builder) => !broken.includes(builder as string))).toEqual([]);
      expect(Object.keys(result.state.builders)).toHaveLength(80);
      expect(readAndParseAll({ manifests: [input.manifest], watchDir: input.watchDir }).parsed).toBeGreaterThan(80 - input.broken);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe("the seed system's merge in Python (bench/seed_merge.py)", () => {
  it("reads every builder and its watch file: each poller autowatch merges is a repository it watches", async () => {
    const input = await farm(80);
    const seed = JSON.parse(execFileSync("/usr/bin/python3", ["bench/seed_merge.py", input.watchDir, input.manifest, "--list"], { encoding: "utf8" }));
    expect(seed.builders).toBe(80);
    // no validation at all: it also polls what autowatch refuses (hostile URLs), never less
    const result = await runMerge({ manifests: [input.manifest], watchDir: input.watchDir });
    const theirs = new Set(seed.list.map(([vcs, url]: [string, string]) => `${vcs} ${url}`));
    const ours = result.state.pollers.map((poller) => `${poller.vcs} ${poller.url}`);
    expect(ours.length).toBeGreaterThan(80);
    expect(ours.filter((poller) => !theirs.has(poller))).toEqual([]);
    expect(theirs.has("git -oProxyCommand=touch /tmp/pwned")).toBe(true);
  });
});

describe("watch files new between re-merges", () => {
  it("rewrites exactly the asked number of good files, each round others, and the merged state changes", async () => {
    const input = await farm(80);
    const work = mkdtempSync(join(tmpdir(), "autowatch-bench-test-"));
    try {
      const watchDir = join(work, "watch");
      cpSync(input.watchDir, watchDir, { recursive: true });
      const snapshot = () => new Map(readdirSync(watchDir).map((name) => [name, readFileSync(join(watchDir, name), "utf8")]));
      const merge = () => runMerge({ manifests: [input.manifest], watchDir, output: join(work, "state.json") });
      const first = await merge();
      const before = snapshot();
      expect(churnWatchFiles(watchDir, 80, 6, 1)).toBe(6);
      const after = snapshot();
      const changed = [...after].filter(([name, text]) => before.get(name) !== text).map(([name]) => name);
      expect(changed).toHaveLength(6);
      const broken = new Set(
        Array.from({ length: 80 }, (_, i) => i)
          .filter((i) => i % BROKEN_EVERY === BROKEN_EVERY - 1)
          .map((i) => `${builderName(i)}.json`),
      );
      expect(changed.filter((name) => broken.has(name))).toEqual([]);
      const second = await merge();
      expect(second.changed).toBe(true);
      expect(second.state.fingerprint).not.toBe(first.state.fingerprint);
      // still valid files: no new problem beyond the broken ones
      expect(second.problems.filter((p) => p.level === "error").length).toBe(first.problems.filter((p) => p.level === "error").length);
      churnWatchFiles(watchDir, 80, 6, 2);
      const third = [...snapshot()].filter(([name, text]) => after.get(name) !== text).map(([name]) => name);
      expect(third).toHaveLength(6);
      expect(third).not.toEqual(changed);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe("generated buildout", () => {
  it("resolves alike with autowatch and with zc.buildout (bench/zc_resolve.py)", async () => {
    const input = await buildout({ depth: 3, addons: 30 });
    const home = mkdtempSync(join(tmpdir(), "autowatch-bench-home-"));
    try {
      const env = { ...process.env, HOME: home };
      const theirs = flatten(JSON.parse(execFileSync("/usr/bin/python3", ["bench/zc_resolve.py", input.config], { env, encoding: "utf8" })));
      const ours = await resolveBuildout({ config: input.config, env, noUserDefaults: true });
      expect(ours.ok).toBe(true);
      if (!ours.ok) return;
      const check = agreement(flatten(ours.sections), theirs);
      expect(check.compared).toBeGreaterThan(100);
      // the interpreter path is the only expected difference (autowatch does not run Python)
      expect(check.differing).toEqual(["buildout:executable"]);
      expect(theirs.odoo?.addons?.split("\n")).toHaveLength(29); // 30 lines, one removed by `-=`
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe("generated checkouts", () => {
  it("are classified as the generator says", async () => {
    const input = await checkouts(8);
    Object.assign(process.env, gitEnv(input.home));
    const sources = input.sources.map((s: { vcs: "git"; url: string; revspec: string; path: string }, line: number) => ({
      kind: "addons" as const,
      vcs: s.vcs,
      url: s.url,
      revision: s.revspec,
      checkout: s.path,
      origin: { file: "buildout.cfg", line },
    }));
    const result = await classifySources(sources, { directory: input.dir, buildoutRepository: false });
    const live = input.sources.filter((s: { expected: string }) => s.expected === "live").map((s: { url: string }) => s.url);
    expect(result.watches.map((w) => w.url).sort()).toEqual(live.sort());
    expect(result.pinned).toHaveLength(8 - live.length);
  });
});

describe("report", () => {
  it("renders the machine, each target and each table, and flags misses", () => {
    const text = renderReport(
      {
        machine: {
          cpu: "CPU X",
          cores: 2,
          memoryGiB: 4,
          os: "Linux",
          node: "v20",
          git: "2.39",
          python: "3.11",
          zcBuildout: "2.13.2",
          commit: "abc",
          date: "d",
          loadAverage: [1, 2, 3],
        },
        benchmarks: {
          startup: {
            id: "startup",
            title: "cold start",
            date: "d",
            quick: false,
            loadAverage: [1, 1, 1],
            description: "how",
            table: { columns: ["command", "ms"], rows: [["node -e 0", 40.123]] },
            targets: [atMost("index.js vs node", 2.5, 2), atLeast("speedup", 6, 5)],
          },
          merge: {
            id: "merge",
            title: "merge",
            date: "d",
            quick: false,
            loadAverage: [1, 1, 1],
            unavailable: "not built",
            table: { columns: [], rows: [] },
            targets: [],
          },
        },
      },
      "bench/results.json",
    );
    expect(text).toContain("| CPU | CPU X (2 cores) |");
    expect(text).toContain("| startup | index.js vs node | 2.50× | ≤ 2× | **missed** |");
    expect(text).toContain("| startup | speedup | 6× | ≥ 5× | met |");
    expect(text).toContain("| node -e 0 | 40.12 |");
    expect(text).toContain("Not measured: not built.");
  });
});

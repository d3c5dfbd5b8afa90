// 3. classification of many checkouts: the introspect classifier over 200 real git checkouts,
// against its floor (one `git for-each-ref` process per repository, same concurrency, same
// p-limit) and against what the original Python helper did (one `git branch` per source, in sequence).
import { execFile, execFileSync } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { pathToFileURL } from "node:url";
import { availableParallelism } from "node:os";
import { checkouts, gitEnv } from "./gen/repos.mjs";
import { profileInProcess } from "./lib/cpuprofile.mjs";
import { PYTHON } from "./lib/machine.mjs";
import { BENCH_DIR, importDist, ROOT } from "./lib/paths.mjs";
import { runProcess } from "./lib/proc.mjs";
import { interleave, median, ratio, round, summary, timed } from "./lib/stats.mjs";
import { atLeast, atMost } from "./lib/targets.mjs";

const REPOSITORIES = 200;
const FLOOR_LIMIT = 1.3;
const LEGACY_SPEEDUP = 2;
const run = promisify(execFile);
// the fields the classifier asks for (refs, current branch, upstream): same work per process
const FOR_EACH_REF_FORMAT = "--format=%(refname)%09%(HEAD)%09%(upstream:remotename)%09%(upstream)";

const { default: pLimit } = await import(pathToFileURL(join(ROOT, "packages", "introspect", "node_modules", "p-limit", "index.js")).href);

/** The floor: one `git for-each-ref` per repository, `concurrency` at a time. */
export async function forEachRefPerRepo(repositories, concurrency, env) {
  const limit = pLimit(concurrency);
  const outputs = await Promise.all(repositories.map((cwd) => limit(() => run("git", ["for-each-ref", FOR_EACH_REF_FORMAT], { cwd, env }))));
  return outputs.length;
}

const SPAWNS = 50;

/** What one process spawn costs here, from Node and from Python (ms, median of 3 batches). */
function spawnCosts() {
  const node = [];
  const python = [];
  const script = `import subprocess, time\nt = time.perf_counter()\nfor _ in range(${SPAWNS}): subprocess.run(["/bin/true"])\nprint((time.perf_counter() - t) * 1000)`;
  for (let batch = 0; batch < 3; batch += 1) {
    const start = performance.now();
    for (let i = 0; i < SPAWNS; i += 1) execFileSync("/bin/true");
    node.push((performance.now() - start) / SPAWNS);
    python.push(Number(runProcess(PYTHON, ["-c", script]).stdout) / SPAWNS);
  }
  return { node: round(median(node)), python: round(median(python)) };
}

/** The original helper: `git branch -a` in each checkout, one source after the other. */
export function gitBranchPerSource(sources, env) {
  let live = 0;
  for (const source of sources) {
    const branches = execFileSync("git", ["branch", "-a"], { cwd: source.path, env, encoding: "utf8" })
      .split("\n")
      .map((line) =>
        line
          .replace(/^[* ]+/, "")
          .replace(/^remotes\/origin\//, "")
          .trim(),
      );
    if (branches.includes(source.revspec)) live += 1;
  }
  return live;
}

/** The classifier's default when it does not export one (packages/introspect/src/classify/index.ts). */
const DEFAULT_CONCURRENCY = 4;

/** Adapter to `classifySources` from the built @autowatch/introspect; both sides get the same concurrency. */
async function loadClassifier(directory) {
  const introspect = await importDist("introspect", ["classifySources"]);
  const exported = introspect.DEFAULT_CLASSIFY_CONCURRENCY ?? introspect.CLASSIFY_CONCURRENCY;
  const concurrency = typeof exported === "number" ? exported : DEFAULT_CONCURRENCY;
  const classify = (sources) =>
    introspect.classifySources(
      sources.map(({ vcs, url, revspec, path }, line) => ({
        kind: "addons",
        vcs,
        url,
        revision: revspec,
        checkout: path,
        origin: { file: "buildout.cfg", line: line + 1 },
      })),
      { directory, buildoutRepository: false, concurrency },
    );
  return { classify, concurrency };
}

/** Live/pinned counts the classifier got wrong (the bench also checks what it times). */
function wrongVerdicts(result, sources) {
  const live = new Set(result.watches.map((watch) => watch.url));
  return sources.filter((source) => live.has(source.url) !== (source.expected === "live")).map((source) => `${source.kind} ${source.revspec}`);
}

export const classifyBench = {
  id: "classify",
  title: "classification of 200 git checkouts (vs for-each-ref floor and git branch per source)",
  async run({ quick, runs: runsOverride, log }) {
    const input = await checkouts(REPOSITORIES);
    const classifier = await loadClassifier(input.dir);
    log(`${REPOSITORIES} checkouts ${input.reused ? "reused" : "generated"} in ${input.dir}`);
    const env = gitEnv(input.home);
    Object.assign(process.env, env); // the classifier's simple-git inherits this process's environment
    const runs = runsOverride ?? (quick ? 3 : 9);
    const repositories = input.sources.map((source) => source.path);
    const wrong = wrongVerdicts(await classifier.classify(input.sources), input.sources);
    if (wrong.length > 0) log(`classifier disagrees with the generator on ${wrong.length} source(s), e.g. ${wrong.slice(0, 3).join(", ")}`);
    const samples = await interleave(
      [
        { name: "floor", run: async () => (await timed(() => forEachRefPerRepo(repositories, classifier.concurrency, env))).ms },
        { name: "classifier", run: async () => (await timed(() => classifier.classify(input.sources))).ms },
        { name: "legacy", run: async () => (await timed(() => gitBranchPerSource(input.sources, env))).ms },
        { name: "legacy-python", run: () => runProcess(PYTHON, [join(BENCH_DIR, "legacy_branch.py"), join(input.dir, "sources.json")], { env }).ms },
      ],
      { runs, warmup: 1 },
    );
    const floor = median(samples.floor);
    const classifier_ = median(samples.classifier);
    const legacy = median(samples.legacy);
    const legacyPython = median(samples["legacy-python"]);
    const measured = {
      repositories: REPOSITORIES,
      concurrency: classifier.concurrency,
      floorMs: summary(samples.floor),
      classifierMs: summary(samples.classifier),
      legacyMs: summary(samples.legacy),
      legacyPythonMs: summary(samples["legacy-python"]),
      speedupVsLegacyPython: ratio(legacyPython, classifier_),
      classifierVsFloor: ratio(classifier_, floor),
      speedupVsLegacy: ratio(legacy, classifier_),
    };
    const spawn = spawnCosts();
    measured.spawnMs = spawn;
    const profiles = [];
    if (measured.classifierVsFloor > FLOOR_LIMIT) {
      log("classifier over its floor: profiling one more classification");
      profiles.push({ title: "classifySources over 200 checkouts (in-process)", ...(await profileInProcess(() => classifier.classify(input.sources))) });
    }
    return {
      profiles,
      notes: [
        `The floor and the legacy loop spawn one git process per repository or source; a parallel speedup is bounded by the free cores (${availableParallelism()} here, shared) and by the spawn itself, which Node does on its main thread. The classifier spawns none for a plain checkout: it reads the refs from git's ref files (HEAD, loose refs, packed-refs) and asks git, through simple-git \`for-each-ref\`, whenever the reader meets anything unusual (worktree, reftable, symbolic or corrupt refs, refused names, environment overrides, another owner), and always for the buildout's own repository and for merges from a remote name.`,
        `Spawning one process (/bin/true) costs ${spawn.node} ms from Node (execFileSync) and ${spawn.python} ms from Python (subprocess.run) on this machine (median of 3 batches of ${SPAWNS}).`,
        `Speedup of the classifier over the legacy loop run from Python (which spawns faster than Node here): ${measured.speedupVsLegacyPython}× (for reference, not a target).`,
      ],
      description:
        `${REPOSITORIES} real git checkouts (cloned from one origin with 20 branches and 30 tags; a quarter each on a local branch, on a remote-only branch, detached at a tag, detached at a commit). ` +
        `Classifier: the batch classifier of the built @autowatch/introspect (ref files, simple-git as the fallback), in-process, at its own concurrency (${classifier.concurrency}); the bench also checks its verdicts against what the generator made (${wrong.length} wrong). ` +
        `Floor: one \`git for-each-ref\` process per repository with the same concurrency (p-limit). ` +
        `Legacy: one \`git branch -a\` per source in sequence, as the original Python helper did, spawned from the same Node process (the target), and from Python (bench/legacy_branch.py, whole process, for reference). Interleaved, ${runs} runs each after a warm-up; medians.`,
      params: { repositories: REPOSITORIES, runs, concurrency: classifier.concurrency },
      measured: { ...measured, wrongVerdicts: wrong.length },
      table: {
        columns: ["variant", "ms", "vs floor"],
        rows: [
          [`for-each-ref per repo (floor, ${classifier.concurrency} at a time)`, measured.floorMs.median, 1],
          ["autowatch classifier", measured.classifierMs.median, measured.classifierVsFloor],
          ["git branch per source, sequential (legacy)", measured.legacyMs.median, ratio(legacy, floor)],
          ["the same from Python, whole process (legacy_branch.py, for reference)", measured.legacyPythonMs.median, ratio(legacyPython, floor)],
        ],
      },
      targets: [
        atMost("classifier vs for-each-ref floor", measured.classifierVsFloor, FLOOR_LIMIT),
        atLeast("classifier speedup over git branch per source", measured.speedupVsLegacy, LEGACY_SPEEDUP),
      ],
    };
  },
};

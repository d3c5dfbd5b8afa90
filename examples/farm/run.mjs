#!/usr/bin/env node
// The main job on a small, realistic farm made on the fly: every worker introspects its
// buildout after `bin/buildout` and uploads its watch file, the master merges them with
// MANIFEST.cfg, and `autowatch explain` tells what each builder now watches and why. The
// result is then checked against what the farm's buildouts and manifest say it must be.
//
// Exit status: 0 all went as expected; 1 a step failed or the result is not what the farm
// says; 2 bad usage, the workspace is not built, or another run holds the work directory;
// 3 a step is not available in this build.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { makeFarm, REWRITE, URLS } from "./farm.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
// AUTOWATCH_CLI: another build of the CLI to run (development only).
const cli = process.env.AUTOWATCH_CLI ? path.resolve(process.env.AUTOWATCH_CLI) : path.join(root, "packages/cli/dist/index.js");
const watchfileDist = path.join(root, "packages/watchfile/dist/index.js");
// AUTOWATCH_EXAMPLE_WORK: make the farm elsewhere (tests use a temporary directory).
const work = process.env.AUTOWATCH_EXAMPLE_WORK ? path.resolve(process.env.AUTOWATCH_EXAMPLE_WORK) : path.join(here, ".work");
const relative = (file) => path.relative(root, file) || ".";
const started = performance.now();
const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

if (process.argv.length > 2) {
  console.error("usage: node examples/farm/run.mjs   (no options; the farm is made in examples/farm/.work/)");
  process.exit(2);
}
for (const file of [cli, watchfileDist]) {
  if (!existsSync(file)) {
    console.error(`example: ${relative(file)} is missing: build the workspace first (pnpm exec turbo run build, or npm run example)`);
    process.exit(2);
  }
}
const { parseState } = await import(pathToFileURL(watchfileDist).href);
const { escapeControls, hasControlCharacters, quoteValue, watchFileNameFor } = await import(
  pathToFileURL(path.join(root, "packages/watchfile/dist/text.js")).href
);

/** Steps that could not run because a command is not in this build, and steps that failed. */
const unavailable = [];
const failed = [];

const cliEnv = () => ({ ...process.env, HOME: path.join(work, "home"), NO_COLOR: "1", LANG: "C" });

/** Runs the built CLI (the master's commands from the work directory, so paths read short). */
function autowatch(args, cwd = work, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env: { ...cliEnv(), ...env }, stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    child.on("error", (error) => (stderr += `\n${error.message}`));
    child.on("close", (status) => {
      const missing = status !== 0 && /not implemented yet|unknown command/.test(stderr);
      resolve({ status: status ?? 1, stdout, stderr, missing });
    });
  });
}

/** Runs `task` on every item, two at a time (the machine may have two cores), results in order. */
async function eachInTurn(items, task) {
  const results = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
    }
  };
  await Promise.all([lane(), lane()]);
  return results;
}

/** A message from a file, shown as is unless it holds control characters. */
const printable = (text) => (hasControlCharacters(text) ? escapeControls(text) : text);

/** Commands of this build whose help does not say "not implemented yet". */
function availableCommands() {
  const help = spawnSync(process.execPath, [cli, "--help"], { encoding: "utf8", env: cliEnv(), timeout: 60_000 }).stdout ?? "";
  const lines = help.split("\n").filter((line) => /^ {2}\S/.test(line));
  return new Set(lines.filter((line) => !/not implemented/.test(line)).map((line) => line.trim().split(/\s+/)[0]));
}

function indent(text, prefix = "    ") {
  return text
    .trimEnd()
    .split("\n")
    .map((line) => `${prefix}${line}`)
    .join("\n");
}

function heading(text) {
  console.log(`\n== ${text}`);
}

const commands = availableCommands();
const ready = (command) => {
  if (commands.has(command)) return true;
  unavailable.push(command);
  return false;
};

// 1. The farm.
// One run at a time in a work directory: a second one would delete the farm under the first.
const lock = `${work}.lock`;
function takeLock() {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lock, "wx");
      writeFileSync(fd, `${process.pid}\n`);
      closeSync(fd);
      process.on("exit", () => rmSync(lock, { force: true }));
      return true;
    } catch (error) {
      if (error?.code !== "EEXIST") throw error;
      const holder = Number.parseInt(readFileSync(lock, "utf8"), 10);
      let alive = false;
      try {
        alive = Number.isInteger(holder) && holder > 0 && process.kill(holder, 0);
      } catch {
        alive = false;
      }
      if (alive) return false;
      rmSync(lock, { force: true }); // left by a run that died
    }
  }
  return false;
}
if (!takeLock()) {
  console.error(`example: another run is using ${relative(work)}/ (see ${relative(lock)}); wait for it to finish`);
  process.exit(2);
}
rmSync(work, { recursive: true, force: true });
mkdirSync(path.join(work, "home"), { recursive: true });
let farm;
try {
  farm = makeFarm(work);
} catch (error) {
  console.error(`example: could not make the farm: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
heading(`Farm made in ${relative(work)}/ (${seconds()})`);
console.log(`    forge/    8 bare git repositories: Odoo core (9.0, 10.0, 11.0), OCA web (pull request refs/pull/7/head), server-tools,
              reporting-engine, ACME addons, the acme-tools develop egg, the buildouts (branches 9.0, 10.0, 11.0,
              tag acme-11.0-2026.11), ACME's doodba project (repos.yaml)
    workers/  ${farm.workers.length} builds: buildouts as bin/buildout leaves them (core in parts/<DEST>, addons at their DEST,
              eggs in src/), a doodba image's sources as git-aggregator leaves them, a pip install with an -e checkout
    master/   MANIFEST.cfg (${readFileSync(farm.manifest, "utf8").match(/^\[(?!DEFAULT)[^\]]+\]/gm).length} builders), watch/ for the uploads`);

// 2. Workers: introspect right after bin/buildout, then upload (Buildbot's FileUpload).
heading("Workers: autowatch introspect, then upload to the master");
let introspected = 0;
if (!ready("introspect")) console.log("    not available: `autowatch introspect` is not implemented in this build");
// A buildout worker names its configuration; the doodba one lets introspect find repos.yaml; the pip one names its file.
const readsWhat = (worker) => (worker.config ? ["-c", worker.config] : worker.sources.flatMap((file) => ["--source", file]));
const introspections = await eachInTurn(ready("introspect") ? farm.workers : [], (worker) =>
  autowatch(["introspect", ...readsWhat(worker), "--builder", worker.builder, "-o", "autowatch.json"], worker.directory, worker.env),
);
introspections.forEach((run, index) => {
  const worker = farm.workers[index];
  const local = path.join(worker.directory, "autowatch.json");
  const label = `${worker.builder.padEnd(18)} ${(readsWhat(worker).join(" ") || "(detected)").padEnd(26)}`;
  if (run.missing) {
    unavailable.push("introspect");
    console.log(`    ${label} not available: \`autowatch introspect\` is not implemented in this build`);
    return;
  }
  if (run.status !== 0 || !existsSync(local)) {
    failed.push(`introspect ${worker.builder}`);
    console.log(`    ${label} FAILED (exit ${run.status})\n${indent(run.stderr, "      ")}`);
    return;
  }
  // The upload: Buildbot's FileUpload puts it in the master's watch directory.
  const uploaded = path.join(farm.watchDir, watchFileNameFor(worker.builder));
  copyFileSync(local, uploaded);
  introspected++;
  const file = JSON.parse(readFileSync(local, "utf8"));
  const count = (list, word) => `${list.length} ${word}`;
  console.log(`    ${label} ${count(file.watches, "live")}, ${count(file.pinned, "pinned")} → ${path.relative(work, uploaded)}`);
  for (const problem of file.problems) console.log(`      ${problem.level}: ${printable(problem.message)}`);
});
// 3. Master: merge, as the hourly cron job does before `buildbot reconfig`.
const state = path.join(farm.master, "state.json");
const inputs = ["--manifest", path.relative(work, farm.manifest), "--watch-dir", path.relative(work, farm.watchDir), "--rewrite", REWRITE];

/** One merge; true when it wrote the state. */
async function merge(title) {
  heading(title);
  if (unavailable.includes("introspect")) {
    console.log("    skipped: needs the watch files from introspect");
    return false;
  }
  if (!ready("merge")) {
    console.log("    not available: `autowatch merge` is not implemented in this build");
    return false;
  }
  const run = await autowatch(["merge", ...inputs, "-o", path.relative(work, state)]);
  if (run.missing) {
    unavailable.push("merge");
    console.log("    not available: `autowatch merge` is not implemented in this build");
    return false;
  }
  if (run.status !== 0 || !existsSync(state)) {
    failed.push("merge");
    console.log(`    FAILED (exit ${run.status})\n${indent(run.stderr)}`);
    return false;
  }
  console.log(`    $ cd ${relative(work)} && autowatch merge ${inputs.join(" ")} -o ${path.relative(work, state)}`);
  console.log(indent(run.stderr || "(no summary printed)"));
  return true;
}

// The manifests are linted first, as a CI job of the master's configuration would.
heading("Master: autowatch check");
if (ready("check")) {
  const run = await autowatch(["check", "--manifest", path.relative(work, farm.manifest)]);
  console.log(indent(`${run.stdout}${run.stderr}` || "(nothing printed)"));
  if (run.status !== 0) failed.push("check of the manifest");
} else {
  console.log("    not available: `autowatch check` is not implemented in this build");
}

let merged = await merge("Master, 10:00: autowatch merge");

// An hour later the odoo-9.0 worker dies in the middle of its upload: the master must keep
// that builder's last good watches, report the file, and merge everything else as usual.
if (merged) {
  const cut = path.join(farm.watchDir, watchFileNameFor("odoo-9.0"));
  const whole = readFileSync(cut);
  writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
  heading(`10:55: the odoo-9.0 worker dies mid-upload (${path.relative(work, cut)}: ${Math.floor(whole.length * 0.6)} of ${whole.length} bytes)`);
  merged = await merge("Master, 11:00: autowatch merge again");
}

// 4. What each builder watches, and why.
// Same inputs as the merge (`-o` tells where the last good watches are kept; explain writes nothing).
heading("What each builder watches, and why (autowatch explain)");
let explained = false;
const explanations = {};
const builders = ["odoo-10.0", "odoo-11.0", "acme-11.0", "acme-11.0-prod", "acme-11.0-release", "acme-docker-11.0", "acme-pip-11.0", "odoo-9.0"];
if (!merged) {
  console.log("    skipped: needs a merged state");
} else if (!ready("explain")) {
  console.log("    not available: `autowatch explain` is not implemented in this build (the state below says what is watched)");
} else {
  explained = true;
  const runs = await eachInTurn(builders, (builder) => autowatch(["explain", ...inputs, "-o", path.relative(work, state), "--builder", builder]));
  runs.forEach((run, index) => {
    if (run.missing) {
      unavailable.push("explain");
      console.log("    not available: `autowatch explain` is not implemented in this build");
    } else if (run.status !== 0) {
      failed.push(`explain ${builders[index]}`);
      console.log(`    ${builders[index]}: FAILED (exit ${run.status})\n${indent(run.stderr)}`);
    } else {
      explanations[builders[index]] = run.stdout;
      console.log(`\n${indent(run.stdout)}`);
    }
  });
}

// 5. The state, checked against what the farm's buildouts and manifest say.
const mirror = (url) => url.replace("https://github.com/", "https://mirror.acme.example/github/");
const expected = {
  "odoo-10.0": { schedule: true, watches: [`${mirror(URLS.odoo)} 10.0`, `${mirror(URLS.web)} 10.0`, `${URLS.buildouts} 10.0`] },
  "odoo-11.0": {
    schedule: true,
    watches: [`${mirror(URLS.odoo)} 11.0`, `${mirror(URLS.web)} 11.0`, `${mirror(URLS.serverTools)} 11.0`, `${URLS.buildouts} 11.0`],
  },
  "acme-11.0": {
    schedule: true,
    watches: [
      `${mirror(URLS.web)} 11.0`,
      `${mirror(URLS.serverTools)} 11.0`,
      `${URLS.acmeAddons} 11.0`,
      `${URLS.acmeTools} master`,
      `${URLS.buildouts} 11.0`,
      `${URLS.specs} default`,
    ],
  },
  "acme-11.0-prod": { schedule: true, watches: [] },
  "acme-11.0-release": { schedule: false, watches: [] },
  // repos.yaml: each live merge line on its remote (the pull request too), the pinned server-tools commit not watched
  "acme-docker-11.0": {
    schedule: true,
    watches: [`${mirror(URLS.odoo)} 11.0`, `${mirror(URLS.web)} 11.0`, `${mirror(URLS.web)} refs/pull/7/head`, `${URLS.docker} 11.0`],
  },
  // requirements.txt: the -e checkout's branch and web's branch; the report_xlsx commit is a pin
  "acme-pip-11.0": { schedule: true, watches: [`${URLS.acmeTools} master`, `${mirror(URLS.web)} 11.0`] },
  // from its last good watch file
  "odoo-9.0": { schedule: true, watches: [`${mirror(URLS.odoo)} 9.0`, `${mirror(URLS.web)} 9.0`, `${URLS.buildouts} 9.0`] },
};
if (merged) {
  heading(`State: ${relative(state)}`);
  const parsed = parseState(existsSync(state) ? readFileSync(state) : "");
  if (!parsed.ok) {
    failed.push("state");
    console.log(`    the state file is not valid: ${parsed.problems.map((p) => p.message).join("; ")}`);
  } else {
    const { pollers, builders: got, problems } = parsed.value;
    console.log(`    ${pollers.length} pollers:`);
    for (const poller of pollers) {
      const original = poller.original === poller.url ? "" : `  (for ${poller.original})`;
      console.log(`      ${poller.vcs.padEnd(3)} ${poller.url}  [${poller.branches.join(", ")}]${original}`);
    }
    console.log(`    ${problems.length} problem${problems.length === 1 ? "" : "s"} reported:`);
    for (const problem of problems) {
      // the CLI's format: FILE:LINE: level: message, the file relative to the farm
      const file = problem.file && (path.isAbsolute(problem.file) ? path.relative(work, problem.file) : problem.file);
      const where = file ? `${file}${problem.line ? `:${problem.line}` : ""}: ` : "";
      const builder = problem.builder && !file ? ` (${problem.builder})` : "";
      console.log(`      ${printable(where)}${problem.level}${printable(builder)}: ${printable(problem.message)}`);
    }
    const mismatches = [];
    for (const [builder, want] of Object.entries(expected)) {
      const have = got[builder];
      if (!have) {
        mismatches.push(`${builder}: missing from the state`);
        continue;
      }
      if (have.schedule !== want.schedule) mismatches.push(`${builder}: schedule is ${have.schedule}, the manifest says ${want.schedule}`);
      const watched = have.watches.map((watch) => `${watch.url} ${watch.branch}`);
      const extra = watched.filter((item) => !want.watches.includes(item));
      const lacking = want.watches.filter((item) => !watched.includes(item));
      if (extra.length > 0) mismatches.push(`${builder}: watches ${extra.map((item) => quoteValue(item)).join(", ")} unexpectedly`);
      if (lacking.length > 0) mismatches.push(`${builder}: does not watch ${lacking.map((item) => quoteValue(item)).join(", ")}`);
    }
    if (!problems.some((problem) => problem.builder === "odoo-9.0" && problem.level === "error")) {
      mismatches.push("odoo-9.0: its truncated watch file was not reported");
    }
    if (explained && !/last good/.test(explanations["odoo-9.0"] ?? "")) {
      mismatches.push("odoo-9.0: explain does not say that its last good watches are used");
    }
    if (!existsSync(`${state}.lastgood`)) {
      mismatches.push(`no last good store next to ${relative(state)}`);
    }
    heading("Check against the farm's buildouts and manifest");
    if (mismatches.length === 0) {
      console.log(`    ok: ${Object.keys(expected).length} builders watch exactly what their buildouts and the manifest say`);
    } else {
      failed.push("check");
      for (const mismatch of mismatches) console.log(`    MISMATCH ${mismatch}`);
    }
  }
}

heading(`Done in ${seconds()}`);
if (unavailable.length > 0) {
  console.log(`    not available in this build: ${[...new Set(unavailable)].map((step) => `autowatch ${step}`).join(", ")}`);
}
if (failed.length > 0) console.log(`    failed: ${failed.join(", ")}`);
if (unavailable.length === 0 && failed.length === 0) console.log(`    every step ran; ${introspected} workers introspected, state in ${relative(state)}`);
process.exit(failed.length > 0 ? 1 : unavailable.length > 0 ? 3 : 0);

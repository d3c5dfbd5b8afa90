// The e2e tests' Buildbot farm: a real master of a given Buildbot version, the host's worker,
// and real repositories, all under one temporary directory and on 127.0.0.1.
//
//   describe.each(BUILDBOT_VERSIONS)("... on Buildbot $label", (version) => {
//     const farm = new Farm(version);                       // temp root, isolated env
//     beforeAll(async () => {
//       farm.repos.createGit("dep");
//       await farm.startMaster(masterCfgText, { "e2e.json": "{...}" });
//       await farm.startWorker();
//     });
//     afterAll(() => farm.stop());
//   });
//
// Buildbot 3.7 is the host's (Debian bookworm). Buildbot 4.2 is Debian trixie's, in the chroot
// that scripts/buildbot-chroot.sh builds and caches: its master runs there (the test root is
// bind-mounted at the same path, so every path and file:// URL is the same on both sides) and
// the host's 3.7 worker connects to it on 127.0.0.1.
import { execFile, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BUNDLE, freePort, git, hg, isolatedEnv, query, removeTestRoot, run, stopByPidFile, waitFor } from "./support.js";

const CHROOT_SCRIPT = fileURLToPath(new URL("../../scripts/buildbot-chroot.sh", import.meta.url));
const inCI = process.env.CI === "true" || process.env.CI === "1";
/** Every wait is bounded; the bounds are generous for a loaded CI machine. */
export const WAIT_MS = 60_000;

export interface BuildbotVersion {
  /** "3.7" or "4.2": for test names (`$label` in describe.each). */
  label: string;
  /** The chroot the master runs in; undefined: the host's Buildbot. */
  chroot?: string;
  /** Why this version cannot run here; undefined when it can. */
  missing?: string;
}

function chrootPath(): string | undefined {
  const result = spawnSync(CHROOT_SCRIPT, ["path"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function hostVersion(): BuildbotVersion {
  const present = existsSync("/usr/bin/buildbot") && existsSync("/usr/bin/buildbot-worker");
  return { label: "3.7", missing: present ? undefined : "/usr/bin/buildbot or /usr/bin/buildbot-worker is missing (apt-get install buildbot buildbot-worker)" };
}

function chrootVersion(): BuildbotVersion {
  const chroot = existsSync("/usr/bin/buildbot-worker") ? chrootPath() : undefined;
  return { label: "4.2", chroot, missing: chroot ? undefined : "the Buildbot 4.2 chroot is not built (scripts/buildbot-chroot.sh ensure)" };
}

/** The versions every scenario runs on. In CI a missing one fails (see `requireVersion`), elsewhere it is skipped. */
export const BUILDBOT_VERSIONS: BuildbotVersion[] = [hostVersion(), chrootVersion()];

/** In CI a version that cannot run fails the run; elsewhere it is skipped. */
export const MUST_HAVE_ALL_VERSIONS = inCI;

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Local repositories (bare, under `repos/`) with work clones under `work/`. */
export class Repos {
  readonly dir: string;
  readonly work: string;

  constructor(
    readonly root: string,
    readonly env: NodeJS.ProcessEnv,
  ) {
    this.dir = join(root, "repos");
    this.work = join(root, "work");
    mkdirSync(this.dir, { recursive: true });
    mkdirSync(this.work, { recursive: true });
  }

  /** The file:// URL of a bare git repository made by `createGit`. */
  url(name: string): string {
    return `file://${join(this.dir, `${name}.git`)}`;
  }

  /** The file:// URL of a Mercurial repository made by `createHg`. */
  hgUrl(name: string): string {
    return `file://${join(this.dir, name)}`;
  }

  /** A bare git repository `name.git` with one commit on `main` holding README and `files`. */
  createGit(name: string, files: Record<string, string> = {}): string {
    const clone = join(this.work, name);
    mkdirSync(clone, { recursive: true });
    git(this.dir, this.env, "init", "-q", "--bare", "-b", "main", `${name}.git`);
    git(clone, this.env, "init", "-q", "-b", "main");
    for (const [file, text] of Object.entries({ README: `${name}\n`, ...files })) {
      mkdirSync(join(clone, file, ".."), { recursive: true });
      writeFileSync(join(clone, file), text);
    }
    git(clone, this.env, "add", "-A");
    git(clone, this.env, "commit", "-q", "-m", "initial");
    git(clone, this.env, "push", "-q", join(this.dir, `${name}.git`), "main");
    return git(clone, this.env, "rev-parse", "HEAD");
  }

  /** Commits a change in the work clone of `name` on `branch` and pushes it (to `pushTo`, default its bare repository); returns the commit. */
  commit(name: string, branch = "main", pushTo = join(this.dir, `${name}.git`)): string {
    const clone = join(this.work, name);
    git(clone, this.env, "checkout", "-q", branch);
    writeFileSync(join(clone, "history.txt"), `${Date.now()} ${Math.random()}\n`, { flag: "a" });
    git(clone, this.env, "add", "history.txt");
    git(clone, this.env, "commit", "-q", "-m", `change on ${branch}`);
    git(clone, this.env, "push", "-q", pushTo, branch);
    return git(clone, this.env, "rev-parse", "HEAD");
  }

  /** A Mercurial repository `name` (polled directly, no bare copy) with one commit on `default`. */
  createHg(name: string): string {
    const dir = join(this.dir, name);
    mkdirSync(dir);
    hg(dir, this.env, "init");
    writeFileSync(join(dir, "README"), `${name}\n`);
    hg(dir, this.env, "commit", "-q", "-A", "-m", "initial");
    return hg(dir, this.env, "log", "-r", "tip", "-T", "{node}");
  }

  /** Commits a change in the Mercurial repository `name` (on its current branch); returns the node. */
  commitHg(name: string): string {
    const dir = join(this.dir, name);
    writeFileSync(join(dir, "history.txt"), `${Date.now()} ${Math.random()}\n`, { flag: "a" });
    hg(dir, this.env, "commit", "-q", "-A", "-m", "change");
    return hg(dir, this.env, "log", "-r", "tip", "-T", "{node}");
  }
  /**
   * The e2e farm's repositories: git `odoo`, `dep`, `pinned` (tagged v1) plus `extra`, hg
   * `hgdep`, and the `buildout` repository whose buildout.cfg uses them (odoo and dep live on
   * main, pinned at v1, hgdep on default). Its `bin/buildout` stands for zc.buildout and the
   * recipe: it checks the sources out where the recipe would (`buildoutScript`).
   */
  createFarmRepos(extra: string[] = []): void {
    for (const name of ["odoo", "dep", "pinned", ...extra]) this.createGit(name);
    this.createHg("hgdep");
    git(join(this.work, "pinned"), this.env, "tag", "v1");
    git(join(this.work, "pinned"), this.env, "push", "-q", join(this.dir, "pinned.git"), "v1");
    this.createGit("buildout", {
      "buildout.cfg": [
        "[buildout]",
        "parts = odoo",
        "",
        "[odoo]",
        "recipe = anybox.recipe.odoo:server",
        `version = git ${this.url("odoo")} odoo main`,
        `addons = git ${this.url("dep")} addons-dep main`,
        `         git ${this.url("pinned")} addons-pinned v1`,
        `         hg ${this.hgUrl("hgdep")} addons-hg default`,
        "",
      ].join("\n"),
      "bin/buildout": this.buildoutScript(),
    });
  }

  /** The buildout repository's `bin/buildout`, leaving out the checkouts named in `skip` ("dep"). */
  buildoutScript(skip: string[] = []): string {
    return [
      "#!/bin/sh",
      "set -e",
      "rm -rf parts addons-dep addons-pinned addons-hg",
      "mkdir parts",
      `git clone -q -b main ${this.url("odoo")} parts/odoo`,
      ...(skip.includes("dep") ? [] : [`git clone -q -b main ${this.url("dep")} addons-dep`]),
      `git clone -q ${this.url("pinned")} addons-pinned`,
      "git -C addons-pinned checkout -q v1",
      `hg clone -q -u default ${this.hgUrl("hgdep")} addons-hg`,
      "",
    ].join("\n");
  }
}

/**
 * A master of one Buildbot version, the host's worker, and repositories, under one temporary
 * root. `startMaster` writes the master.cfg text given, installs the helper with the CLI
 * (`autowatch buildbot-helper -o`, as the guide says) and copies the single-file CLI to
 * `master/autowatch/autowatch.mjs`.
 */
export class Farm {
  readonly root: string;
  readonly home: string;
  readonly env: NodeJS.ProcessEnv;
  readonly repos: Repos;
  readonly masterDir: string;
  readonly workerDir: string;
  /** master/autowatch: the state, the watch directory and the CLI the builds download. */
  readonly autowatchDir: string;
  readonly watchDir: string;
  readonly stateFile: string;
  readonly database: string;
  /** The CLI as the builds download it (inside the root, so a chrooted master reads it too). */
  readonly cliPath: string;
  port = 0;

  constructor(readonly version: BuildbotVersion) {
    this.root = mkdtempSync(join(tmpdir(), `autowatch-e2e-${version.label.replace(/\W/g, "")}-`));
    this.home = join(this.root, "home");
    mkdirSync(this.home, { recursive: true });
    this.env = isolatedEnv(this.home);
    this.repos = new Repos(this.root, this.env);
    this.masterDir = join(this.root, "master");
    this.workerDir = join(this.root, "worker");
    this.autowatchDir = join(this.masterDir, "autowatch");
    this.watchDir = join(this.autowatchDir, "watch");
    this.stateFile = join(this.autowatchDir, "state.json");
    this.database = join(this.masterDir, "state.sqlite");
    this.cliPath = join(this.autowatchDir, "autowatch.mjs");
  }

  /** Runs a master-side program (`buildbot`, `python3`, ...) of this version: on the host, or in the chroot. Never throws on a non-zero exit. */
  masterSide(program: string, args: string[], timeout = 120_000): Promise<CommandResult> {
    const [command, argv] = this.version.chroot ? [CHROOT_SCRIPT, ["run", this.root, "--", program, ...args]] : [program, args];
    const env = this.version.chroot ? { ...this.env, AUTOWATCH_CHROOT: this.version.chroot } : this.env;
    return new Promise((resolve) => {
      execFile(command, argv, { env, cwd: this.root, timeout, maxBuffer: 16 << 20, encoding: "utf8" }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        // a timeout or a spawn failure has no exit code: keep its message
        resolve({ code, stdout: String(stdout), stderr: String(stderr) + (error && typeof error.code !== "number" ? `\n${error.message}` : "") });
      });
    });
  }

  /** `buildbot ARGS` on this version; throws with the output when it fails. */
  async buildbot(...args: string[]): Promise<CommandResult> {
    const result = await this.masterSide("buildbot", args);
    if (result.code !== 0)
      throw new Error(`buildbot ${args.join(" ")} (Buildbot ${this.version.label}) exited ${result.code}\n${result.stdout}\n${result.stderr}`);
    return result;
  }

  /** The single-file CLI (`autowatch ARGS`), on the host. */
  cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    return run(process.execPath, [BUNDLE, ...args], { env: this.env, cwd: this.root });
  }

  /**
   * Creates the master, writes `master.cfg` and the extra `files` (relative to the master
   * directory), installs the helper and the CLI, then starts it. The master.cfg reads its
   * PB port from the file `e2e-port` in its directory (on 127.0.0.1).
   */
  async startMaster(masterCfg: string, files: Record<string, string> = {}): Promise<void> {
    if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: build the cli package first (pnpm exec turbo run build --filter @autowatch/cli)`);
    this.port = await freePort();
    await this.buildbot("create-master", "-q", this.masterDir);
    mkdirSync(this.watchDir, { recursive: true });
    copyFileSync(BUNDLE, this.cliPath);
    writeFileSync(join(this.masterDir, "e2e-port"), String(this.port));
    writeFileSync(join(this.masterDir, "master.cfg"), masterCfg);
    for (const [name, text] of Object.entries(files)) this.writeMasterFile(name, text);
    await this.cli("buildbot-helper", "-o", join(this.masterDir, "autowatch_buildbot.py"));
    const started = await this.masterSide("buildbot", ["start", "--start_timeout=90", this.masterDir]);
    if (started.code !== 0)
      throw new Error(`buildbot start (Buildbot ${this.version.label}) exited ${started.code}\n${started.stdout}\n${this.log().slice(-4000)}`);
  }

  writeMasterFile(name: string, text: string): void {
    mkdirSync(join(this.masterDir, name, ".."), { recursive: true });
    writeFileSync(join(this.masterDir, name), text);
  }

  /** Creates and starts the host's worker `w1` (password `pass`) and waits until it is connected. */
  async startWorker(): Promise<void> {
    await run("/usr/bin/buildbot-worker", ["create-worker", "-q", this.workerDir, `127.0.0.1:${this.port}`, "w1", "pass"], { env: this.env, cwd: this.root });
    await run("/usr/bin/buildbot-worker", ["start", this.workerDir], { env: this.env, cwd: this.root });
    await waitFor("the worker to connect", WAIT_MS, async () => ((await this.query("select * from connected_workers")).length > 0 ? true : undefined));
  }

  /** `buildbot reconfig`; throws when it fails. */
  reconfig(): Promise<CommandResult> {
    return this.buildbot("reconfig", "--progress_timeout=90", this.masterDir);
  }

  /** `buildbot checkconfig`, with its exit status (does not throw). */
  checkconfig(): Promise<CommandResult> {
    return this.masterSide("buildbot", ["checkconfig", this.masterDir]);
  }

  /** `autowatch merge` of `manifest` and the watch directory into the state file. */
  merge(manifest: string, ...extra: string[]): Promise<{ stdout: string; stderr: string }> {
    return this.cli("merge", "--manifest", manifest, "--watch-dir", this.watchDir, "-o", this.stateFile, ...extra);
  }

  query<T = unknown[]>(sql: string): Promise<T[]> {
    return query<T>(this.database, sql, this.env);
  }

  /** The master's twistd.log so far (for failure messages and log assertions). */
  log(): string {
    const file = join(this.masterDir, "twistd.log");
    return existsSync(file) ? readFileSync(file, "utf8") : "";
  }

  /** Ids of the build requests of `builder` whose source stamps include `revision`. */
  requestsFor(builder: string, revision: string): Promise<[number][]> {
    return this.query<[number]>(
      `select distinct br.id from buildrequests br join builders b on b.id = br.builderid
         join buildset_sourcestamps bss on bss.buildsetid = br.buildsetid
         join sourcestamps ss on ss.id = bss.sourcestampid
       where b.name = ${sqlText(builder)} and ss.revision = ${sqlText(revision)}`,
    );
  }

  /** Ids of the build requests of `builder`, oldest first. */
  requestsOf(builder: string): Promise<[number][]> {
    return this.query<[number]>(`select br.id from buildrequests br join builders b on b.id = br.builderid where b.name = ${sqlText(builder)} order by br.id`);
  }

  /** The finished builds of `builder`: [build id, results, state string], oldest first. */
  finishedBuilds(builder: string): Promise<[number, number, string][]> {
    return this.query<[number, number, string]>(
      `select b.id, b.results, b.state_string from builds b join builders r on r.id = b.builderid where r.name = ${sqlText(builder)} and b.complete_at is not null order by b.id`,
    );
  }

  /** Change ids recorded for `revision`. */
  changesFor(revision: string): Promise<[number][]> {
    return this.query<[number]>(`select changeid from changes where revision = ${sqlText(revision)}`);
  }

  /** The revisions a change source (by name) saved as last seen. */
  async lastRev(name: string): Promise<Record<string, string>> {
    const rows = await this.query<[string]>(
      `select s.value_json from object_state s join objects o on o.id = s.objectid where o.name = ${sqlText(name)} and s.name = 'lastRev'`,
    );
    return rows[0] ? (JSON.parse(rows[0][0]) as Record<string, string>) : {};
  }

  /** Waits until the change source `name` has polled once (saved a last seen revision). */
  waitForFirstPoll(name: string): Promise<true> {
    return waitFor(`the first poll of ${name}`, WAIT_MS, async () => (Object.keys(await this.lastRev(name)).length > 0 ? true : undefined));
  }

  /** Stops the worker and the master, then removes the root (kept with AUTOWATCH_KEEP_E2E=1). */
  async stop(): Promise<void> {
    await stopByPidFile(join(this.workerDir, "twistd.pid"));
    await stopByPidFile(join(this.masterDir, "twistd.pid"));
    if (!process.env.AUTOWATCH_KEEP_E2E) await removeTestRoot(this.root);
  }
}

/** A SQL string literal. */
export function sqlText(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

const GUIDE = fileURLToPath(new URL("../../docs/operators.md", import.meta.url));

/** The names a Python block assigns at its top level (`name = ...`). */
function assignedNames(python: string): string[] {
  return [...python.matchAll(/^([A-Za-z_]\w*)\s*=/gm)].map((match) => match[1]!).sort();
}

/**
 * The master.cfg of docs/operators.md: its `<!-- master.cfg -->` code blocks in order, after the
 * site part a real master.cfg has anyway (`c`, database, the worker `w1`, the PB port on
 * 127.0.0.1, raw logs so that tests can read them), with the guide's
 * `<!-- master.cfg: placeholders -->` block replaced by `placeholders`, which must assign the
 * same names. `extra` comes last (test-only controls).
 */
export function guideMasterCfg(placeholders: string, extra = ""): string {
  const text = readFileSync(GUIDE, "utf8");
  const blocks = [...text.matchAll(/^<!-- master\.cfg(: placeholders)? -->\n```python\n([\s\S]*?)^```$/gm)];
  const guidePlaceholders = blocks.filter((block) => block[1]).map((block) => block[2]!);
  const code = blocks.filter((block) => !block[1]).map((block) => block[2]!);
  if (guidePlaceholders.length !== 1 || code.length === 0)
    throw new Error(`${GUIDE}: expected one "<!-- master.cfg: placeholders -->" block and at least one "<!-- master.cfg -->" block`);
  const expected = assignedNames(guidePlaceholders[0]!);
  const given = assignedNames(placeholders);
  if (expected.join() !== given.join()) throw new Error(`the guide's placeholders are ${expected.join(", ")}; the test gives ${given.join(", ")}`);
  const site = [
    "# the site part of a master.cfg (not autowatch's): written by the e2e test",
    "import os",
    "from buildbot.plugins import worker",
    "c = BuildmasterConfig = {}",
    'c["buildbotNetUsageData"] = None',
    'c["title"] = "autowatch e2e"',
    'c["db"] = {"db_url": "sqlite:///state.sqlite"}',
    'c["workers"] = [worker.Worker("w1", "pass", max_builds=2)]',
    'c["protocols"] = {"pb": {"port": "tcp:%s:interface=127.0.0.1" % open(os.path.join(basedir, "e2e-port")).read().strip()}}',
    'c["logCompressionMethod"] = "raw"',
    "",
  ].join("\n");
  return [
    site,
    "# placeholders (the guide's, with the test's values)",
    placeholders,
    ...code.map((block, index) => `# docs/operators.md, master.cfg block ${index + 1}\n${block}`),
    extra,
  ].join("\n");
}

import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE, HELPER_DIR, freePort, git, hg, hasBuildbot, isolatedEnv, query, removeTestRoot, run, stopByPidFile, waitFor } from "./support.js";

// A real Buildbot 3.x master and worker on 127.0.0.1, local bare git repositories, the
// single-file CLI downloaded by the build, `autowatch merge` and `buildbot reconfig`.
const inCI = process.env.CI === "true" || process.env.CI === "1";

describe.runIf(!hasBuildbot && inCI)("buildbot end to end (CI)", () => {
  it("needs Buildbot: apt-get install buildbot buildbot-worker", () => {
    expect.fail("/usr/bin/buildbot or /usr/bin/buildbot-worker is missing; CI must install them");
  });
});

// Every wait is bounded; the bounds are generous for a loaded CI machine (a run takes ~2 min).
const WAIT_MS = 60_000;

describe.skipIf(!hasBuildbot)("buildbot end to end", { timeout: 150_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), "autowatch-e2e-"));
  const home = join(root, "home");
  const env = isolatedEnv(home);
  const repos = join(root, "repos");
  const work = join(root, "work");
  const masterDir = join(root, "master");
  const workerDir = join(root, "worker");
  const autowatchDir = join(masterDir, "autowatch");
  const watchDir = join(autowatchDir, "watch");
  const stateFile = join(autowatchDir, "state.json");
  const manifest = join(root, "MANIFEST.cfg");
  const database = join(masterDir, "state.sqlite");
  const url = (name: string) => `file://${join(repos, `${name}.git`)}`;
  const hgUrl = `file://${join(repos, "hgdep")}`;

  /** Commits a file change in the work clone of `name` and pushes `branch`; returns the commit. */
  const commit = (name: string, branch = "main", pushTo = join(repos, `${name}.git`)): string => {
    const clone = join(work, name);
    git(clone, env, "checkout", "-q", branch);
    writeFileSync(join(clone, "history.txt"), `${Date.now()} ${Math.random()}\n`, { flag: "a" });
    git(clone, env, "add", "history.txt");
    git(clone, env, "commit", "-q", "-m", `change on ${branch}`);
    git(clone, env, "push", "-q", pushTo, branch);
    return git(clone, env, "rev-parse", "HEAD");
  };

  const createRepo = (name: string, files: Record<string, string> = {}): void => {
    const clone = join(work, name);
    mkdirSync(clone, { recursive: true });
    git(repos, env, "init", "-q", "--bare", "-b", "main", `${name}.git`);
    git(clone, env, "init", "-q", "-b", "main");
    for (const [file, text] of Object.entries({ "README": `${name}\n`, ...files })) {
      mkdirSync(join(clone, file, ".."), { recursive: true });
      writeFileSync(join(clone, file), text);
    }
    git(clone, env, "add", "-A");
    git(clone, env, "commit", "-q", "-m", "initial");
    git(clone, env, "push", "-q", join(repos, `${name}.git`), "main");
  };

  const buildbot = (...args: string[]) => run("/usr/bin/buildbot", args, { env, cwd: root, timeout: 90_000 });
  const cli = (...args: string[]) => run(process.execPath, [BUNDLE, ...args], { env, cwd: root });
  const merge = () => cli("merge", "--manifest", manifest, "--watch-dir", watchDir, "-o", stateFile);

  /** Build requests of a builder whose source stamp has this revision. */
  const requestsFor = (builder: string, revision: string) =>
    query(
      database,
      `select br.id from buildrequests br join builders b on b.id = br.builderid
         join buildset_sourcestamps bss on bss.buildsetid = br.buildsetid
         join sourcestamps ss on ss.id = bss.sourcestampid
       where b.name = '${builder}' and ss.revision = '${revision}'`,
      env,
    );
  const changesFor = (revision: string) => query(database, `select changeid from changes where revision = '${revision}'`, env);
  /** The revisions a poller (by change source name) saved as last seen. */
  const lastRev = async (name: string): Promise<Record<string, string>> => {
    const rows = await query<[string]>(
      database,
      `select s.value_json from object_state s join objects o on o.id = s.objectid where o.name = '${name}' and s.name = 'lastRev'`,
      env,
    );
    return rows[0] ? (JSON.parse(rows[0][0]) as Record<string, string>) : {};
  };
  const settings = { port: 0, cli: BUNDLE, buildout_url: url("buildout"), control_url: url("control"), control_branches: ["main"] };
  const writeSettings = () => writeFileSync(join(masterDir, "e2e.json"), JSON.stringify(settings));

  beforeAll(async () => {
    if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: build the cli package first (pnpm exec turbo run build --filter @autowatch/cli)`);
    mkdirSync(home, { recursive: true });
    mkdirSync(repos, { recursive: true });
    mkdirSync(work, { recursive: true });
    for (const name of ["odoo", "dep", "pinned", "control"]) createRepo(name);
    mkdirSync(join(repos, "hgdep"));
    hg(join(repos, "hgdep"), env, "init");
    writeFileSync(join(repos, "hgdep", "README"), "hgdep\n");
    hg(join(repos, "hgdep"), env, "commit", "-q", "-A", "-m", "initial");
    git(join(work, "pinned"), env, "tag", "v1");
    git(join(work, "pinned"), env, "push", "-q", join(repos, "pinned.git"), "v1");
    createRepo("buildout", {
      "buildout.cfg": [
        "[buildout]",
        "parts = odoo",
        "",
        "[odoo]",
        "recipe = anybox.recipe.odoo:server",
        `version = git ${url("odoo")} odoo main`,
        `addons = git ${url("dep")} addons-dep main`,
        `         git ${url("pinned")} addons-pinned v1`,
        `         hg ${hgUrl} addons-hg default`,
        "",
      ].join("\n"),
      // stands for zc.buildout and the recipe: checks the sources out where the recipe would
      "bin/buildout": [
        "#!/bin/sh",
        "set -e",
        "rm -rf parts addons-dep addons-pinned addons-hg",
        "mkdir parts",
        `git clone -q -b main ${url("odoo")} parts/odoo`,
        `git clone -q -b main ${url("dep")} addons-dep`,
        `git clone -q ${url("pinned")} addons-pinned`,
        "git -C addons-pinned checkout -q v1",
        `hg clone -q -u default ${hgUrl} addons-hg`,
        "",
      ].join("\n"),
    });
    writeFileSync(manifest, `[app]\nbuildout = git ${url("buildout")} main buildout.cfg\n`);

    settings.port = await freePort();
    await buildbot("create-master", "-q", masterDir);
    copyFileSync(fileURLToPath(new URL("./master.cfg.py", import.meta.url)), join(masterDir, "master.cfg"));
    // installed as the operator guide says, by the single-file CLI
    await cli("buildbot-helper", "-o", join(masterDir, "autowatch_buildbot.py"));
    expect(readFileSync(join(masterDir, "autowatch_buildbot.py"), "utf8")).toBe(readFileSync(join(HELPER_DIR, "autowatch_buildbot.py"), "utf8"));
    writeSettings();
    await run("/usr/bin/buildbot-worker", ["create-worker", "-q", workerDir, `127.0.0.1:${settings.port}`, "w1", "pass"], { env, cwd: root });
    // no state file yet: the helper must let the master start with nothing to poll
    await buildbot("start", "--start_timeout=90", masterDir);
    await run("/usr/bin/buildbot-worker", ["start", workerDir], { env, cwd: root });
    await waitFor("the worker to connect", WAIT_MS, async () => ((await query(database, "select * from connected_workers", env)).length > 0 ? true : undefined));
  });

  afterAll(async () => {
    await stopByPidFile(join(workerDir, "twistd.pid"));
    await stopByPidFile(join(masterDir, "twistd.pid"));
    if (!process.env.AUTOWATCH_KEEP_E2E) await removeTestRoot(root);
  });

  it("started without a state file, logging it", () => {
    expect(readFileSync(join(masterDir, "twistd.log"), "utf8")).toContain("autowatch: no state file at");
  });

  it("a forced build downloads the single-file CLI, introspects and uploads the watch file", async () => {
    await run("/usr/bin/buildbot", ["sendchange", "--master", `127.0.0.1:${settings.port}`, "--auth", "change:changepw", "--who", "test",
      "--repository", "force", "--branch", "main", "--vc", "git", "--revision", "force-1", "--comments", "forced build"], { env, cwd: root });
    const results = await waitFor("the forced build", WAIT_MS, async () => {
      const rows = await query<[number | null]>(database, "select results from builds b join builders r on r.id = b.builderid where r.name = 'app' and complete_at is not null", env);
      return rows[0] ? rows[0][0] : undefined;
    });
    expect(results, readFileSync(join(masterDir, "twistd.log"), "utf8").slice(-3000)).toBe(0);
    const watchFile = JSON.parse(readFileSync(join(watchDir, "app.json"), "utf8")) as { builder: string; watches: { url: string; revspec: string }[]; pinned: { url: string }[] };
    expect(watchFile.builder).toBe("app");
    const watched = watchFile.watches.map((w) => `${w.url}@${w.revspec}`);
    expect(watched).toEqual(expect.arrayContaining([`${url("odoo")}@main`, `${url("dep")}@main`, `${hgUrl}@default`]));
    expect(watched.some((w) => w.startsWith(url("pinned")))).toBe(false);
    expect(watchFile.pinned.map((p) => p.url)).toContain(url("pinned"));
  });

  it("after merge and reconfig, a commit on an auto-watched dependency builds; one on a pinned dependency does not", async () => {
    await merge();
    const state = JSON.parse(readFileSync(stateFile, "utf8")) as { pollers: { url: string; workdir: string }[] };
    expect(state.pollers.map((p) => p.url).sort()).toEqual([url("buildout"), url("dep"), url("odoo"), hgUrl].sort());
    await buildbot("reconfig", "--progress_timeout=90", masterDir);
    for (const poller of state.pollers) {
      await waitFor(`the first poll of ${poller.url}`, WAIT_MS, async () => (Object.keys(await lastRev(`autowatch:${poller.workdir}`)).length > 0 ? true : undefined));
    }
    const pinnedCommit = commit("pinned");
    const depCommit = commit("dep");
    writeFileSync(join(repos, "hgdep", "history.txt"), "one more\n");
    hg(join(repos, "hgdep"), env, "commit", "-q", "-A", "-m", "change on default");
    const hgCommit = hg(join(repos, "hgdep"), env, "log", "-r", "tip", "-T", "{node}");
    await waitFor("a build request for the dependency commit", WAIT_MS, async () => ((await requestsFor("app", depCommit)).length > 0 ? true : undefined));
    await waitFor("a build request for the Mercurial dependency commit", WAIT_MS, async () => ((await requestsFor("app", hgCommit)).length > 0 ? true : undefined));
    // the pinned commit came first: had anything polled it, it would be there by now
    expect(await changesFor(pinnedCommit)).toEqual([]);
    expect(await requestsFor("app", pinnedCommit)).toEqual([]);
  });

  it("a commit pushed just before a reconfig that adds a branch to its poller still builds (buildbot#7527)", async () => {
    const depPoller = (JSON.parse(readFileSync(stateFile, "utf8")) as { pollers: { url: string; workdir: string }[] }).pollers.find((p) => p.url === url("dep"))!;
    // Both repositories go away for the time of the reconfig, so that no poll can see the
    // commits before it: the ordering is certain, not a race against the poll interval.
    for (const name of ["dep", "control"]) {
      renameSync(join(repos, `${name}.git`), join(repos, `${name}.away`));
      // the new branch starts from the head the poller knows: the commit below is main's alone
      git(join(work, name), env, "branch", "-q", "feature", "main");
      git(join(work, name), env, "push", "-q", join(repos, `${name}.away`), "feature");
    }
    const depCommit = commit("dep", "main", join(repos, "dep.away"));
    const controlCommit = commit("control", "main", join(repos, "control.away"));
    writeFileSync(manifest, `[app]\nbuildout = git ${url("buildout")} main buildout.cfg\nwatch = git ${url("dep")} feature\n`);
    await merge();
    const state = JSON.parse(readFileSync(stateFile, "utf8")) as { pollers: { url: string; branches: string[] }[] };
    expect(state.pollers.find((p) => p.url === url("dep"))?.branches).toEqual(["feature", "main"]);
    settings.control_branches = ["feature", "main"];
    writeSettings();
    await buildbot("reconfig", "--progress_timeout=90", masterDir);
    for (const name of ["dep", "control"]) renameSync(join(repos, `${name}.away`), join(repos, `${name}.git`));

    await waitFor("a build request for the commit pushed before the reconfig", WAIT_MS, async () => ((await requestsFor("app", depCommit)).length > 0 ? true : undefined));
    expect(await query(database, `select branch, repository from changes where revision = '${depCommit}'`, env)).toEqual([["main", url("dep")]]);
    expect(await lastRev(`autowatch:${depPoller.workdir}`)).toMatchObject({ main: depCommit });
    // the plain GitPoller lost it: it polled the new head, yet recorded no change
    await waitFor("the control poller to see the new head", WAIT_MS, async () => ((await lastRev("control")).main === controlCommit ? true : undefined));
    expect(await changesFor(controlCommit)).toEqual([]);
  });
});


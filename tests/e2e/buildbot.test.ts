import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILDBOT_VERSIONS, Farm, MUST_HAVE_ALL_VERSIONS, WAIT_MS } from "./farm.js";
import { HELPER_DIR, git, waitFor } from "./support.js";

// A real Buildbot master (3.7 on the host, 4.2 in a trixie chroot) and the host's worker on
// 127.0.0.1, local git and hg repositories, the single-file CLI downloaded by the build,
// `autowatch merge` and `buildbot reconfig`.

for (const version of BUILDBOT_VERSIONS) {
  describe.runIf(version.missing !== undefined && MUST_HAVE_ALL_VERSIONS)(`buildbot ${version.label} (CI)`, () => {
    it("is installed", () => {
      expect.fail(`Buildbot ${version.label} cannot run: ${version.missing}; CI must provide it`);
    });
  });
}

// versions side by side, scenarios in order (see guide.test.ts)
describe.concurrent.each(BUILDBOT_VERSIONS.filter((v) => v.missing === undefined))("buildbot $label end to end", { timeout: 150_000 }, (version) => {
  const farm = new Farm(version);
  const { repos, env } = farm;
  const url = (name: string) => repos.url(name);
  const hgUrl = repos.hgUrl("hgdep");
  const manifest = join(farm.root, "MANIFEST.cfg");
  const settings = { cli: farm.cliPath, buildout_url: url("buildout"), control_url: url("control"), control_branches: ["main"] };
  const writeSettings = () => farm.writeMasterFile("e2e.json", JSON.stringify(settings));
  const merge = () => farm.merge(manifest);

  beforeAll(async () => {
    repos.createFarmRepos(["control"]);
    writeFileSync(manifest, `[app]\nbuildout = git ${url("buildout")} main buildout.cfg\n`);
    // no state file yet: the helper must let the master start with nothing to poll
    await farm.startMaster(readFileSync(new URL("./master.cfg.py", import.meta.url), "utf8"), { "e2e.json": JSON.stringify(settings) });
    // installed as the operator guide says, by the single-file CLI
    expect(readFileSync(join(farm.masterDir, "autowatch_buildbot.py"), "utf8")).toBe(readFileSync(join(HELPER_DIR, "autowatch_buildbot.py"), "utf8"));
    await farm.startWorker();
  });

  afterAll(() => farm.stop());

  describe.sequential("scenarios", () => {
    it("runs the Buildbot version it is named after", async () => {
      const { stdout } = await farm.masterSide("buildbot", ["--version"]);
      expect(stdout).toMatch(new RegExp(`^Buildbot version: ${version.label.replace(".", "\\.")}\\.`, "m"));
    });

    it("started without a state file, logging it", () => {
      expect(farm.log()).toContain("autowatch: no state file at");
    });

    it("a forced build downloads the single-file CLI, introspects and uploads the watch file", async () => {
      await farm.masterSide("buildbot", [
        "sendchange",
        "--master",
        `127.0.0.1:${farm.port}`,
        "--auth",
        "change:changepw",
        "--who",
        "test",
        "--repository",
        "force",
        "--branch",
        "main",
        "--vc",
        "git",
        "--revision",
        "force-1",
        "--comments",
        "forced build",
      ]);
      const results = await waitFor("the forced build", WAIT_MS, async () => (await farm.finishedBuilds("app"))[0]?.[1]);
      expect(results, farm.log().slice(-3000)).toBe(0);
      const watchFile = JSON.parse(readFileSync(join(farm.watchDir, "app.json"), "utf8")) as {
        builder: string;
        watches: { url: string; revspec: string }[];
        pinned: { url: string }[];
      };
      expect(watchFile.builder).toBe("app");
      const watched = watchFile.watches.map((w) => `${w.url}@${w.revspec}`);
      expect(watched).toEqual(expect.arrayContaining([`${url("odoo")}@main`, `${url("dep")}@main`, `${hgUrl}@default`]));
      expect(watched.some((w) => w.startsWith(url("pinned")))).toBe(false);
      expect(watchFile.pinned.map((p) => p.url)).toContain(url("pinned"));
    });

    it("after merge and reconfig, a commit on an auto-watched dependency builds; one on a pinned dependency does not", async () => {
      await merge();
      const state = JSON.parse(readFileSync(farm.stateFile, "utf8")) as { pollers: { url: string; workdir: string }[] };
      expect(state.pollers.map((p) => p.url).sort()).toEqual([url("buildout"), url("dep"), url("odoo"), hgUrl].sort());
      await farm.reconfig();
      for (const poller of state.pollers) await farm.waitForFirstPoll(`autowatch:${poller.workdir}`);
      const pinnedCommit = repos.commit("pinned");
      const depCommit = repos.commit("dep");
      const hgCommit = repos.commitHg("hgdep");
      await waitFor("a build request for the dependency commit", WAIT_MS, async () =>
        (await farm.requestsFor("app", depCommit)).length > 0 ? true : undefined,
      );
      await waitFor("a build request for the Mercurial dependency commit", WAIT_MS, async () =>
        (await farm.requestsFor("app", hgCommit)).length > 0 ? true : undefined,
      );
      // the pinned commit came first: had anything polled it, it would be there by now
      expect(await farm.changesFor(pinnedCommit)).toEqual([]);
      expect(await farm.requestsFor("app", pinnedCommit)).toEqual([]);
    });

    it("a commit pushed just before a reconfig that adds a branch to its poller still builds (buildbot#7527)", async () => {
      const depPoller = (JSON.parse(readFileSync(farm.stateFile, "utf8")) as { pollers: { url: string; workdir: string }[] }).pollers.find(
        (p) => p.url === url("dep"),
      )!;
      // Both repositories go away for the time of the reconfig, so that no poll can see the
      // commits before it: the ordering is certain, not a race against the poll interval.
      for (const name of ["dep", "control"]) {
        renameSync(join(repos.dir, `${name}.git`), join(repos.dir, `${name}.away`));
        // the new branch starts from the head the poller knows: the commit below is main's alone
        git(join(repos.work, name), env, "branch", "-q", "feature", "main");
        git(join(repos.work, name), env, "push", "-q", join(repos.dir, `${name}.away`), "feature");
      }
      const depCommit = repos.commit("dep", "main", join(repos.dir, "dep.away"));
      const controlCommit = repos.commit("control", "main", join(repos.dir, "control.away"));
      writeFileSync(manifest, `[app]\nbuildout = git ${url("buildout")} main buildout.cfg\nwatch = git ${url("dep")} feature\n`);
      await merge();
      const state = JSON.parse(readFileSync(farm.stateFile, "utf8")) as { pollers: { url: string; branches: string[] }[] };
      expect(state.pollers.find((p) => p.url === url("dep"))?.branches).toEqual(["feature", "main"]);
      settings.control_branches = ["feature", "main"];
      writeSettings();
      await farm.reconfig();
      for (const name of ["dep", "control"]) renameSync(join(repos.dir, `${name}.away`), join(repos.dir, `${name}.git`));

      await waitFor("a build request for the commit pushed before the reconfig", WAIT_MS, async () =>
        (await farm.requestsFor("app", depCommit)).length > 0 ? true : undefined,
      );
      expect(await farm.query(`select branch, repository from changes where revision = '${depCommit}'`)).toEqual([["main", url("dep")]]);
      expect(await farm.lastRev(`autowatch:${depPoller.workdir}`)).toMatchObject({ "refs/heads/main": depCommit });
      await waitFor("the control poller to see the new head", WAIT_MS, async () => ((await farm.lastRev("control")).main === controlCommit ? true : undefined));
      // Buildbot before 3.11.3: the plain GitPoller lost it (it polled the new head, yet recorded
      // no change). Buildbot fixed that for git in 3.11.3: the plain poller keeps it on 4.2.
      expect((await farm.changesFor(controlCommit)).length).toBe(version.label === "3.7" ? 0 : 1);
    });
  });
});

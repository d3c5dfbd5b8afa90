import { createHmac } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILDBOT_VERSIONS, Farm, MUST_HAVE_ALL_VERSIONS, WAIT_MS, sqlText } from "./farm.js";
import { pollerSteps, writeWwwStub } from "./pollers-steps.js";
import { freePort, git, hg, waitFor } from "./support.js";

// The autowatch pollers against plain Buildbot pollers (the controls), on a real master of
// each Buildbot version: a newly watched branch does not burst, pull/merge-request refs fire,
// a reconfig loses no commit (git and hg), and a forge webhook builds a push within seconds
// while the pollers poll hourly. Every poller polls hourly: the test forces each poll through
// Buildbot's poller hook, so each scenario knows what a poll saw, with no race against a timer.

const MASTER_CFG = readFileSync(new URL("./pollers.master.cfg.py", import.meta.url), "utf8");
const POLL_INTERVAL_S = 3600;
const SECRET = "webhook-secret";
/** Commits on the new branch that are on no branch watched before (issue #12: "40 commits"). */
const STORM_COMMITS = 40;

interface Control {
  vcs: "git" | "hg";
  url: string;
  name: string;
  branches: string[];
  /** A GitPoller that keeps its last revisions across a reconfig: plain on 3.11.3 and later, with autowatch's reload before. */
  keeps_revisions?: boolean;
}

for (const version of BUILDBOT_VERSIONS) {
  describe.runIf(version.missing !== undefined && MUST_HAVE_ALL_VERSIONS)(`pollers on Buildbot ${version.label} (CI)`, () => {
    it("is installed", () => {
      expect.fail(`Buildbot ${version.label} cannot run: ${version.missing}; CI must provide it`);
    });
  });
}

// versions side by side, scenarios in order (as buildbot.test.ts)
describe.concurrent.each(BUILDBOT_VERSIONS.filter((v) => v.missing === undefined))("pollers on Buildbot $label", { timeout: 180_000 }, (version) => {
  const farm = new Farm(version);
  const { env, repos } = farm;
  const manifest = join(farm.root, "MANIFEST.cfg");
  const forge = "forge.example";
  const settings = { www_port: 0, poll_interval: POLL_INTERVAL_S, secret: SECRET, controls: [] as Control[] };
  const control = (name: string): Control => settings.controls.find((c) => c.name === name)!;
  const watchLines: string[] = [];
  const hookedLines: string[] = [];

  const writeSettings = () => farm.writeMasterFile("e2e.json", JSON.stringify(settings));
  const writeManifest = () =>
    writeFileSync(
      manifest,
      [
        "[app]",
        `buildout = git ${repos.url("buildout")} main buildout.cfg`,
        `watch = ${watchLines.join("\n    ")}`,
        "",
        "[hooked]",
        `buildout = git ${repos.url("buildout")} main buildout.cfg`,
        `watch = ${hookedLines.join("\n    ")}`,
        "",
      ].join("\n"),
    );
  /** The state's pollers by polled URL. */
  const pollers = (): Map<string, { workdir: string; branches: string[] }> => {
    const state = JSON.parse(readFileSync(farm.stateFile, "utf8")) as { pollers: { url: string; workdir: string; branches: string[] }[] };
    return new Map(state.pollers.map((p) => [p.url, p]));
  };
  const autowatchName = (url: string): string => {
    const poller = pollers().get(url);
    if (!poller) throw new Error(`no poller for ${url} in the state`);
    return `autowatch:${poller.workdir}`;
  };
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${settings.www_port}${path}`, { method: "POST", body, headers });
  /** Makes the named change sources poll now (Buildbot's poller hook, without allow-list). */
  const forcePoll = async (...names: string[]): Promise<void> => {
    const response = await post("/change_hook/anypoller", names.map((n) => `poller=${encodeURIComponent(n)}`).join("&"), {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(response.ok, await response.text()).toBe(true);
  };
  const reconfigWith = async (): Promise<void> => {
    writeManifest();
    await farm.merge(manifest);
    writeSettings();
    await farm.reconfig();
  };
  const { changes, requests, waitForRequests, waitForPoll, commits, branchOff } = pollerSteps(farm);

  beforeAll(async () => {
    // the forge's HTTPS and SSH URLs lead to local repositories, for the master's git too
    const forgeDir = join(repos.dir, "forge");
    writeFileSync(
      join(farm.home, ".gitconfig"),
      `[url "file://${forgeDir}/"]\n\tinsteadOf = https://${forge}/\n\tinsteadOf = git@${forge}:\n\tinsteadOf = ssh://git@${forge}/\n`,
    );
    const stub = join(farm.root, "www-stub");
    writeWwwStub(stub);
    env.PYTHONPATH = stub;

    mkdirSync(farm.watchDir, { recursive: true });
    repos.createGit("buildout");
    for (const name of ["storm", "storm-control", "refs", "refs-control", "reconf", "reconf-control", "forge/org/web", "forge/org/api", "forge/org/lib"]) {
      repos.createGit(name);
    }
    for (const name of ["hgreconf", "hgreconf-control"]) {
      repos.createHg(name);
      // a named branch, watched only after the reconfig
      const dir = join(repos.dir, name);
      hg(dir, env, "branch", "-q", "feature");
      repos.commitHg(name);
      hg(dir, env, "update", "-q", "default");
    }
    // pull/merge-request refs, each one commit off main, as forges keep them
    for (const name of ["refs", "refs-control"]) {
      for (const ref of ["pull/7/head", "merge-requests/3/head", "pull/8/head"]) {
        branchOff(name, ref.replace(/\//g, "-"));
        commits(name, ref.replace(/\//g, "-"), 1, `refs/${ref}`);
      }
    }
    for (const name of ["reconf", "reconf-control"]) {
      branchOff(name, "feature");
      commits(name, "feature", 1);
    }

    watchLines.push(
      `git ${repos.url("storm")} main`,
      `git ${repos.url("refs")} main`,
      `git ${repos.url("refs")} pull/7/head`,
      `git ${repos.url("refs")} merge-requests/3/head`,
      `git ${repos.url("refs")} refs/pull/8/head`,
      `git ${repos.url("reconf")} main`,
      `hg ${repos.hgUrl("hgreconf")} default`,
    );
    // three spellings a forge's payload does not use as they are
    hookedLines.push(`git https://${forge}/org/web.git main`, `git git@${forge}:org/api main`, `git ssh://git@${forge}/org/lib.git main`);
    settings.controls.push(
      // Buildbot 3.7's plain GitPoller forgets what it saw at every reconfig (so it loses the new
      // branch instead of bursting, and the main commit of the refs test): these controls are
      // GitPoller as 3.11.3 fixed it
      { vcs: "git", url: repos.url("storm-control"), name: "storm-control", branches: ["main"], keeps_revisions: true },
      { vcs: "git", url: repos.url("refs-control"), name: "refs-control", branches: ["main", "pull/7/head", "merge-requests/3/head"], keeps_revisions: true },
      { vcs: "git", url: repos.url("reconf-control"), name: "reconf-control", branches: ["main"] },
      { vcs: "hg", url: repos.hgUrl("hgreconf-control"), name: "hgreconf-control", branches: ["default"] },
    );
    writeManifest();
    await farm.merge(manifest);
    settings.www_port = await freePort();
    await farm.startMaster(MASTER_CFG, { "e2e.json": JSON.stringify(settings) });
    await farm.startWorker();
    // every poller polls at launch: the start of every scenario
    for (const name of [...[...pollers().values()].map((p) => `autowatch:${p.workdir}`), ...settings.controls.map((c) => c.name)]) {
      await farm.waitForFirstPoll(name);
    }
  });

  afterAll(() => farm.stop());

  describe.sequential("scenarios", () => {
    it(`a branch newly watched on a poller starts at its head: 1 build, not ${STORM_COMMITS} (a plain GitPoller bursts)`, async () => {
      for (const name of ["storm", "storm-control"]) {
        branchOff(name, "feature");
        commits(name, "feature", STORM_COMMITS);
      }
      // `later` is watched before it exists on the remote
      watchLines.push(`git ${repos.url("storm")} feature`, `git ${repos.url("storm")} later`);
      control("storm-control").branches = ["main", "feature"];
      await reconfigWith();
      const storm = autowatchName(repos.url("storm"));
      const head = git(join(repos.work, "storm"), env, "rev-parse", "feature");
      const controlHead = git(join(repos.work, "storm-control"), env, "rev-parse", "feature");
      await forcePoll(storm, "storm-control");
      await waitForPoll(storm, "feature", (last) => last["refs/heads/feature"] === head);
      await waitForPoll("storm-control", "feature", (last) => last.feature === controlHead);

      // the control: every commit of the branch became a change, and a build
      expect((await changes(repos.url("storm-control"), "feature")).length).toBe(STORM_COMMITS);
      const controlBuilds = await waitForRequests("control", repos.url("storm-control"), "feature", STORM_COMMITS);
      expect(controlBuilds).toBe(STORM_COMMITS);
      expect(await changes(repos.url("storm"), "feature")).toEqual([[head]]);
      await waitForRequests("app", repos.url("storm"), "feature", 1);
      // counted once the control's scheduler is done with its 40 changes
      const builds = (await requests("app", repos.url("storm"), "feature")).length;
      expect(builds).toBe(1);

      // then one build per new commit
      const next = commits("storm", "feature", 1);
      await forcePoll(storm);
      await waitForPoll(storm, "the next commit", (last) => last["refs/heads/feature"] === next);
      expect(await changes(repos.url("storm"), "feature")).toEqual([[head], [next]]);
      expect(await waitForRequests("app", repos.url("storm"), "feature", 2)).toBe(2);

      // a watched branch that appears on the remote starts at its head too
      branchOff("storm", "later");
      const later = commits("storm", "later", STORM_COMMITS);
      await forcePoll(storm);
      await waitForPoll(storm, "later", (last) => last["refs/heads/later"] === later);
      expect(await changes(repos.url("storm"), "later")).toEqual([[later]]);
      console.log(
        `Buildbot ${version.label}: new branch with ${STORM_COMMITS} new commits: ${builds} build with autowatch's GitPoller, ${controlBuilds} with Buildbot's`,
      );
    });

    it("pull/N/head, merge-requests/N/head and full refs/... names fire, under the state's names (a plain GitPoller never fires)", async () => {
      const name = autowatchName(repos.url("refs"));
      expect(pollers().get(repos.url("refs"))!.branches).toEqual(["main", "merge-requests/3/head", "pull/7/head", "refs/pull/8/head"].sort());
      const pushed: Record<string, string> = {};
      const controlPushed: Record<string, string> = {};
      for (const ref of ["pull/7/head", "merge-requests/3/head", "pull/8/head"]) {
        pushed[ref] = commits("refs", ref.replace(/\//g, "-"), 1, `refs/${ref}`);
        controlPushed[ref] = commits("refs-control", ref.replace(/\//g, "-"), 1, `refs/${ref}`);
      }
      // a commit on the control's main after its pull refs moved: once polled, the refs were seen too
      const controlMain = commits("refs-control", "main", 1);
      await forcePoll(name, "refs-control");
      await waitForPoll(
        name,
        "the pull refs",
        (last) => last["refs/pull/7/head"] === pushed["pull/7/head"] && last["refs/pull/8/head"] === pushed["pull/8/head"],
      );
      await waitForPoll("refs-control", "main", (last) => last.main === controlMain);

      for (const [ref, stateName] of [
        ["pull/7/head", "pull/7/head"],
        ["merge-requests/3/head", "merge-requests/3/head"],
        ["pull/8/head", "refs/pull/8/head"],
      ] as const) {
        expect(await changes(repos.url("refs"), stateName), ref).toEqual([[pushed[ref]]]);
        expect(await waitForRequests("app", repos.url("refs"), stateName, 1), ref).toBe(1);
      }
      // the plain poller with the same short names saw nothing of them
      expect(await farm.query(`select branch from changes where repository = ${sqlText(repos.url("refs-control"))}`)).toEqual([["main"]]);
      expect(Object.keys(await farm.lastRev("refs-control"))).toEqual(["main"]);
    });

    it("commits pushed before a reconfig that adds a branch become changes, for git and hg (buildbot#7527)", async () => {
      const gitCommit = commits("reconf", "main", 1);
      const gitControlCommit = commits("reconf-control", "main", 1);
      const hgCommit = repos.commitHg("hgreconf");
      const hgControlCommit = repos.commitHg("hgreconf-control");
      watchLines.push(`git ${repos.url("reconf")} feature`, `hg ${repos.hgUrl("hgreconf")} feature`);
      control("reconf-control").branches = ["main", "feature"];
      control("hgreconf-control").branches = ["default", "feature"];
      // nothing polls between the commits and the reconfig (hourly polls): the order is certain
      await reconfigWith();
      const gitName = autowatchName(repos.url("reconf"));
      const hgName = autowatchName(repos.hgUrl("hgreconf"));
      await forcePoll(gitName, hgName, "reconf-control", "hgreconf-control");
      await waitForPoll(gitName, "main", (last) => last["refs/heads/main"] === gitCommit);
      await waitForPoll("reconf-control", "main", (last) => last.main === gitControlCommit);
      await waitForPoll(hgName, "feature", (last) => "feature" in last);
      await waitForPoll("hgreconf-control", "feature", (last) => "feature" in last);

      // soft: a run without the fix shows both losses
      expect.soft(await changes(repos.url("reconf"), "main"), "git").toEqual([[gitCommit]]);
      expect.soft(await changes(repos.hgUrl("hgreconf"), "default"), "hg").toEqual([[hgCommit]]);
      expect(await waitForRequests("app", repos.hgUrl("hgreconf"), "default", 1)).toBe(1);
      // the controls: Buildbot's HgPoller loses the commit on every version; its GitPoller up to 3.11.2
      expect(await changes(repos.hgUrl("hgreconf-control"), "default")).toEqual([]);
      const gitFixed = version.label !== "3.7";
      expect(await changes(repos.url("reconf-control"), "main")).toEqual(gitFixed ? [[gitControlCommit]] : []);
      expect(hgControlCommit).not.toBe(hgCommit);
    });

    describe("webhooks", () => {
      const sign = (body: string) => createHmac("sha256", SECRET).update(body).digest("hex");
      /** The repository fields GitHub's and Gitea's push events both carry. */
      const repositoryFields = (repo: string) => ({
        full_name: `org/${repo}`,
        html_url: `https://${forge}/org/${repo}`,
        clone_url: `https://${forge}/org/${repo}.git`,
        ssh_url: `git@${forge}:org/${repo}.git`,
      });
      const payloads = {
        github: (repo: string, after: string) => ({
          ref: "refs/heads/main",
          after,
          repository: { ...repositoryFields(repo), url: `https://${forge}/org/${repo}` },
        }),
        gitlab: (repo: string, after: string) => ({
          object_kind: "push",
          ref: "refs/heads/main",
          after,
          project: {
            path_with_namespace: `org/${repo}`,
            web_url: `https://${forge}/org/${repo}`,
            git_ssh_url: `git@${forge}:org/${repo}.git`,
            git_http_url: `https://${forge}/org/${repo}.git`,
          },
          repository: {
            name: repo,
            url: `git@${forge}:org/${repo}.git`,
            homepage: `https://${forge}/org/${repo}`,
            git_http_url: `https://${forge}/org/${repo}.git`,
            git_ssh_url: `git@${forge}:org/${repo}.git`,
          },
        }),
        gitea: (repo: string, after: string) => ({ ref: "refs/heads/main", after, repository: repositoryFields(repo) }),
      };
      const headers = {
        github: (body: string) => ({ "x-github-event": "push", "x-hub-signature-256": `sha256=${sign(body)}` }),
        gitlab: (_body: string) => ({ "x-gitlab-event": "Push Hook", "x-gitlab-token": SECRET }),
        gitea: (body: string) => ({ "x-gitea-event": "push", "x-gitea-signature": sign(body) }),
      };
      const startedBuild = (revision: string) =>
        farm.query<[number]>(
          `select b.id from builds b join buildrequests br on br.id = b.buildrequestid join builders r on r.id = br.builderid
             join buildset_sourcestamps bss on bss.buildsetid = br.buildsetid join sourcestamps ss on ss.id = bss.sourcestampid
           where r.name = 'hooked' and ss.revision = ${sqlText(revision)}`,
        );

      for (const [forgeName, repo] of [
        ["github", "web"],
        ["gitlab", "api"],
        ["gitea", "lib"],
      ] as const) {
        it(`a ${forgeName} push event builds within seconds while the pollers poll hourly`, async () => {
          const commit = commits(`forge/org/${repo}`, "main", 1);
          // the control: without the event nothing polls, so nothing builds
          await new Promise((resolve) => setTimeout(resolve, 3000));
          expect(await farm.changesFor(commit)).toEqual([]);

          // GitHub's default encoding is a form with the JSON in its "payload" field
          const json = JSON.stringify(payloads[forgeName](repo, commit));
          const [body, contentType] =
            forgeName === "github" ? [`payload=${encodeURIComponent(json)}`, "application/x-www-form-urlencoded"] : [json, "application/json"];
          // unsigned: refused, nothing polled
          const unsigned = await post("/change_hook/autowatch", body, { "content-type": contentType });
          expect(unsigned.status).toBe(400);
          await new Promise((resolve) => setTimeout(resolve, 1000));
          expect(await farm.changesFor(commit)).toEqual([]);

          const sent = Date.now();
          const response = await post("/change_hook/autowatch", body, { "content-type": contentType, ...headers[forgeName](body) });
          expect(response.ok, await response.text()).toBe(true);
          await waitFor(`a build of ${commit}`, WAIT_MS, async () => ((await startedBuild(commit)).length > 0 ? true : undefined), 50);
          const latencyMs = Date.now() - sent;
          console.log(`Buildbot ${version.label}: ${forgeName} push to build start ${latencyMs} ms (poll interval ${POLL_INTERVAL_S} s)`);
          expect(latencyMs).toBeLessThan(WAIT_MS);
        });
      }

      it("a reconfig that adds a poller reaches it through both hooks (Buildbot's own poller hook keeps the allow-list of its first request)", async () => {
        const webName = autowatchName(`https://${forge}/org/web.git`);
        // both hooks' handlers exist from before the reconfig (Buildbot makes one at a hook's first request)
        expect((await post(`/change_hook/staticpoller?poller=${encodeURIComponent(webName)}`, "")).ok).toBe(true);
        expect((await post(`/change_hook/poller?poller=${encodeURIComponent(webName)}`, "")).ok).toBe(true);
        const before = JSON.stringify(payloads.gitea("web", "0".repeat(40)));
        expect((await post("/change_hook/autowatch", before, { "content-type": "application/json", ...headers.gitea(before) })).ok).toBe(true);
        repos.createGit("forge/org/new");
        hookedLines.push(`git https://${forge}/org/new main`);
        await reconfigWith();
        const newName = autowatchName(`https://${forge}/org/new`);
        await farm.waitForFirstPoll(newName);

        const commit = commits("forge/org/new", "main", 1);
        const json = JSON.stringify(payloads.gitea("new", commit));
        expect((await post("/change_hook/autowatch", json, { "content-type": "application/json", ...headers.gitea(json) })).ok).toBe(true);
        await waitFor(`a build of ${commit}`, WAIT_MS, async () => ((await startedBuild(commit)).length > 0 ? true : undefined));
        const allowed = await post(`/change_hook/poller?poller=${encodeURIComponent(newName)}`, "");
        expect(allowed.ok, await allowed.text()).toBe(true);
        // the control: Buildbot's poller hook, given the same allow-list, still refuses it
        const stale = await post(`/change_hook/staticpoller?poller=${encodeURIComponent(newName)}`, "");
        expect(stale.status).toBe(400);
        expect(await stale.text()).toContain(`Could not find pollers: ${newName}`);
      });

      it("an event for a repository no autowatch poller polls polls nothing", async () => {
        const body = JSON.stringify(payloads.github("elsewhere", "0".repeat(40)));
        const response = await post("/change_hook/autowatch", body, { "content-type": "application/json", ...headers.github(body) });
        expect(response.ok).toBe(true);
        await waitFor("the hook's log line", WAIT_MS, async () => (farm.log().includes(`webhook for "https://${forge}/org/elsewhere.git"`) ? true : undefined));
        expect(farm.log()).toMatch(/webhook for "https:\/\/forge\.example\/org\/elsewhere\.git".*: polling nothing/);
      });

      it("Buildbot's poller hook is allowed for the autowatch pollers only", async () => {
        const allowed = await post(`/change_hook/poller?poller=${encodeURIComponent(autowatchName(`https://${forge}/org/web.git`))}`, "");
        expect(allowed.ok, await allowed.text()).toBe(true);
        const refused = await post("/change_hook/poller?poller=storm-control", "");
        expect(refused.status).toBe(400);
        expect(await refused.text()).toContain("Could not find pollers: storm-control");
      });
    });
  });
});

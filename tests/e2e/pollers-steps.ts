// Steps the poller scenarios take on a farm: commits pushed to its repositories, and what its
// master's database says about changes, build requests and polls.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Farm, WAIT_MS, sqlText } from "./farm.js";
import { git, waitFor } from "./support.js";

/**
 * A package that stands in for buildbot-www (the web UI, which Debian does not package): the
 * www service needs a "base" www plugin to serve anything, change hooks included.
 */
export function writeWwwStub(dir: string): void {
  const pkg = join(dir, "autowatch_www_stub");
  mkdirSync(join(pkg, "static"), { recursive: true });
  writeFileSync(join(pkg, "__init__.py"), 'from buildbot.www.plugin import Application\n\nep = Application(__name__, "no UI, change hooks only")\n');
  writeFileSync(join(pkg, "VERSION"), "0\n");
  writeFileSync(join(pkg, "static", "index.html"), "<!doctype html><title>no UI</title>\n");
  const info = join(dir, "autowatch_www_stub-0.dist-info");
  mkdirSync(info, { recursive: true });
  writeFileSync(join(info, "METADATA"), "Metadata-Version: 2.1\nName: autowatch-www-stub\nVersion: 0\n");
  writeFileSync(join(info, "entry_points.txt"), "[buildbot.www]\nbase = autowatch_www_stub:ep\n");
}

export function pollerSteps(farm: Farm) {
  const { env, repos } = farm;
  const changes = (repository: string, branch: string) =>
    farm.query<[string]>(`select revision from changes where repository = ${sqlText(repository)} and branch = ${sqlText(branch)} order by changeid`);
  /** Build requests of `builder` for changes of (repository, branch). */
  const requests = (builder: string, repository: string, branch: string) =>
    farm.query<[number]>(
      `select distinct br.id from buildrequests br join builders b on b.id = br.builderid
         join buildset_sourcestamps bss on bss.buildsetid = br.buildsetid
         join sourcestamps ss on ss.id = bss.sourcestampid
       where b.name = ${sqlText(builder)} and ss.repository = ${sqlText(repository)} and ss.branch = ${sqlText(branch)}`,
    );
  /** Waits until `builder` has `count` build requests for (repository, branch): schedulers make them after the changes. */
  const waitForRequests = async (builder: string, repository: string, branch: string, count: number): Promise<number> => {
    let seen = 0;
    try {
      await waitFor(
        `${count} build requests of ${builder} for ${branch}`,
        WAIT_MS,
        async () => ((seen = (await requests(builder, repository, branch)).length) >= count ? true : undefined),
        150,
      );
    } catch {
      // reported by the caller's expectation, with the count seen
    }
    return seen;
  };
  /** Waits until the change source's saved last revisions satisfy `done` (a poll finished). */
  const waitForPoll = (name: string, what: string, done: (lastRev: Record<string, string>) => boolean) =>
    waitFor(`${name} to poll ${what}`, WAIT_MS, async () => (done(await farm.lastRev(name)) ? true : undefined), 150);
  /** Commits `count` changes on `branch` of the work clone of git repository `name` and pushes them to `ref`. */
  const commits = (name: string, branch: string, count: number, ref = `refs/heads/${branch}`): string => {
    const clone = join(repos.work, name);
    git(clone, env, "checkout", "-q", branch);
    for (let i = 0; i < count; i++) {
      writeFileSync(join(clone, `${branch.replace(/\W/g, "-")}.txt`), `${i} ${Math.random()}\n`, { flag: "a" });
      git(clone, env, "add", "-A");
      git(clone, env, "commit", "-q", "-m", `${branch} ${i}`);
    }
    git(clone, env, "push", "-q", "-f", join(repos.dir, `${name}.git`), `HEAD:${ref}`);
    return git(clone, env, "rev-parse", "HEAD");
  };
  const branchOff = (name: string, branch: string, from = "main") => git(join(repos.work, name), env, "branch", "-q", "-f", branch, from);
  return { changes, requests, waitForRequests, waitForPoll, commits, branchOff };
}

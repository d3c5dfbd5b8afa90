// 200 real git checkouts for the classification benchmark, cloned from one origin with 20 branches
// and 30 tags, each left on a branch, on a tag or on a commit, and the revspec its buildout names:
// a local branch, a remote-only branch, a tag or a commit. Cached between runs.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cachedDir } from "./cache.mjs";

export const REPOS_VERSION = 1;
const BRANCHES = ["10.0", "11.0", "12.0", "13.0", "14.0", "15.0", "16.0", "17.0", "master", ...Array.from({ length: 11 }, (_, i) => `feature-${i}`)];
const TAGS = Array.from({ length: 30 }, (_, i) => `v${Math.floor(i / 10)}.${i % 10}.0`);

export function gitEnv(home) {
  return { ...process.env, LANG: "C", LC_ALL: "C", GIT_CONFIG_NOSYSTEM: "1", HOME: home, GIT_TERMINAL_PROMPT: "0" };
}

function makeGit(env) {
  return (cwd, ...args) =>
    execFileSync("git", ["-c", "user.name=Bench", "-c", "user.email=bench@example.invalid", "-c", "init.defaultBranch=master", ...args], {
      cwd,
      env,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    }).trim();
}

/** Generates (or reuses) `count` checkouts; returns them with the source each one stands for. */
export async function checkouts(count) {
  const { dir, reused } = await cachedDir(`repos-v${REPOS_VERSION}-${count}`, (target) => {
    const home = join(target, "home");
    mkdirSync(home);
    const git = makeGit(gitEnv(home));
    const origin = join(target, "origin");
    mkdirSync(origin);
    git(origin, "init", "-q");
    const commits = [];
    for (let i = 0; i < 12; i += 1) {
      writeFileSync(join(origin, "README.md"), `revision ${i}\n`);
      git(origin, "add", "README.md");
      git(origin, "commit", "-q", "-m", `revision ${i}`);
      commits.push(git(origin, "rev-parse", "HEAD"));
    }
    BRANCHES.filter((name) => name !== "master").forEach((name, i) => git(origin, "branch", name, commits[i % commits.length]));
    TAGS.forEach((name, i) => git(origin, "tag", name, commits[i % commits.length]));
    const sources = [];
    for (let i = 0; i < count; i += 1) {
      const path = join(target, "checkouts", `addons-${i}`);
      const kind = ["branch", "tag", "commit", "remote-branch"][i % 4];
      const branch = BRANCHES[i % 9];
      if (kind === "branch") {
        git(target, "clone", "-q", "-b", branch, origin, path);
        sources.push({ kind, revspec: branch, expected: "live" });
      } else if (kind === "tag") {
        const tag = TAGS[i % TAGS.length];
        git(target, "clone", "-q", "-b", tag, origin, path);
        sources.push({ kind, revspec: tag, expected: "pinned" });
      } else if (kind === "commit") {
        git(target, "clone", "-q", "--no-checkout", origin, path);
        const commit = commits[i % commits.length];
        git(path, "checkout", "-q", "--detach", commit);
        sources.push({ kind, revspec: i % 8 === 2 ? commit : commit.slice(0, 12), expected: "pinned" });
      } else {
        git(target, "clone", "-q", origin, path);
        sources.push({ kind, revspec: BRANCHES[9 + (i % 11)], expected: "live" });
      }
      Object.assign(sources[sources.length - 1], { vcs: "git", url: `https://github.com/acme/addons-${i}.git`, path });
    }
    writeFileSync(join(target, "sources.json"), JSON.stringify(sources, null, 1));
  });
  return { dir, reused, home: join(dir, "home"), sources: JSON.parse(readFileSync(join(dir, "sources.json"), "utf8")) };
}

import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { introspectFiles } from "../../../src/introspect.js";
import { parseRequirementsText } from "../../../src/formats/pip/parse.js";
import { parsePipVcsUrl } from "../../../src/formats/pip/url.js";
import { canonicalName } from "../../../src/formats/pip/index.js";
import { commitFile, git, gitInit, tempDir, vcsEnv } from "../../support.js";

const one = (text: string) => {
  const parsed = parseRequirementsText(text, { REF: "16.0" });
  return { requirement: parsed.requirements[0], problems: parsed.problems, includes: parsed.includes };
};

describe("pip grammar forms (string rules)", () => {
  it("reads -e VCS+URL@REF#egg=NAME", () => {
    expect(one("-e git+https://github.com/OCA/web.git@16.0#egg=web_x\n").requirement).toMatchObject({
      line: 1,
      editable: true,
      name: "web_x",
      vcs: { vcs: "git", url: "https://github.com/OCA/web.git", revision: "16.0" },
    });
  });
  it("reads NAME @ VCS+URL@REF#subdirectory=... with markers", () => {
    const { requirement } = one('odoo14-addon-x @ git+https://github.com/OCA/repo@refs/pull/151/head#subdirectory=setup/x ; python_version >= "3.6"\n');
    expect(requirement).toMatchObject({
      editable: false,
      name: "odoo14-addon-x",
      marker: 'python_version >= "3.6"',
      vcs: { vcs: "git", url: "https://github.com/OCA/repo", revision: "refs/pull/151/head", subdirectory: "setup/x" },
    });
  });
  it("reads hg+, svn+ and bzr+ URLs as pip's backends split them", () => {
    expect(parsePipVcsUrl("hg+https://hg.example.org/r@stable#egg=r")).toEqual({ vcs: "hg", url: "https://hg.example.org/r", revision: "stable" });
    expect(parsePipVcsUrl("svn+https://u:p@svn.example.org/r/trunk@12#egg=r")).toEqual({ vcs: "svn", url: "https://svn.example.org/r/trunk", revision: "12" });
    expect(parsePipVcsUrl("svn+ssh://u@svn.example.org/r/trunk#egg=r")).toEqual({
      vcs: "svn",
      url: "svn+ssh://u@svn.example.org/r/trunk",
      revision: undefined,
    });
    expect(parsePipVcsUrl("bzr+ssh://bzr.example.org/r@42#egg=r")).toEqual({ vcs: "bzr", url: "bzr+ssh://bzr.example.org/r", revision: "42" });
    expect(parsePipVcsUrl("bzr+lp:zope.interface#egg=z")).toEqual({ vcs: "bzr", url: "lp:zope.interface", revision: undefined });
    expect(parsePipVcsUrl("git+file:///srv/git/x.git@main")).toEqual({ vcs: "git", url: "file:///srv/git/x.git", revision: "main" });
    expect(parsePipVcsUrl("https://example.org/x.tar.gz")).toBeUndefined();
    expect(parsePipVcsUrl("git+https://example.org/x.git@#egg=x")).toMatchObject({ error: expect.stringContaining("empty revision") });
  });
  it("joins continuation lines onto the first line's number, strips comments, expands ${VAR}", () => {
    const parsed = parseRequirementsText("# head\n\n-e git+https://h/a.git\\\n@${REF}#egg=a  # trailing\nb @ git+https://h/b.git@${NOPE}\n", { REF: "16.0" });
    expect(parsed.requirements.map((r) => [r.line, r.vcs?.revision])).toEqual([
      [3, "16.0"],
      [5, "${NOPE}"],
    ]);
  });
  it("reads -r/-c includes and ignores --hash and other options", () => {
    const parsed = parseRequirementsText("-r base.txt\n--constraint=pins.txt\nx==1 --hash=sha256:00\n--index-url https://i/simple\n");
    expect(parsed.includes).toEqual([
      { line: 1, kind: "requirement", path: "base.txt" },
      { line: 2, kind: "constraint", path: "pins.txt" },
    ]);
    expect(parsed.requirements.map((r) => [r.name, r.vcs])).toEqual([["x", undefined]]);
    expect(parsed.problems).toEqual([]);
  });
  it("reports what pip refuses, with its line", () => {
    expect(one("-e git+https://h/a.git@main\n").problems).toEqual([
      { line: 1, level: "error", code: "introspect.pip.invalid", message: expect.stringContaining("#egg=") },
    ]);
    expect(one("--bogus x\n").problems).toEqual([
      { line: 1, level: "error", code: "introspect.pip.invalid", message: expect.stringContaining("no such option: --bogus") },
    ]);
  });
  it("names the src/ checkout as pip does (canonical name)", () => {
    expect(canonicalName("Odoo_Addon.Web[test]")).toBe("odoo-addon-web");
  });
});

describe("secrets in requirement URLs", () => {
  it("are not written into the watch file: a password goes, a user part from a variable goes whole", async () => {
    const dir = tempDir();
    try {
      writeFileSync(
        path.join(dir.path, "requirements.txt"),
        "a @ git+https://ci:pa55@git.example/a.git@main\nb @ git+https://${TOKEN}@git.example/b.git@main\nc @ git+ssh://git@git.example/c.git@main\n",
      );
      const result = await introspectFiles({ files: [{ format: "pip", file: "requirements.txt" }], cwd: dir.path, env: { ...vcsEnv, TOKEN: "ghp_x" } });
      if (!result.ok) throw new Error(result.error.message);
      expect(result.watchFile.watches.map((w) => w.url)).toEqual(["https://ci@git.example/a.git", "https://git.example/b.git", "ssh://git@git.example/c.git"]);
      expect(JSON.stringify(result.watchFile)).not.toMatch(/pa55|ghp_x/);
      expect(result.problems.filter((p) => p.code === "introspect.url.credentials").map((p) => p.line)).toEqual([1, 2]);
    } finally {
      dir.remove();
    }
  });
});

describe("pip liveness without a checkout: the string rules", () => {
  // every verdict from the string rules alone is reported as not verified (as for buildouts)
  const cases: [string, "watch" | "pin", string, boolean][] = [
    ["a @ git+https://h/a.git@16.0", "watch", "16.0", true],
    ["b @ git+https://h/b.git@refs/pull/151/head", "watch", "refs/pull/151/head", true],
    ["c @ git+https://h/c.git@refs/heads/main", "watch", "main", true],
    ["d @ git+https://h/d.git@refs/tags/v1.0", "pin", "v1.0", true],
    ["e @ git+https://h/e.git@0123abc", "pin", "0123abc", true],
    ["f @ git+https://h/f.git@0123456789abcdef0123456789abcdef01234567", "pin", "0123456789abcdef0123456789abcdef01234567", true],
    ["g @ git+https://h/g.git", "watch", "HEAD", true],
    ["h @ hg+https://h/h@default", "watch", "default", true],
    ["i @ svn+https://h/i/trunk@123", "pin", "123", true],
  ];
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => dir.remove());
  it.each(cases)("%s → %s %s", async (line, kind, revspec, warned) => {
    writeFileSync(path.join(dir.path, "requirements.txt"), `${line}\n`);
    const result = await introspectFiles({ files: [{ format: "pip", file: "requirements.txt" }], cwd: dir.path, env: vcsEnv });
    if (!result.ok) throw new Error(result.error.message);
    const list = kind === "watch" ? result.watchFile.watches : result.watchFile.pinned;
    expect(list.map((entry) => entry.revspec)).toEqual([revspec]);
    expect(list[0]?.origin).toMatchObject({ file: "requirements.txt", line: 1, format: "pip" });
    expect(result.watchFile.buildout).toBeUndefined();
    const expectedCodes = new Set(["introspect.revision.unverified", "introspect.revision.missing"]);
    const warnings = result.problems.filter((problem) => problem.level === "warning" && expectedCodes.has(problem.code ?? ""));
    expect(warnings.length > 0).toBe(warned);
  });
});

/** pip's own VCS backend checks the -e requirement out, as `pip install -e` does (no network). */
function pipObtain(dest: string, url: string): void {
  const script =
    "import sys\nfrom pip._internal.vcs import vcs\nfrom pip._internal.utils.misc import hide_url\nvcs.get_backend(sys.argv[1]).obtain(sys.argv[2], url=hide_url(sys.argv[3]), verbosity=0)\n";
  const run = spawnSync("/usr/bin/python3", ["-c", script, "git", dest, url], { env: vcsEnv, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`pip obtain failed: ${run.stderr}`);
}

describe("pip -e checkouts made by pip itself", () => {
  let dir: ReturnType<typeof tempDir>;
  let upstream: string;
  let sha: string;
  beforeAll(() => {
    dir = tempDir();
    upstream = gitInit(path.join(dir.path, "upstream"));
    git(upstream, "branch", "stable");
    git(upstream, "tag", "release-1"); // looks like a branch to the string rules
    sha = commitFile(upstream, "CHANGES", "two\n");
    git(upstream, "update-ref", "refs/pull/7/head", sha);
    const build = path.join(dir.path, "build");
    mkdirSync(path.join(build, "src"), { recursive: true });
    const url = `git+file://${upstream}`;
    pipObtain(path.join(build, "src", "alpha"), `${url}@stable`);
    pipObtain(path.join(build, "src", "beta"), `${url}@release-1`);
    pipObtain(path.join(build, "src", "gamma"), `${url}@refs/pull/7/head`);
    pipObtain(path.join(build, "src", "delta"), url);
    writeFileSync(
      path.join(build, "requirements.txt"),
      [`-e ${url}@stable#egg=alpha`, `-e ${url}@release-1#egg=Beta`, `-e ${url}@refs/pull/7/head#egg=gamma`, `-e ${url}#egg=delta`, ""].join("\n"),
    );
  }, 60_000);
  afterAll(() => dir.remove());

  it("asks the checkout: a branch is live, a tag pinned even when it looks like a branch, a pull head live, no ref the checkout's branch", async () => {
    const result = await introspectFiles({ files: [{ format: "pip", file: "requirements.txt" }], cwd: path.join(dir.path, "build"), env: vcsEnv });
    if (!result.ok) throw new Error(result.error.message);
    const url = `file://${upstream}`;
    expect(result.watchFile.watches.map((w) => [w.url, w.revspec, w.origin?.line])).toEqual([
      [url, "main", 4],
      [url, "refs/pull/7/head", 3],
      [url, "stable", 1],
    ]);
    expect(result.watchFile.pinned.map((p) => [p.url, p.revspec, p.why, p.origin?.line])).toEqual([[url, "release-1", "tag", 2]]);
    // the pull head is fetched by pip into FETCH_HEAD only: the checkout cannot confirm it
    expect(result.problems.map((problem) => [problem.line, problem.code])).toEqual([
      [3, "introspect.revision.unverified"],
      [4, "introspect.revision.missing"],
    ]);
  });
});

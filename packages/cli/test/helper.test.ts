import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { safeBuilderFileName } from "@autowatch/watchfile/text";
import { helperSnippets, NAMES, STATE } from "./helper-snippets.js";
import { runCli } from "./support.js";

// the one file operators install, built from assets/autowatch_buildbot/ (build @autowatch/cli first)
const BUILT = fileURLToPath(new URL("../dist", import.meta.url));
const HELPER = join(BUILT, "autowatch_buildbot.py");
const hasBuildbot = existsSync("/usr/bin/buildbot") && existsSync("/usr/lib/python3/dist-packages/buildbot");
const inCI = process.env.CI === "true" || process.env.CI === "1";
const root = mkdtempSync(join(tmpdir(), "autowatch-helper-"));

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs Python with the helper importable; the script prints one JSON value. */
function python(script: string, input: string): unknown {
  const out = execFileSync("/usr/bin/python3", ["-c", `import json, sys\nimport autowatch_buildbot as aw\n${script}`], {
    input,
    env: { PATH: process.env.PATH, PYTHONPATH: BUILT, PYTHONDONTWRITEBYTECODE: "1", LANG: "C" },
    encoding: "utf8",
    cwd: root,
  });
  return JSON.parse(out);
}

describe("autowatch buildbot-helper", () => {
  it("prints the shipped module", async () => {
    const run = await runCli(["buildbot-helper"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(readFileSync(HELPER, "utf8"));
  });

  it("parses as Python 3.9 (the oldest Python Buildbot 3.x masters run on)", () => {
    const script = "import ast, sys\nast.parse(open(sys.argv[1]).read(), feature_version=(3, 9))\nprint('ok')";
    expect(execFileSync("/usr/bin/python3", ["-c", script, HELPER], { encoding: "utf8" })).toBe("ok\n");
  });

  it("-o writes it to a file", async () => {
    const run = await runCli(["buildbot-helper", "-o", "autowatch_buildbot.py"], { cwd: root });
    expect(run.code).toBe(0);
    expect(readFileSync(join(root, "autowatch_buildbot.py"), "utf8")).toBe(readFileSync(HELPER, "utf8"));
  });

  it("-o into a missing directory is a one-line error", async () => {
    const run = await runCli(["buildbot-helper", "-o", join(root, "no", "such", "dir", "x.py")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^autowatch: \S+: cannot write: .*\n$/);
  });
});

describe.runIf(!hasBuildbot && inCI)("the master.cfg helper (CI)", () => {
  it("needs Buildbot", () => expect.fail("Buildbot 3.x is missing (apt-get install buildbot)"));
});

describe.skipIf(!hasBuildbot)("the master.cfg helper against Buildbot", () => {
  const stateFile = join(root, "state.json");
  writeFileSync(stateFile, JSON.stringify(STATE));

  // One Python process runs every check (importing Buildbot is the slow part); each test reads its own result.
  const snippets = helperSnippets(stateFile);
  const spellings =
    snippets.push(`
# one pull request ref in two spellings (a buildout merge line, a pip URL) for two builders of one poller
u = "https://example.com/w.git"
state = {"builders": {n: {"schedule": True, "watches": [{"vcs": "git", "url": u, "branch": b, "from": ["auto"]}]}
                      for n, b in (("merge-line", "pull/7/head"), ("pip", "refs/pull/7/head"), ("branch", "main"))}}
from types import SimpleNamespace as C
refs = aw.WatchedRefs(["pull/7/head", "refs/pull/7/head", "main"])
reported = [refs.name_of("refs/pull/7/head"), refs.name_of("refs/heads/main")]
print(json.dumps([[aw.change_filter(state, n).filter_change(C(repository=u, branch=b)) for b in reported]
                  for n in ("merge-line", "pip", "branch")]))`) - 1;
  let outputs: unknown[] = [];
  const checks = snippets.map((_, index) => () => outputs[index]);
  beforeAll(() => {
    writeFileSync(join(root, "truncated.json"), '{"schema": "autowatch.state/1", "pollers": [');
    writeFileSync(join(root, "foreign.json"), '{"schema": "something/9", "pollers": []}');
    const hostile = {
      ...STATE,
      pollers: [{ vcs: "git", url: "--upload-pack=touch /tmp/pwned", original: "x", branches: ["main"], workdir: "gitpoller-ffff" }],
    };
    writeFileSync(join(root, "hostile.json"), JSON.stringify(hostile));
    writeFileSync(join(root, "twins.json"), JSON.stringify({ ...STATE, pollers: [STATE.pollers[0], { ...STATE.pollers[2], workdir: "gitpoller-aaaa" }] }));
    writeFileSync(join(root, "badtimer.json"), JSON.stringify({ ...STATE, builders: { app: { ...STATE.builders.app, treeStableTimer: -1 } } }));
    outputs = python(
      `
import contextlib, io
outputs = []
for snippet in json.loads(sys.stdin.read()):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(snippet, {"aw": aw, "json": json, "sys": sys})
    outputs.append(json.loads(buffer.getvalue()))
print(json.dumps(outputs))`,
      JSON.stringify(snippets),
    ) as unknown[];
  });

  it("a missing state gives nothing to poll; an unreadable, truncated, foreign or invalid one is a Buildbot config error naming file and reason", () => {
    const result = checks[0]!() as unknown[];
    expect(result[0]).toEqual([0, true]);
    const errors = result.slice(1) as string[][];
    expect(errors.map((e) => e.length)).toEqual([1, 1, 1, 1, 1, 1]);
    const [truncated, foreign, directory, hostile, twins, badTimer] = errors.map((e) => e[0]!);
    expect(truncated).toMatch(
      /^autowatch: the state file truncated\.json is not valid JSON \(.*; 44 bytes: truncated\?\)\. Fix it or run `autowatch merge` again; Buildbot keeps its running configuration until then\.$/,
    );
    expect(foreign).toContain("the state file foreign.json is not a valid autowatch state: schema is \"something/9\", not 'autowatch.state/1'");
    expect(directory).toContain("the state file . cannot be read (Is a directory)");
    expect(hostile).toContain("poller 1 is malformed");
    // change sources are named after work directories: a duplicate would give two sources one name
    expect(twins).toContain('pollers 1 and 2 share the work directory "gitpoller-aaaa"');
    expect(badTimer).toContain('builder "app" has a bad treeStableTimer: "-1"');
  });

  it("one change source per poller, each with a unique name and the state's work directory; bzr skipped", () => {
    const result = checks[1]!();
    expect(result).toEqual([
      ["AutowatchGitPoller", "autowatch:gitpoller-aaaa", "https://example.com/a.git", ["17.0", "main"], "gitpoller-aaaa"],
      ["AutowatchHgPoller", "autowatch:hgpoller-bbbb", "https://example.com/a.git", ["default"], "hgpoller-bbbb"],
      ["AutowatchGitPoller", "autowatch:gitpoller-cccc", "https://example.com/b.git", ["dev"], "gitpoller-cccc"],
      ["SVNPoller", "autowatch:svnpoller-dddd", "svn://example.com/repo/trunk", null, null],
    ]);
  });

  it("a change filter accepts exactly the watched (repository, branch) pairs", () => {
    const result = checks[2]!();
    expect(result).toEqual([true, false, true, false, false, true, true, false]);
  });

  it("a pull request ref named pull/N/head by one builder and refs/pull/N/head by another fires both", () => {
    // each row: a builder's filter given the change of the pull ref, then of main
    expect(checks[spellings]!()).toEqual([
      [true, false],
      [true, false],
      [false, true],
    ]);
  });

  it("change filters compare by content, so an unchanged builder keeps its scheduler at reconfig", () => {
    const result = checks[3]!();
    expect(result).toEqual([true, false, true, true, false, true, true, true]);
  });

  it("names watch files like @autowatch/watchfile does", () => {
    const result = checks[4]!();
    expect(result).toEqual(NAMES.map(safeBuilderFileName));
  });

  it("gives the three build steps, uploads under the safe name with a per-factory master lock, none for frozen buildouts", () => {
    const result = checks[5]!();
    expect(result).toEqual({
      kinds: ["FileDownload", "ShellCommand", "FileUpload"],
      download: ["autowatch/autowatch.mjs", "autowatch.mjs", "build"],
      command: [
        "node",
        "autowatch.mjs",
        "introspect",
        "-c",
        "buildout.cfg",
        "--builder",
        "odoo 10/x",
        "--list",
        "--problem-exit-code",
        "3",
        "--part",
        "odoo",
        "-o",
        ".autowatch-watch.json",
      ],
      decodeRC: { "0": 0, "3": 1 },
      upload: [".autowatch-watch.json", `autowatch/watch/${safeBuilderFileName("odoo 10/x")}.json`, 1048576],
      locks: [`autowatch-upload-${safeBuilderFileName("odoo 10/x")}`, "autowatch-upload-other"],
      flunk: [false, false, false],
      frozen: [],
      sources: [
        [
          "node",
          "autowatch.mjs",
          "introspect",
          "--source",
          "odoo/custom/src/repos.yaml",
          "--source",
          "pip:deps.list",
          "--builder",
          "d",
          "--list",
          "--problem-exit-code",
          "3",
          "-o",
          ".autowatch-watch.json",
        ],
        ["node", "autowatch.mjs", "introspect", "--builder", "d", "--list", "--problem-exit-code", "3", "-o", ".autowatch-watch.json"],
      ],
    });
  });

  it("git pollers fetch the refs the state's names mean (pull/merge-request refs too) and report them under those names", () => {
    expect(checks[6]!()).toEqual({
      // the remote's refs are listed with patterns of the candidates only
      calls: [
        ["ls-remote", "--refs", "https://example.com/a.git", "refs/heads/main", "refs/heads/pull/432/head", "refs/main", "refs/pull/432/head"],
        ["ls-remote", "--symref", "https://example.com/a.git", "HEAD"],
        ["fetch", "--progress", "https://example.com/a.git"],
      ],
      fetched: [
        ["refs/heads/main", "main"],
        ["refs/pull/432/head", "pull/432/head"],
        ["refs/merge-requests/7/head", "merge-requests/7/head"],
        ["refs/pull/8/head", "refs/pull/8/head"],
        ["refs/heads/feature/x", "feature/x"],
      ],
      equal: [true, false, true],
    });
  });

  it("webhooks: every spelling of a repository URL finds its pollers; the poller hook's allow-list is the state's pollers", () => {
    const web = "forge.example/org/web";
    expect(checks[7]!()).toEqual({
      keys: [web, web, web, web, web, web, web, web, "forge.example/org/web2", "other.example/org/web", "/srv/git/web", "/srv/git/web"],
      // the original URL finds a poller of a mirror
      github: ["autowatch:gitpoller-1"],
      // one repository polled as git and as hg: both poll
      gitlab: ["autowatch:gitpoller-2", "autowatch:hgpoller-3"],
      gitea: ["autowatch:gitpoller-1"],
      unknown: [],
      junk: [[], [], [], []],
      allowed: ["autowatch:gitpoller-1", "autowatch:gitpoller-2", "autowatch:hgpoller-3"],
      hook: ["PushHook", "s"],
    });
  });

  it("keeps the reconfig reload only where Buildbot needs it: git before 3.11.3, hg always", () => {
    expect(checks[8]!()).toEqual([[3, 7, 0], [4, 2, 1], [3, 11, 3], [4, 3, 0], [0, 0, 0], true, true, true]);
  });

  it("a scheduler per factory: one tree-stable timer (the state's, else 60 s), the buildout known, none when not scheduled by commits", () => {
    expect(checks[9]!()).toEqual({
      app: [
        "AutowatchScheduler",
        "app-commits",
        ["app-pg12", "app-pg16"],
        7,
        ["git", "https://example.com/bo.git", "10.0"],
        "<WatchChangeFilter on https://example.com/a.git@main, https://example.com/b.git@dev, https://example.com/bo.git@10.0, svn://example.com/repo/trunk>",
      ],
      quick: ["quick", 0],
      default: 60,
      none: [true, true, true],
      // compared by content: an unchanged factory keeps its scheduler at reconfig, a new timer restarts it
      equal: [true, false],
    });
  });

  it("change source names are unique by construction (3,000 pollers)", () => {
    expect(checks[10]!()).toEqual([3000, 3000]);
  });

  it("`buildbot checkconfig` accepts a master.cfg built with it", () => {
    const master = join(root, "master");
    execFileSync("/usr/bin/buildbot", ["create-master", "-q", master], { env: { PATH: process.env.PATH, HOME: root, LANG: "C" } });
    writeFileSync(
      join(master, "master.cfg"),
      [
        "import sys",
        `sys.path.insert(0, ${JSON.stringify(BUILT)})`,
        "import autowatch_buildbot as autowatch",
        "from buildbot.plugins import schedulers, steps, util, worker",
        "c = BuildmasterConfig = {'buildbotNetUsageData': None, 'protocols': {'pb': {'port': 'tcp:0:interface=127.0.0.1'}}}",
        "c['workers'] = [worker.Worker('w', 'p')]",
        `state = autowatch.load_state(${JSON.stringify(stateFile)})`,
        "c['change_source'] = autowatch.change_sources(state, poll_interval=60)",
        "f = util.BuildFactory([steps.ShellCommand(command=['bin/buildout'])])",
        "f.addSteps(autowatch.autowatch_steps('app', cli='autowatch.mjs', watch_dir='watch'))",
        "c['builders'] = [util.BuilderConfig(name='app', workernames=['w'], factory=f)]",
        "c['schedulers'] = [schedulers.AnyBranchScheduler(name='app', builderNames=['app'], change_filter=autowatch.change_filter(state, 'app'))]",
        "",
      ].join("\n"),
    );
    // no __pycache__ in dist/: it would ship in the package
    const env = { PATH: process.env.PATH, HOME: root, LANG: "C", PYTHONDONTWRITEBYTECODE: "1" };
    const out = execFileSync("/usr/bin/buildbot", ["checkconfig", master], { env, encoding: "utf8" });
    expect(out).toContain("Config file is good!");
  });
});

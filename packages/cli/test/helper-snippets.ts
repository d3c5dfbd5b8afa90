// The state and the Python snippets helper.test.ts runs against the Buildbot helper module (autowatch_buildbot.py),
// one interpreter for all of them (importing Buildbot is the slow part); each test reads the output of its own snippet.

/** A state with every kind of poller and builder the helper turns into Buildbot objects. */
export const STATE = {
  schema: "autowatch.state/1",
  pollers: [
    { vcs: "git", url: "https://example.com/a.git", original: "https://example.com/a.git", branches: ["main", "17.0"], workdir: "gitpoller-aaaa" },
    { vcs: "hg", url: "https://example.com/a.git", original: "https://example.com/a.git", branches: ["default"], workdir: "hgpoller-bbbb" },
    { vcs: "git", url: "https://example.com/b.git", original: "https://mirror.example/b.git", branches: ["dev"], workdir: "gitpoller-cccc" },
    { vcs: "svn", url: "svn://example.com/repo/trunk", original: "svn://example.com/repo/trunk", branches: [""], workdir: "svnpoller-dddd" },
    { vcs: "bzr", url: "https://bazaar.launchpad.net/+branch/x", original: "lp:x", branches: [""], workdir: "bzrpoller-eeee" },
  ],
  builders: {
    app: {
      schedule: true,
      autoWatch: true,
      treeStableTimer: 7,
      watches: [
        { vcs: "git", url: "https://example.com/bo.git", branch: "10.0", from: ["buildout"] },
        { vcs: "git", url: "https://example.com/a.git", branch: "main", from: ["auto"] },
        { vcs: "git", url: "https://example.com/b.git", branch: "dev", from: ["manual"] },
        { vcs: "svn", url: "svn://example.com/repo/trunk", branch: "", from: ["manual"] },
      ],
    },
    release: { schedule: false, autoWatch: false, watches: [] },
    idle: { schedule: true, autoWatch: true, watches: [] },
  },
  problems: [],
};

/** Builder names of every awkward kind: the helper must name their watch files as @autowatch/watchfile does. */
export const NAMES = ["odoo-10.0", ".hidden", "a/b", "../../etc/passwd", "x y", "é", "ok_Name-1.2", "x".repeat(250), "ü".repeat(150)];

/** The snippets, in the order of the tests that read their outputs; `stateFile` holds STATE. */
export function helperSnippets(stateFile: string): string[] {
  return [
    `
out = []
for path in ["missing.json", "truncated.json", "foreign.json", ".", "hostile.json", "twins.json", "badtimer.json"]:
    try:
        s = aw.load_state(path)
        out.append([len(aw.change_sources(s)), aw.change_filter(s, "app") is None])
    except aw.ConfigErrors as e:
        out.append(e.errors)
print(json.dumps(out))`,
    `
s = aw.load_state(${JSON.stringify(stateFile)})
# the arguments each service will be configured with (Buildbot applies them at startService)
branches = lambda b: list(b.names) if isinstance(b, aw.WatchedRefs) else b
print(json.dumps([[type(c).__name__, c.name, c._config_args[0], branches(c._config_kwargs.get("branches")), c._config_kwargs.get("workdir")]
                  for c in aw.change_sources(s, poll_interval=5)]))`,
    `
from types import SimpleNamespace as C
s = aw.load_state(${JSON.stringify(stateFile)})
f = aw.change_filter(s, "app")
probes = [("https://example.com/a.git", "main"), ("https://example.com/a.git", "dev"), ("https://example.com/b.git", "dev"),
          ("https://example.com/b.git", "main"), ("https://example.com/c.git", "main"), ("svn://example.com/repo/trunk", None),
          ("svn://example.com/repo/trunk/", "x"), ("https://mirror.example/b.git", "dev")]
print(json.dumps([f.filter_change(C(repository=r, branch=b)) for r, b in probes]))`,
    `
s1 = aw.load_state(${JSON.stringify(stateFile)})
s2 = aw.load_state(${JSON.stringify(stateFile)})
f1, f2 = aw.change_filter(s1, "app"), aw.change_filter(s2, "app")
s2["builders"]["app"]["watches"].pop()
f3 = aw.change_filter(s2, "app")
from buildbot.util import ComparableMixin
print(json.dumps([f1 == f2, f1 != f2, hash(f1) == hash(f2), ComparableMixin.isEquivalent(f1, f2), f1 == f3,
                  aw.change_filter(s1, "release") is None, aw.change_filter(s1, "idle") is None, aw.change_filter(s1, "nobody") is None]))`,
    `print(json.dumps([aw.safe_builder_file_name(n) for n in json.loads(${JSON.stringify(JSON.stringify(NAMES))})]))`,
    `
steps = aw.autowatch_steps("odoo 10/x", cli="autowatch/autowatch.mjs", watch_dir="autowatch/watch", part="odoo", workdir="build")
other = aw.autowatch_steps("other", cli="c", watch_dir="w")
download, introspect, upload = steps
print(json.dumps({
  "kinds": [type(s).__name__ for s in steps],
  "download": [download.mastersrc, download.workerdest, download.workdir],
  "command": introspect.command,
  "decodeRC": introspect.decodeRC,
  "upload": [upload.workersrc, upload.masterdest, upload.maxsize],
  "locks": [upload.locks[0].lockid.name, other[2].locks[0].lockid.name],
  "flunk": [s.flunkOnFailure for s in steps],
  "frozen": aw.autowatch_steps("rel", cli="c", watch_dir="w", frozen=True),
  "sources": [aw.autowatch_steps("d", cli="c", watch_dir="w", sources=s)[1].command for s in (["odoo/custom/src/repos.yaml", "pip:deps.list"], [])],
}))`,
    `
refs = aw.WatchedRefs(["main", "pull/432/head", "merge-requests/7/head", "refs/pull/8/head", "feature/x"])
remote = ["refs/heads/main", "refs/pull/432/head", "refs/merge-requests/7/head", "refs/pull/8/head", "refs/heads/feature/x",
          "refs/heads/other", "refs/pull/9/head", "refs/tags/v1", "refs/heads/pull/8/head", "HEAD"]
from buildbot.changes.gitpoller import GitPoller
calls = []
real = GitPoller._dovccmd
GitPoller._dovccmd = lambda self, command, args, *rest, **kwargs: calls.append([command, *args])
try:
    poller = aw.AutowatchGitPoller("https://example.com/a.git", name="n", workdir="w", branches=["main", "pull/432/head"])
    poller.repourl, poller.branches = "https://example.com/a.git", poller._config_kwargs["branches"]
    poller._dovccmd("ls-remote", ["--refs", poller.repourl])
    poller._dovccmd("ls-remote", ["--symref", poller.repourl, "HEAD"])
    poller._dovccmd("fetch", ["--progress", poller.repourl])
finally:
    GitPoller._dovccmd = real
print(json.dumps({
  "calls": calls,
  "fetched": [[r, refs.name_of(r)] for r in remote if refs(r)],
  "equal": [refs == aw.WatchedRefs(list(reversed(refs.names))), refs == aw.WatchedRefs(["main"]), hash(refs) == hash(aw.WatchedRefs(refs.names))],
}))`,
    `
urls = ["https://forge.example/org/web.git", "https://forge.example/org/web", "git@forge.example:org/web.git", "git@forge.example:org/web",
        "ssh://git@forge.example/org/web.git", "ssh://git@forge.example:2222/org/web/", "HTTPS://Forge.Example/Org/Web.git/", "http://user@forge.example/org/web",
        "https://forge.example/org/web2.git", "https://other.example/org/web.git", "file:///srv/git/web.git", "/srv/git/web"]
state = {"pollers": [
  {"vcs": "git", "url": "ssh://git@mirror.example/web.git", "original": "https://forge.example/org/web.git", "branches": ["main"], "workdir": "gitpoller-1"},
  {"vcs": "git", "url": "git@forge.example:org/api", "original": "git@forge.example:org/api", "branches": ["main"], "workdir": "gitpoller-2"},
  {"vcs": "hg", "url": "https://forge.example/org/api", "original": "https://forge.example/org/api", "branches": ["default"], "workdir": "hgpoller-3"}]}
by = aw.pollers_by_repository(state)
github = {"ref": "refs/heads/main", "repository": {"clone_url": "https://forge.example/org/web.git", "ssh_url": "git@forge.example:org/web.git", "url": "https://forge.example/org/web"}}
gitlab = {"object_kind": "push", "project": {"git_http_url": "https://forge.example/org/api.git", "git_ssh_url": "git@forge.example:org/api.git"}}
gitea = {"repository": {"clone_url": "https://forge.example/org/web.git", "ssh_url": "ssh://git@forge.example:2222/org/web.git"}}
dialects = aw.change_hook_dialects(state, secret="s")
print(json.dumps({
  "keys": [aw.repository_key(u) for u in urls],
  "github": aw.pollers_for_payload(by, github), "gitlab": aw.pollers_for_payload(by, gitlab), "gitea": aw.pollers_for_payload(by, gitea),
  "unknown": aw.pollers_for_payload(by, {"repository": {"clone_url": "https://forge.example/org/else.git"}}),
  "junk": [aw.pollers_for_payload(by, p) for p in ([], "x", {"repository": "x"}, {"project": {"git_http_url": 3}})],
  "allowed": [n.decode() for n in dialects["poller"][b"allowed"]],
  "hook": [dialects["autowatch"]["custom_class"].__name__, dialects["autowatch"]["secret"]],
}))`,
    `
print(json.dumps([aw._version_tuple(v) for v in ["3.7.0-2", "4.2.1", "3.11.3", "4.3.0.dev12", "junk"]]
                 + [aw.GIT_POLLER_FORGETS_AT_RECONFIG == (aw.BUILDBOT_VERSION < (3, 11, 3)),
                    aw._ReloadLastRev in aw.AutowatchHgPoller.__mro__,
                    (aw._ReloadLastRev in aw.AutowatchGitPoller.__mro__) == aw.GIT_POLLER_FORGETS_AT_RECONFIG]))`,
    `
s = aw.load_state(${JSON.stringify(stateFile)})
app = aw.scheduler(s, "app", ["app-pg12", "app-pg16"])
quick = aw.scheduler(s, "app", ["app"], name="quick", tree_stable_timer=0)
s2 = aw.load_state(${JSON.stringify(stateFile)})
del s2["builders"]["app"]["treeStableTimer"]
print(json.dumps({
  "app": [type(app).__name__, app.name, app.builderNames, app.treeStableTimer, list(app.autowatch_buildout), repr(app.change_filter)],
  "quick": [quick.name, quick.treeStableTimer],
  "default": aw.scheduler(s2, "app", ["app"]).treeStableTimer,
  "none": [aw.scheduler(s, n, [n]) is None for n in ("release", "idle", "nobody")],
  "equal": [aw.scheduler(s, "app", ["x"]) == aw.scheduler(s2, "app", ["x"], tree_stable_timer=7),
            aw.scheduler(s, "app", ["x"]) == aw.scheduler(s, "app", ["x"], tree_stable_timer=8)],
}))`,
    `
# 3,000 pollers as a merge would write them (one per VCS and URL): every change source name is unique
pollers = [{"vcs": v, "url": f"https://h{i % 7}.example/r{i}", "original": f"https://h{i % 7}.example/r{i}",
            "branches": ["main"] if v != "svn" else [""], "workdir": f"{v}poller-{i:06x}"}
           for i, v in ((i, ("git", "hg", "svn")[i % 3]) for i in range(3000))]
import tempfile, os
with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
    json.dump({"schema": "autowatch.state/1", "pollers": pollers, "builders": {}, "problems": []}, f)
names = [c.name for c in aw.change_sources(aw.load_state(f.name))]
os.unlink(f.name)
print(json.dumps([len(names), len(set(names))]))`,
  ];
}

"""autowatch helper for a Buildbot master.cfg (Python 3.9+, Buildbot 3.7 to 4.3, no other dependency).

Turns the state file written by ``autowatch merge`` into change sources (one poller per
repository, each with its own name and work directory) and per-builder change filters, and
gives the three build steps that produce and upload a factory's watch file.

    import autowatch_buildbot as autowatch

    state = autowatch.load_state(os.path.join(basedir, "autowatch", "state.json"))
    c["change_source"].extend(autowatch.change_sources(state, poll_interval=600))
    scheduler = autowatch.scheduler(state, "odoo-10.0", ["odoo-10.0"])
    if scheduler is not None:   # None: never scheduled by commits (no scheduler at all)
        c["schedulers"].append(scheduler)
    factory.addSteps(autowatch.autowatch_steps(
        "odoo-10.0", cli="autowatch/autowatch.mjs", watch_dir="autowatch/watch"))

A missing state file (before the first merge) gives nothing to poll. A state file that exists
but cannot be read or validated is a Buildbot configuration error naming the file and the
reason: `buildbot checkconfig` fails, and `buildbot reconfig` keeps the running configuration.
"""

import hashlib
import hmac
import importlib.util
import json
import os
import re
import sys

from twisted.internet import defer
from twisted.python import log

import buildbot
from buildbot.changes.filter import ChangeFilter
from buildbot.changes.gitpoller import GitPoller
from buildbot.changes.hgpoller import HgPoller
from buildbot.changes.svnpoller import SVNPoller
from buildbot.plugins import steps
from buildbot.plugins import util
from buildbot.process.properties import Properties
from buildbot.process.results import SUCCESS
from buildbot.process.results import WARNINGS
from buildbot.www.hooks.poller import PollingHandler
from buildbot.schedulers.basic import SingleBranchScheduler

try:
    from buildbot.config.errors import ConfigErrors
except ImportError:  # Buildbot before config became a package
    from buildbot.config import ConfigErrors

__version__ = "0.1.0"

STATE_SCHEMA = "autowatch.state/1"
VCS_KINDS = ("git", "hg", "bzr", "svn")
WATCH_FILE_MAX_BYTES = 1024 * 1024
INTROSPECT_STEP_NAME = "autowatch introspect"

_KEPT_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")
_KEPT_BYTE = re.compile(rb"[A-Za-z0-9_-]")
_MAX_NAME_BYTES = 200
_SAFE_WORKDIR = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# how long a builder's scheduler waits for a burst of commits to end, when MANIFEST.cfg's
# tree-stable-timer does not say
DEFAULT_TREE_STABLE_TIMER = 60
# the introspect step's exit status when it reported problems: the step ends WARNINGS
INTROSPECT_PROBLEMS_EXIT = 3


def _file_digest(path):
    try:
        with open(path, "rb") as stream:
            return hashlib.sha256(stream.read()).hexdigest()
    except OSError:
        return None


# what this module was loaded from: a reconfig compares it with the file on disk
_LOADED_FROM = os.path.abspath(__file__) if "__file__" in globals() else None
_LOADED_DIGEST = _file_digest(_LOADED_FROM) if _LOADED_FROM else None


def _log(message):
    log.msg("autowatch: " + message)


def _quote(value):
    """Quotes a value from the state (it may come from a worker) for one log line."""
    return json.dumps(str(value)[:200])


def empty_state():
    return {"schema": STATE_SCHEMA, "pollers": [], "builders": {}, "problems": []}


class StateError(ConfigErrors):
    """The state file exists but cannot be used: a Buildbot configuration error, so that
    checkconfig fails and reconfig keeps the running configuration."""


def load_state(path):
    """Reads the state file written by ``autowatch merge``.

    Missing (before the first merge): nothing to poll, with a log line. Present but
    unreadable, not JSON, or not a valid autowatch state: raises a Buildbot configuration
    error naming the file and the reason (Buildbot then keeps its running configuration).
    Each call logs the helper's version; a helper file on disk newer than the loaded module
    is reloaded first (or the log says loudly why it cannot be)."""
    current = _reload_if_changed()
    if current is not None:
        return current.load_state(path)
    _log(f"helper {__version__} (sha256 {(_LOADED_DIGEST or 'unknown')[:12]}) from {_quote(_LOADED_FROM)}")
    try:
        with open(path, "rb") as stream:
            raw = stream.read()
    except FileNotFoundError:
        _log(f"no state file at {_quote(path)} yet: nothing to poll, no builder scheduled by commits")
        return empty_state()
    except OSError as error:
        _refuse(path, f"cannot be read ({error.strerror or error})")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        _refuse(path, f"is not UTF-8 (byte {error.start})")
    except ValueError as error:
        _refuse(path, f"is not valid JSON ({error}; {len(raw)} bytes: truncated?)")
    problems = []
    state = _clean_state(data, problems)
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        _refuse(path, "is not a valid autowatch state: " + "; ".join(problems[:5]) + more)
    _log(f"{len(state['pollers'])} pollers, {len(state['builders'])} builders from {_quote(path)}")
    return state


def _refuse(path, reason):
    message = (f"the state file {path} {reason}. Fix it or run `autowatch merge` again; "
               "Buildbot keeps its running configuration until then.")
    _log(message)
    raise StateError(["autowatch: " + message])


def _clean_state(data, problems):
    """The state with the fields the helper uses; every malformed part is a problem."""
    if not isinstance(data, dict) or data.get("schema") != STATE_SCHEMA:
        schema = data.get("schema") if isinstance(data, dict) else None
        problems.append(f"schema is {_quote(schema)}, not {STATE_SCHEMA!r}")
        return empty_state()
    state = empty_state()
    pollers = data.get("pollers")
    if not isinstance(pollers, list):
        problems.append('"pollers" is not a list')
        pollers = []
    workdirs = {}
    for index, poller in enumerate(pollers):
        if not _valid_poller(poller):
            problems.append(f"poller {index + 1} is malformed: {_quote(poller)}")
        elif poller["workdir"] in workdirs:
            # change sources are named after their work directory: two with one name would make
            # Buildbot (4.1 and later) apply a reconfig halfway
            problems.append(f"pollers {workdirs[poller['workdir']] + 1} and {index + 1} share the work directory "
                            f"{_quote(poller['workdir'])}")
        else:
            workdirs[poller["workdir"]] = index
            state["pollers"].append(poller)
    builders = data.get("builders")
    if not isinstance(builders, dict):
        problems.append('"builders" is not an object')
        builders = {}
    for name, builder in builders.items():
        if not (isinstance(builder, dict) and isinstance(builder.get("watches"), list)
                and isinstance(builder.get("schedule"), bool)):
            problems.append(f"builder {_quote(name)} is malformed")
            continue
        bad = [w for w in builder["watches"] if not _valid_watch(w)]
        if bad:
            problems.append(f"builder {_quote(name)} has a malformed watch: {_quote(bad[0])}")
            continue
        timer = builder.get("treeStableTimer")
        if timer is not None and (not isinstance(timer, int) or isinstance(timer, bool) or timer < 0):
            problems.append(f"builder {_quote(name)} has a bad treeStableTimer: {_quote(timer)}")
            continue
        entry = {"schedule": builder["schedule"], "watches": builder["watches"]}
        if timer is not None:
            entry["treeStableTimer"] = timer
        state["builders"][name] = entry
    return state


def _reload_if_changed():
    """The reloaded module when the helper file on disk is not the one loaded, else None.

    master.cfg's ``import autowatch_buildbot`` gives the module already loaded at a reconfig,
    so a newer helper would only take effect at a restart. This reloads it in place: names
    bound in master.cfg see the new functions. A file that cannot be loaded is logged loudly
    and the loaded helper goes on."""
    if _LOADED_FROM is None:
        return None
    digest = _file_digest(_LOADED_FROM)
    if digest is None or digest == _LOADED_DIGEST:
        return None
    module = sys.modules.get(__name__)
    if module is None or getattr(module, "_LOADED_DIGEST", None) != _LOADED_DIGEST:
        _log("!" * 20 + f" RESTART NEEDED: the helper {_quote(_LOADED_FROM)} changed on disk (sha256 {digest[:12]}), "
             f"but the loaded one ({__version__}, sha256 {_LOADED_DIGEST[:12]}) is not registered as {__name__!r}: "
             "restart the master to load it")
        return None
    try:
        # tried in a scratch module first: a broken file must not leave this one half replaced
        spec = importlib.util.spec_from_file_location(__name__, _LOADED_FROM)
        scratch = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(scratch)
    except Exception as error:  # any failure of a Python file being imported
        _log("!" * 20 + f" the helper {_quote(_LOADED_FROM)} changed on disk (sha256 {digest[:12]}) and cannot be "
             f"loaded ({type(error).__name__}: {error}): still running helper {__version__} "
             f"(sha256 {_LOADED_DIGEST[:12]}). Fix the file; a restart would load it and fail.")
        return None
    before = f"{__version__} (sha256 {_LOADED_DIGEST[:12]})"
    # this function's globals are the module's: they change here
    module.__dict__.update({k: v for k, v in scratch.__dict__.items() if k not in ("__spec__", "__loader__")})
    _log(f"helper reloaded: {before} -> {scratch.__version__} (sha256 {digest[:12]})")
    return module


def _valid_url(url):
    return isinstance(url, str) and url != "" and not url.startswith("-") and not _CONTROL.search(url)


def _valid_poller(poller):
    return (isinstance(poller, dict) and poller.get("vcs") in VCS_KINDS and _valid_url(poller.get("url"))
            and isinstance(poller.get("branches"), list)
            and all(isinstance(b, str) and not b.startswith("-") and not _CONTROL.search(b)
                    for b in poller["branches"])
            and isinstance(poller.get("workdir"), str) and _SAFE_WORKDIR.match(poller["workdir"]) is not None)


def _valid_watch(watch):
    return (isinstance(watch, dict) and watch.get("vcs") in VCS_KINDS and _valid_url(watch.get("url"))
            and isinstance(watch.get("branch"), str))


def safe_builder_file_name(builder):
    """The watch file name (without .json) of a builder: the same mapping as @autowatch/watchfile."""
    if _KEPT_NAME.match(builder):
        name = builder
    else:
        parts = []
        for index, byte in enumerate(builder.encode("utf-8")):
            char = bytes([byte])
            keep = _KEPT_BYTE.match(char) is not None or (char == b"." and index > 0)
            parts.append(char.decode("ascii") if keep else "%{:02X}".format(byte))
        name = "".join(parts) or "%"
    if len(name.encode("utf-8")) > _MAX_NAME_BYTES:
        digest = hashlib.sha256(builder.encode("utf-8")).hexdigest()[:16]
        name = name[:_MAX_NAME_BYTES - 18] + "%~" + digest
    return name


def _version_tuple(text):
    match = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", str(text))
    return tuple(int(part or 0) for part in match.groups()) if match else (0, 0, 0)


BUILDBOT_VERSION = _version_tuple(getattr(buildbot, "version", ""))
# Buildbot's GitPoller keeps its last seen revisions across a reconfig since 3.11.3
# (buildbot/buildbot#7527); its HgPoller still forgets them (read up to 4.3).
GIT_POLLER_FORGETS_AT_RECONFIG = BUILDBOT_VERSION < (3, 11, 3)


class _ReloadLastRev:
    """A poller that empties its last seen revisions when a reconfig changes it (a branch
    added) takes the branch heads as a fresh start at the next poll: a commit pushed just
    before the reconfig never becomes a change (buildbot/buildbot#7527). This mixin reloads
    the revisions the poller saved before polling."""

    @defer.inlineCallbacks
    def poll(self):
        if not self.lastRev:
            saved = yield self.getState("lastRev", {})
            if saved and not self.lastRev:
                self.lastRev = dict(saved)
        yield super().poll()


class WatchedRefs:
    """The ``branches`` of an autowatch GitPoller: which remote refs it fetches for the state's
    branch names, and the state's name of each. Merge lines name refs the way ``git fetch``
    takes them: ``main``, ``pull/432/head`` (GitHub), ``merge-requests/7/head`` (GitLab),
    ``refs/changes/...``. A name is looked for under ``refs/heads/``, then under ``refs/``; a
    full ``refs/...`` name as it is. Buildbot's own list form only looks under ``refs/heads/``,
    so pull-request refs would never fire. Compared by content, so an unchanged list does not
    reconfigure the poller."""

    def __init__(self, names):
        self.names = tuple(sorted(set(names)))
        refs = {}
        for name in self.names:
            if name.startswith("refs/"):
                refs[name] = name
            else:
                refs.setdefault("refs/heads/" + name, name)
                refs.setdefault("refs/" + name, name)
        self._refs = refs

    def __call__(self, ref):
        return ref in self._refs

    def patterns(self):
        """``git ls-remote`` patterns that list every ref this may pick (and few others)."""
        return sorted(self._refs)

    def name_of(self, ref):
        """The state's name of a remote ref (what changes carry and change filters compare)."""
        return self._refs.get(ref, ref)

    def __eq__(self, other):
        return isinstance(other, WatchedRefs) and other.names == self.names

    def __hash__(self):
        return hash(self.names)

    def __repr__(self):
        return f"WatchedRefs({list(self.names)!r})"


_GitPollerBases = (_ReloadLastRev, GitPoller) if GIT_POLLER_FORGETS_AT_RECONFIG else (GitPoller,)


class AutowatchGitPoller(*_GitPollerBases):
    """GitPoller for the state's branch names (``branches`` is a list of them), with changes
    carrying those names. A branch newly watched, or new on the remote, starts at its head:
    Buildbot's GitPoller makes a change of every commit of it that no known head contains
    (hundreds for a branch of a busy repository); this one makes at most one, for the head."""

    def __init__(self, repourl, branches=(), **kwargs):
        super().__init__(repourl, branches=WatchedRefs(branches), **kwargs)

    def _dovccmd(self, command, args, *rest, **kwargs):
        # Buildbot lists every ref of the remote to pick the watched ones (3.x always; 4.x when
        # ``branches`` is a callable): tens of thousands of pull refs on a busy GitHub
        # repository. Patterns keep the listing to the candidates, which WatchedRefs then picks.
        if (command == "ls-remote" and list(args) == ["--refs", self.repourl]
                and isinstance(self.branches, WatchedRefs)):
            args = [*args, *self.branches.patterns()]
        return super()._dovccmd(command, args, *rest, **kwargs)

    @defer.inlineCallbacks
    def _process_changes(self, newRev, branch):
        name = self.branches.name_of(branch) if isinstance(self.branches, WatchedRefs) else branch
        # lastRev's keys: full refs, or short names when saved by an older helper
        starting = bool(self.lastRev) and branch not in self.lastRev and name not in self.lastRev
        excluded = {}
        if starting:
            # Buildbot lists the commits of newRev that no value of lastRev reaches: with the
            # head's parents among them for this call, that is the head alone, or nothing.
            parents = yield self._dovccmd("rev-parse", [newRev + "^@"], path=self.workdir)
            excluded = {f"\0autowatch-parent-{index}": rev for index, rev in enumerate(parents.split())}
            self.lastRev.update(excluded)
            _log(f"{_quote(name)} of {_quote(self.repourl)} newly polled: starting at its head {newRev}")
        try:
            yield super()._process_changes(newRev, name)
        finally:
            for key in excluded:
                self.lastRev.pop(key, None)


class AutowatchHgPoller(_ReloadLastRev, HgPoller):
    """HgPoller that keeps its last seen revisions across a reconfig (needed up to Buildbot 4.3
    at least). A newly watched branch already starts at its head in HgPoller."""


def poller_name(poller):
    """A unique, stable change source name: Buildbot keys change sources by name, and
    pollers named after their URL would collapse into one (buildbot/buildbot#6987)."""
    return "autowatch:" + poller["workdir"]


def change_sources(state, poll_interval=600, poll_at_launch=True, git_options=None, hg_options=None,
                   svn_options=None, bzr_poller=None):
    """One change source per poller of the state.

    ``bzr_poller``: Buildbot 3.x ships no Bazaar poller; pass a callable
    ``(url, name, workdir, poll_interval) -> change source`` to poll bzr branches,
    otherwise they are logged and skipped.
    """
    sources = []
    seen = set()
    common = {"pollInterval": poll_interval, "pollAtLaunch": poll_at_launch}
    for poller in state.get("pollers", []):
        name = poller_name(poller)
        if name in seen:
            _log(f"two pollers share the work directory {_quote(poller['workdir'])}: keeping the first")
            continue
        seen.add(name)
        vcs, url, workdir = poller["vcs"], poller["url"], poller["workdir"]
        branches = sorted(set(poller["branches"]))
        if vcs in ("git", "hg") and not branches:
            _log(f"no branch to poll in {_quote(url)}: skipped")
            continue
        if vcs == "git":
            sources.append(AutowatchGitPoller(url, name=name, workdir=workdir, branches=branches,
                                              **common, **(git_options or {})))
        elif vcs == "hg":
            sources.append(AutowatchHgPoller(url, name=name, workdir=workdir, branches=branches,
                                             **common, **(hg_options or {})))
        elif vcs == "svn":
            sources.append(SVNPoller(url, name=name, **common, **(svn_options or {})))
        elif bzr_poller is not None:
            sources.append(bzr_poller(url, name, workdir, poll_interval))
        else:
            _log(f"Buildbot has no Bazaar poller: not polling {_quote(url)} (pass bzr_poller=...)")
    return sources


def _ref_key(branch):
    """One name for the spellings of a ref: a buildout merge line says ``pull/7/head``, a pip URL
    ``refs/pull/7/head``, a plain GitPoller reports ``refs/heads/X`` as ``X``. One poller serves
    every builder of a repository and reports one spelling, so filters compare this key."""
    if branch is None:
        return None
    if branch.startswith("refs/heads/"):
        return branch[len("refs/heads/"):]
    if branch.startswith("refs/"):
        return branch[len("refs/"):]
    return branch


class WatchChangeFilter(ChangeFilter):
    """Accepts exactly the watched (repository, branch) pairs of a builder, plus any branch
    of the repositories whose branch is the URL itself (svn, bzr). It compares by content,
    so an unchanged watch list does not restart its scheduler at reconfig."""

    compare_attrs = ("pairs", "repositories")

    def __init__(self, pairs=(), repositories=()):
        super().__init__()
        self.pairs = tuple(sorted(set((str(r), str(b)) for r, b in pairs)))
        self.repositories = tuple(sorted(set(str(r) for r in repositories)))
        self._pairs = frozenset((r, _ref_key(b)) for r, b in self.pairs)
        self._repositories = frozenset(self.repositories)

    def filter_change(self, change):
        repository = change.repository or ""
        return (repository, _ref_key(change.branch)) in self._pairs or repository.rstrip("/") in self._repositories

    def __repr__(self):
        watched = [f"{r}@{b}" for r, b in self.pairs] + list(self.repositories)
        return f"<WatchChangeFilter on {', '.join(watched) or 'nothing'}>"


def change_filter(state, builder):
    """The change filter of a builder (a factory section of MANIFEST.cfg), or None when the
    builder is not scheduled by commits (``watch =`` empty, nothing watched, unknown builder):
    then create no scheduler for it (a scheduler without a filter would take every change)."""
    entry = state.get("builders", {}).get(builder)
    if not entry or not entry.get("schedule") or not entry.get("watches"):
        return None
    pairs = []
    repositories = []
    for watch in entry["watches"]:
        if watch["vcs"] in ("git", "hg"):
            pairs.append((watch["url"], watch["branch"]))
        else:
            repositories.append(watch["url"].rstrip("/"))
    return WatchChangeFilter(pairs, repositories)


_URL_WITH_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/]*@)?([^/:]*)(?::[0-9]*)?(/.*)?$")
_SCP_LIKE = re.compile(r"^(?:[^@/:]+@)?([^/:]+):(.*)$")
# where GitHub, Gitea (repository) and GitLab (project, repository) put the repository's URLs
_PAYLOAD_URL_KEYS = ("clone_url", "ssh_url", "git_url", "html_url", "url", "git_http_url", "git_ssh_url",
                     "http_url", "web_url", "homepage")


def repository_key(url):
    """What identifies a repository across its spellings: host and path, lower-case, without
    scheme, user, port, trailing ``/`` or ``.git``. ``https://forge.example/org/web.git``,
    ``git@forge.example:org/web`` and ``ssh://git@forge.example:22/org/web/`` share one key.
    (Case folded: a false match only costs one poll.)"""
    text = url.strip()
    match = _URL_WITH_SCHEME.match(text) or _SCP_LIKE.match(text)
    host, path = (match.group(1), match.group(2) or "") if match else ("", text)
    path = path.strip("/")
    if path.endswith(".git"):
        path = path[:-len(".git")].rstrip("/")
    return (host + "/" + path).lower()


def pollers_by_repository(state):
    """{repository key: [poller names]} for the state's pollers, by polled and original URL."""
    names = {}
    for poller in state.get("pollers", []):
        for url in {poller["url"], poller.get("original") or poller["url"]}:
            names.setdefault(repository_key(url), set()).add(poller_name(poller))
    return {key: sorted(value) for key, value in names.items()}


def payload_urls(payload):
    """The repository URLs of a GitHub, GitLab or Gitea event payload (push, pull or merge
    request, tag...): whatever the forge, they are under ``repository`` or ``project``."""
    urls = []
    for section in ("repository", "project"):
        entry = payload.get(section) if isinstance(payload, dict) else None
        if isinstance(entry, dict):
            urls.extend(entry[key] for key in _PAYLOAD_URL_KEYS if isinstance(entry.get(key), str) and entry[key])
    return urls


def pollers_for_payload(by_repository, payload):
    """The autowatch poller names to poll for one forge event payload."""
    names = set()
    for url in payload_urls(payload):
        names.update(by_repository.get(repository_key(url), ()))
    return sorted(names)


def _signed(secret, body, headers):
    """True when the request proves it knows ``secret``: GitHub's and Gitea's HMAC-SHA256 of the
    body, or GitLab's token header."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    github = headers.get("x-hub-signature-256") or ""
    gitea = headers.get("x-gitea-signature") or ""
    gitlab = headers.get("x-gitlab-token") or ""
    return (hmac.compare_digest(github, "sha256=" + digest) or hmac.compare_digest(gitea, digest)
            or hmac.compare_digest(gitlab, secret))


class _CurrentOptions:
    """Buildbot makes a change hook's handler at the hook's first request and keeps it, with
    the options of that time, across reconfigs (3.7 to 4.3): a poller added later would never
    be allowed, and a changed secret never read. These handlers read their options from the
    configuration in force at each request."""

    @property
    def options(self):
        www = getattr(getattr(self.master, "config", None), "www", None) or {}
        for options in (www.get("change_hook_dialects") or {}).values():
            if isinstance(options, dict) and getattr(options.get("custom_class"), "__name__", None) == type(self).__name__:
                return options
        return self._first_options

    @options.setter
    def options(self, value):
        self._first_options = value


class PushHook(_CurrentOptions):
    """Buildbot change hook dialect for forge webhooks: an event from GitHub, GitLab or Gitea
    makes the autowatch pollers of its repository poll now. It never makes a change itself, so
    the pollers stay the one source of changes, and a lost event only delays a build until the
    next regular poll. Built by ``change_hook_dialects``."""

    def __init__(self, master, options):
        self.master = master
        self.options = options

    def getChanges(self, request):
        options = self.options
        # read from the start: Twisted has already read a form-encoded body to parse its fields
        request.content.seek(0)
        body = request.content.read()
        headers = {name: request.getHeader(name.encode("ascii")) for name in
                   ("x-hub-signature-256", "x-gitea-signature", "x-gitlab-token", "content-type")}
        headers = {name: value.decode("latin-1") if isinstance(value, bytes) else value
                   for name, value in headers.items()}
        secret = options.get("secret")
        if secret and not _signed(secret, body, headers):
            raise ValueError("autowatch webhook: missing or wrong signature")
        try:
            if (headers["content-type"] or "").startswith("application/x-www-form-urlencoded"):
                # GitHub's form encoding: the JSON is the "payload" field
                from urllib.parse import parse_qs
                body = parse_qs(body.decode("utf-8")).get("payload", [""])[0]
            payload = json.loads(body)
        except (UnicodeDecodeError, ValueError) as error:
            raise ValueError(f"autowatch webhook: the body is not a JSON payload ({error})") from None
        wanted = set(pollers_for_payload(options["pollers"], payload))
        forced = []
        for source in self.master.change_svc:
            if getattr(source, "name", None) in wanted:
                source.force()
                forced.append(source.name)
        urls = ", ".join(_quote(url) for url in payload_urls(payload)[:3]) or "no repository URL"
        _log(f"webhook for {urls}: polling {', '.join(forced) or 'nothing (no autowatch poller for it)'}")
        return [], None


class PollerHook(_CurrentOptions, PollingHandler):
    """Buildbot's ``poller`` change hook, with the allow-list of the configuration in force."""


def change_hook_dialects(state, secret=None):
    """Buildbot's ``c["www"]["change_hook_dialects"]`` for webhooks on the autowatch pollers:

    - ``/change_hook/autowatch``: the URL to give GitHub, GitLab and Gitea (JSON push events;
      ``secret``, if given, is the webhook secret, checked on every request);
    - ``/change_hook/poller?poller=autowatch:WORKDIR``: Buildbot's own ``poller`` hook, allowed
      for the autowatch pollers only (Buildbot reads its allow-list under a bytes key, which
      its documentation does not say: a ``"allowed"`` str key lets any poller through).

    Both read the dialects of the configuration in force, so a reconfig that adds pollers
    reaches them. Both only make pollers poll now: keep polling as the safety net (see the guide)."""
    names = sorted({poller_name(poller) for poller in state.get("pollers", [])})
    return {
        "poller": {"custom_class": PollerHook, b"allowed": [name.encode("utf-8") for name in names]},
        "autowatch": {"custom_class": PushHook, "pollers": pollers_by_repository(state), "secret": secret},
    }


def buildout_of(state, builder):
    """(vcs, url, branch) of the builder's own buildout repository, as MANIFEST.cfg's
    ``buildout`` option gives it (the watch ``from`` "buildout"), or None."""
    entry = state.get("builders", {}).get(builder) or {}
    for watch in entry.get("watches", []):
        if "buildout" in (watch.get("from") or []):
            return watch["vcs"], watch["url"], watch["branch"]
    return None


class AutowatchScheduler(SingleBranchScheduler):
    """The scheduler of one factory's builders: one build per burst, at the buildout's head.

    - One tree-stable timer for all the builder's repositories (SingleBranchScheduler keeps
      one; AnyBranchScheduler keeps one per repository and branch, so commits to two watched
      repositories a second apart gave two builds).
    - The build's source stamp is the buildout's, never a dependency's: Buildbot's default
      takes the last change's revision, whichever repository it came from, and the standard
      ``steps.Git(repourl=BUILDOUT, ...)`` then fails with "reference is not a tree" (and
      Buildbot calls a tree-stable timer over several repositories undefined for that
      reason). A commit on the buildout itself builds that commit; a commit on a dependency
      builds the buildout branch's head.
    - The build shows the changes that started it: in its reason and in the property
      ``autowatch_changes`` (repository, branch, revision, author of each)."""

    # Buildbot gathers compare_attrs along the class hierarchy: a changed buildout restarts it
    compare_attrs = ("autowatch_buildout",)

    def __init__(self, name, buildout=None, **kwargs):
        self.autowatch_buildout = tuple(buildout) if buildout else None
        super().__init__(name, **kwargs)

    @defer.inlineCallbacks
    def addBuildsetForChanges(self, waited_for=False, reason="", external_idstring=None, changeids=None,
                              builderNames=None, properties=None, **kw):
        changes = []
        for changeid in changeids or []:
            # the data API gives plain dicts on every supported version (the db API gives
            # dataclasses from 4.1 on)
            change = yield self.master.data.get(("changes", changeid))
            if change:
                changes.append(change)
        own = [c for c in changes if self._is_buildout(c)]
        if own:
            # the latest commit of the buildout itself: build exactly that
            stamp = max(own, key=lambda c: c["changeid"])["sourcestamp"]["ssid"]
        else:
            vcs, url, branch = self.autowatch_buildout or (None, "", None)
            stamp = {"codebase": "", "repository": url, "branch": branch or None, "revision": None, "project": ""}
        props = properties
        if changes:
            props = Properties()
            if properties is not None:
                props.updateFromProperties(properties)
            props.setProperty("autowatch_changes", [
                {"repository": c.get("repository"), "branch": c.get("branch"), "revision": c.get("revision"),
                 "author": c.get("author")} for c in changes], "autowatch")
            last = changes[-1]
            more = f" and {len(changes) - 1} more change(s)" if len(changes) > 1 else ""
            reason = (f"autowatch: {last.get('repository')} {last.get('branch')} "
                      f"{str(last.get('revision'))[:12]}{more}")
        result = yield self.addBuildsetForSourceStamps(
            waited_for, sourcestamps=[stamp], reason=reason, external_idstring=external_idstring,
            builderNames=builderNames, properties=props, **kw)
        return result

    def _is_buildout(self, change):
        if not self.autowatch_buildout:
            return False
        _vcs, url, branch = self.autowatch_buildout
        return (change.get("repository") or "").rstrip("/") == url.rstrip("/") and change.get("branch") == branch


def scheduler(state, factory, builder_names, name=None, tree_stable_timer=None, **kwargs):
    """The scheduler of a factory's builders (``AutowatchScheduler``), or None when the
    factory is not scheduled by commits: then add no scheduler (one without a filter would
    take every change).

    ``tree_stable_timer`` (seconds): the burst a build waits for; default the factory's
    ``tree-stable-timer`` of MANIFEST.cfg, else ``DEFAULT_TREE_STABLE_TIMER``. The name is
    ``<factory>-commits`` unless given. Other keyword arguments go to the scheduler
    (``properties``, ``fileIsImportant``, ``priority``...)."""
    change_filter_ = change_filter(state, factory)
    if change_filter_ is None:
        return None
    if tree_stable_timer is None:
        tree_stable_timer = state["builders"][factory].get("treeStableTimer", DEFAULT_TREE_STABLE_TIMER)
    return AutowatchScheduler(name=name or factory + "-commits", change_filter=change_filter_,
                              builderNames=list(builder_names), treeStableTimer=tree_stable_timer,
                              buildout=buildout_of(state, factory), **kwargs)


def _introspected(step):
    for previous in step.build.executedSteps:
        if previous.name == INTROSPECT_STEP_NAME:
            return previous.results in (SUCCESS, WARNINGS)
    return False


def autowatch_steps(factory, cli, watch_dir, config="buildout.cfg", part=None, frozen=False, node="node",
                    workdir=None, output=".autowatch-watch.json", sources=None):
    """The build steps that go right after ``bin/buildout``: download the single-file CLI
    (``cli``, a path on the master), introspect the buildout, upload the watch file to
    ``watch_dir`` on the master under the factory's safe file name. Uploads of one factory
    are serialised by a master lock of their own, so unrelated builds never wait. They never
    fail a build (warnings only); the introspect step ends WARNINGS when introspection
    reported problems, and its log lists every watched and pinned source with its reason. A
    frozen buildout (hgtag, gittag, release builds) gets none.
    ``sources``: the files that declare the sources instead of a buildout (``["repos.yaml",
    "requirements.txt"]``, or ``"pip:FILE"``); an empty list lets introspect find them."""
    if frozen:
        return []
    safe_name = safe_builder_file_name(factory)
    lock = util.MasterLock("autowatch-upload-" + safe_name)
    quiet = {"haltOnFailure": False, "flunkOnFailure": False, "warnOnFailure": True}
    if workdir is not None:
        quiet["workdir"] = workdir
    command = [node, "autowatch.mjs", "introspect"]
    if sources is None:
        command += ["-c", config]
    else:
        for source in sources:
            command += ["--source", source]
    # --list: the step's log names every watched and pinned source with its reason;
    # --problem-exit-code: problems (e.g. a source not verified against a checkout) end it WARNINGS
    command += ["--builder", factory, "--list", "--problem-exit-code", str(INTROSPECT_PROBLEMS_EXIT)]
    if part:
        command += ["--part", part]
    command += ["-o", output]
    return [
        steps.FileDownload(mastersrc=cli, workerdest="autowatch.mjs", name="autowatch download", **quiet),
        steps.ShellCommand(command=command, name=INTROSPECT_STEP_NAME,
                           decodeRC={0: SUCCESS, INTROSPECT_PROBLEMS_EXIT: WARNINGS}, warnOnWarnings=True, **quiet),
        steps.FileUpload(workersrc=output, masterdest=os.path.join(watch_dir, safe_name + ".json"),
                         maxsize=WATCH_FILE_MAX_BYTES, mode=0o644, name="autowatch upload",
                         locks=[lock.access("exclusive")], doStepIf=_introspected, **quiet),
    ]

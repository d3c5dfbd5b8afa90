# The change sources: one poller per repository of the state.
import re

from twisted.internet import defer

import buildbot
from buildbot.changes.gitpoller import GitPoller
from buildbot.changes.hgpoller import HgPoller
from buildbot.changes.svnpoller import SVNPoller

from .base import _log, _quote


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

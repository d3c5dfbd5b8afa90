# The scheduler of each factory: one build per burst of commits, at the buildout's head.
from twisted.internet import defer

from buildbot.process.properties import Properties
from buildbot.schedulers.basic import SingleBranchScheduler

from .filters import change_filter


# how long a builder's scheduler waits for a burst of commits to end, when MANIFEST.cfg's
# tree-stable-timer does not say
DEFAULT_TREE_STABLE_TIMER = 60


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

# The change filter of each builder: the (repository, branch) pairs it watches.
from buildbot.changes.filter import ChangeFilter


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

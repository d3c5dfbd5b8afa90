# Reading and checking the state file written by `autowatch merge`.
import json
import re

from .base import __version__, _log, _quote
from .reload import _LOADED_DIGEST, _LOADED_FROM, _reload_if_changed


try:
    from buildbot.config.errors import ConfigErrors
except ImportError:  # Buildbot before config became a package
    from buildbot.config import ConfigErrors


STATE_SCHEMA = "autowatch.state/1"
VCS_KINDS = ("git", "hg", "bzr", "svn")
_SAFE_WORKDIR = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


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

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


# The helper is one file for operators: the build joins these modules into
# dist/autowatch_buildbot.py in the order they are imported here (scripts/bundle-helper.mjs).
from .base import __version__
from .reload import _reload_if_changed
from .state import STATE_SCHEMA, VCS_KINDS, StateError, empty_state, load_state
from .pollers import (BUILDBOT_VERSION, GIT_POLLER_FORGETS_AT_RECONFIG, AutowatchGitPoller, AutowatchHgPoller,
                      WatchedRefs, change_sources, poller_name)
from .filters import WatchChangeFilter, change_filter
from .webhooks import (PollerHook, PushHook, change_hook_dialects, payload_urls, pollers_by_repository,
                       pollers_for_payload, repository_key)
from .schedulers import DEFAULT_TREE_STABLE_TIMER, AutowatchScheduler, buildout_of, scheduler
from .buildsteps import (INTROSPECT_PROBLEMS_EXIT, INTROSPECT_STEP_NAME, WATCH_FILE_MAX_BYTES, autowatch_steps,
                         safe_builder_file_name)

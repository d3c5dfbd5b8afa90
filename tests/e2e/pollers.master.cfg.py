# master.cfg of the poller scenarios (tests/e2e/pollers.test.ts): new branches, pull-request
# refs, reconfigs, webhooks. Every poller polls hourly: polls happen when the test forces them
# (through a change hook), so each scenario knows what a poll saw. Settings come from e2e.json,
# so that a reconfig picks up what the test changed.
import json
import os

from buildbot.plugins import changes, schedulers, steps, util, worker
from buildbot.www.hooks.poller import PollingHandler

import autowatch_buildbot as autowatch

settings = json.load(open(os.path.join(basedir, "e2e.json")))
port = open(os.path.join(basedir, "e2e-port")).read().strip()

c = BuildmasterConfig = {}
c["buildbotNetUsageData"] = None
c["title"] = "autowatch e2e pollers"
c["db"] = {"db_url": "sqlite:///state.sqlite"}
# "idle" never connects: builds of app and control stay requested, counted, never run
c["workers"] = [worker.Worker("w1", "pass", max_builds=2), worker.Worker("idle", "pass")]
c["protocols"] = {"pb": {"port": f"tcp:{port}:interface=127.0.0.1"}}

state = autowatch.load_state(os.path.join(basedir, "autowatch", "state.json"))
c["change_source"] = autowatch.change_sources(state, poll_interval=settings["poll_interval"])


class KeepingGitPoller(autowatch._ReloadLastRev, changes.GitPoller):
    """Buildbot's GitPoller as it is since 3.11.3, keeping its revisions across a reconfig."""


# plain Buildbot pollers, the controls
for control in settings["controls"]:
    kind = changes.GitPoller if control["vcs"] == "git" else changes.HgPoller
    if control.get("keeps_revisions") and autowatch.GIT_POLLER_FORGETS_AT_RECONFIG:
        kind = KeepingGitPoller
    c["change_source"].append(kind(control["url"], name=control["name"], workdir=control["name"] + "-work",
                                   branches=control["branches"], pollInterval=settings["poll_interval"],
                                   pollAtLaunch=True))

dialects = autowatch.change_hook_dialects(state, secret=settings["secret"])
c["www"] = {
    "port": f"tcp:{settings['www_port']}:interface=127.0.0.1",
    "change_hook_dialects": {
        **dialects,
        # the test's own trigger: Buildbot's poller hook without an allow-list polls any poller
        "anypoller": {"custom_class": PollingHandler},
        # the control: Buildbot's poller hook as is, with the same allow-list
        "staticpoller": {**dialects["poller"], "custom_class": PollingHandler},
    },
}

c["schedulers"] = [
    schedulers.AnyBranchScheduler(name="control", builderNames=["control"], treeStableTimer=None,
                                  change_filter=util.ChangeFilter(repository=[control["url"] for control in settings["controls"]])),
]
for builder in ("app", "hooked"):
    change_filter = autowatch.change_filter(state, builder)
    if change_filter is not None:
        c["schedulers"].append(schedulers.AnyBranchScheduler(name=builder + "-commits", change_filter=change_filter,
                                                             builderNames=[builder], treeStableTimer=None))

factory = util.BuildFactory()
factory.addStep(steps.ShellCommand(command=["true"]))
c["builders"] = [
    util.BuilderConfig(name="app", workernames=["idle"], factory=factory),
    util.BuilderConfig(name="control", workernames=["idle"], factory=factory),
    util.BuilderConfig(name="hooked", workernames=["w1"], factory=factory),
]

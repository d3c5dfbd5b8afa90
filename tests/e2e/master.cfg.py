# master.cfg of buildbot.test.ts: settings come from e2e.json next to it, so that a reconfig
# picks up what the test changed; it carries that test's controls (a plain GitPoller, sendchange).
# The guide's own master.cfg (docs/operators.md) is what guide.test.ts runs.
import json
import os

from buildbot.plugins import changes, schedulers, steps, util, worker

# written next to this file by `autowatch buildbot-helper -o`: Buildbot imports from its base directory
import autowatch_buildbot as autowatch

settings = json.load(open(os.path.join(basedir, "e2e.json")))

c = BuildmasterConfig = {}
c["buildbotNetUsageData"] = None
c["title"] = "autowatch e2e"
c["db"] = {"db_url": "sqlite:///state.sqlite"}
c["workers"] = [worker.Worker("w1", "pass", max_builds=1)]
port = open(os.path.join(basedir, "e2e-port")).read().strip()
c["protocols"] = {"pb": {"port": f"tcp:{port}:interface=127.0.0.1"}}

state = autowatch.load_state(os.path.join(basedir, "autowatch", "state.json"))

c["change_source"] = [changes.PBChangeSource()]
c["change_source"].extend(autowatch.change_sources(state, poll_interval=2))
# A plain Buildbot poller on another repository, the control for buildbot/buildbot#7527.
c["change_source"].append(changes.GitPoller(settings["control_url"], name="control", workdir="control-work",
                                            branches=settings["control_branches"], pollInterval=2, pollAtLaunch=True))

c["schedulers"] = [
    # `buildbot sendchange` forces a build of the app
    schedulers.AnyBranchScheduler(name="force", change_filter=util.ChangeFilter(repository="force"),
                                  builderNames=["app"], treeStableTimer=None),
    schedulers.AnyBranchScheduler(name="control", change_filter=util.ChangeFilter(repository=settings["control_url"]),
                                  builderNames=["control"], treeStableTimer=None),
]
app_filter = autowatch.change_filter(state, "app")
if app_filter is not None:
    c["schedulers"].append(schedulers.AnyBranchScheduler(name="app-commits", change_filter=app_filter,
                                                         builderNames=["app"], treeStableTimer=None))

factory = util.BuildFactory()
# The buildout is cloned by hand: the AnyBranchScheduler below gives a build started by a
# dependency commit that dependency's revision, which steps.Git would apply to the buildout
# (autowatch.scheduler(), the guide's, builds the buildout's head instead: guide.test.ts).
factory.addStep(steps.ShellCommand(name="checkout", command=["sh", "-c", "rm -rf buildout && git clone -q -b main \"$0\" buildout", settings["buildout_url"]]))
factory.addStep(steps.ShellCommand(name="buildout", command=["sh", "bin/buildout"], workdir="build/buildout"))
factory.addSteps(autowatch.autowatch_steps("app", cli=settings["cli"], watch_dir=os.path.join(basedir, "autowatch", "watch"),
                                           workdir="build/buildout"))

control = util.BuildFactory()
control.addStep(steps.ShellCommand(command=["true"]))

c["builders"] = [
    util.BuilderConfig(name="app", workernames=["w1"], factory=factory),
    util.BuilderConfig(name="control", workernames=["w1"], factory=control),
]

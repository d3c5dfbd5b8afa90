# The build steps that introspect a buildout and upload its watch file to the master.
import hashlib
import os
import re

from buildbot.plugins import steps
from buildbot.plugins import util
from buildbot.process.results import SUCCESS
from buildbot.process.results import WARNINGS


WATCH_FILE_MAX_BYTES = 1024 * 1024
INTROSPECT_STEP_NAME = "autowatch introspect"
# the introspect step's exit status when it reported problems: the step ends WARNINGS
INTROSPECT_PROBLEMS_EXIT = 3
_KEPT_NAME = re.compile(r"^[A-Za-z0-9_-][A-Za-z0-9._-]*$")
_KEPT_BYTE = re.compile(rb"[A-Za-z0-9_-]")
_MAX_NAME_BYTES = 200


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

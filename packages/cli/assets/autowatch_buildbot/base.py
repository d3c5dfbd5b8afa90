# What every part of the helper uses: its version and its log lines.
import json

from twisted.python import log


__version__ = "0.1.0"


def _log(message):
    log.msg("autowatch: " + message)


def _quote(value):
    """Quotes a value from the state (it may come from a worker) for one log line."""
    return json.dumps(str(value)[:200])

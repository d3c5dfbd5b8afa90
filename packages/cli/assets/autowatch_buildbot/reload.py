# A newer helper file on disk is reloaded at the next reconfig, in place. Written for the one
# built file operators install: there `__file__`, `__name__` and the globals are the whole helper's.
import hashlib
import importlib.util
import os
import sys

from .base import __version__, _log, _quote


def _file_digest(path):
    try:
        with open(path, "rb") as stream:
            return hashlib.sha256(stream.read()).hexdigest()
    except OSError:
        return None


# what this module was loaded from: a reconfig compares it with the file on disk
_LOADED_FROM = os.path.abspath(__file__) if "__file__" in globals() else None
_LOADED_DIGEST = _file_digest(_LOADED_FROM) if _LOADED_FROM else None


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

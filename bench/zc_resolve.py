"""Resolves a buildout configuration with zc.buildout itself (Debian python3-zc.buildout) and
prints every section's options, substitutions done, as JSON: the reference the resolve
benchmark races against. Never loads or installs a recipe or an extension."""
import collections
import collections.abc
import contextlib
import json
import os
import sys

# zc.buildout 2.13 still uses collections.MutableMapping, gone in Python 3.10
collections.MutableMapping = collections.abc.MutableMapping

import zc.buildout.buildout  # noqa: E402

# Resolving a section that has a recipe would install and load the recipe: skip that step only.
zc.buildout.buildout.Options.initialize = lambda self: None


def main(config):
    # zc.buildout logs to stdout ("Creating directory ..."): keep stdout for the JSON
    with contextlib.redirect_stdout(sys.stderr):
        buildout = zc.buildout.buildout.Buildout(os.path.abspath(config), [], user_defaults=False)
        resolved = {}
        for name in sorted(buildout._raw):
            section = buildout[name]
            resolved[name] = {key: section[key] for key in sorted(section.keys())}
    json.dump(resolved, sys.stdout, sort_keys=True, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])

"""Resolve buildout configurations with zc.buildout's own machinery, installing nothing.

Reads a JSON list of cases on stdin, prints one JSON object per case on stdout.
Runs under Debian's /usr/bin/python3 with python3-zc.buildout (2.x).

How "without installing" works: Buildout.__init__ is run as is (it loads the files,
applies the defaults, user defaults and command-line options and initialises the
[buildout] and versions sections), but Options.initialize, the only step that loads a
recipe, is replaced by a no-op. Then every part of [buildout] parts is read the way
`install` reads it (`self[part]['recipe']`): errors up to here are what zc.buildout
reports before installing anything, so the case is "fatal". Finally every other
section is read; an error there is recorded per section and per option, as zc.buildout
never evaluates a section nothing uses.

An option a recipe could compute at install time (a section that has a `recipe`, an
option no file defines, e.g. ${part:location}) cannot exist without running the recipe:
the reference is then left in the value as `${section:option}` and listed as unresolved.
"""
import collections
import collections.abc

collections.MutableMapping = collections.abc.MutableMapping  # zc.buildout 2.x on Python >= 3.10

import copy
import io
import json
import logging
import os
import platform
import sys

import pkg_resources
import zc.buildout
import zc.buildout.buildout as zb

ORIGINAL_GET = zb.Options.get
UNRESOLVED = []


def initialize_without_recipe(self):
    """Replaces Options.initialize, which would install and run the recipe."""


def get_recipe_computed(self, option, default=None, seen=None):
    value = ORIGINAL_GET(self, option, default, seen)
    if (value is None and default is None and seen is not None
            and 'recipe' in self._raw and option != '_buildout_section_name_'):
        UNRESOLVED.append([self.name, option])
        return '${%s:%s}' % (self.name, option)
    return value


zb.Options.initialize = initialize_without_recipe
zb.Options.get = get_recipe_computed


def error_text(error):
    if isinstance(error, zc.buildout.UserError):
        return str(error)
    return '%s: %s' % (type(error).__name__, error)


def sources(annotated):
    result = {}
    for section, options in annotated.items():
        result[section] = {}
        for option, key in options.items():
            result[section][option] = key.source
    return result


def section_values(buildout, name):
    options = buildout[name]
    return dict((key, options[key]) for key in options.keys())


def option_by_option(buildout, name):
    """A section zc.buildout could not initialise: each option on its own."""
    values, errors = {}, {}
    options = zb.Options(buildout, name, buildout._raw[name])
    try:
        if '<' in options._raw:
            options._raw = options._do_extend_raw(name, options._raw, [])
    except Exception as error:
        return values, {'<': error_text(error)}
    for key in list(options._raw):
        try:
            values[key] = options[key]
        except Exception as error:
            errors[key] = error_text(error)
    return values, errors


def resolve(case):
    os.environ.pop('BUILDOUT_HOME', None)
    for key, value in case.get('env', {}).items():
        os.environ[key] = value
    del UNRESOLVED[:]
    overrides = []
    for text in case.get('overrides', []):
        option, value = text.split('=', 1)
        section, option = option.split(':') if ':' in option else ('buildout', option)
        overrides.append((section.strip(), option.strip(), value.strip()))
    os.chdir(case['dir'])
    try:
        buildout = zb.Buildout(case['config'], overrides, case.get('userDefaults', True), 'install', [])
        parts = buildout['buildout']['parts']
        for part in parts.split():
            buildout[part]['recipe']
    except BaseException as error:
        return {'ok': False, 'error': error_text(error)}
    result = {'ok': True, 'sections': {}, 'sectionErrors': {}, 'origins': sources(buildout._annotated)}
    for name in sorted(buildout._raw):
        try:
            result['sections'][name] = section_values(buildout, name)
        except Exception as error:
            values, errors = option_by_option(buildout, name)
            result['sections'][name] = values
            result['sectionErrors'][name] = {'error': error_text(error), 'options': errors}
    result['unresolved'] = sorted(set(tuple(u) for u in UNRESOLVED))
    return result


def main():
    cases = json.load(sys.stdin)
    stdout = sys.stdout
    home = os.getcwd()
    version = pkg_resources.working_set.find(pkg_resources.Requirement.parse('zc.buildout')).version
    saved_environ = dict(os.environ)
    for case in cases:
        # zc.buildout logs to stdout: keep stdout for the JSON lines only
        sys.stdout = io.StringIO()
        root = logging.getLogger()
        handlers = list(root.handlers)
        try:
            result = resolve(case)
        finally:
            sys.stdout = stdout
            for handler in list(root.handlers):
                if handler not in handlers:
                    root.removeHandler(handler)
            logging.getLogger('zc.buildout').handlers[:] = []
            os.environ.clear()
            os.environ.update(saved_environ)
            os.chdir(home)
        result['name'] = case['name']
        result['executable'] = sys.executable
        result['buildoutVersion'] = version
        result['pythonVersion'] = platform.python_version()
        stdout.write(json.dumps(result, sort_keys=True) + '\n')
        stdout.flush()


if __name__ == '__main__':
    main()

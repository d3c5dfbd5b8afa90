"""The seed system's master-side merge (anybox.buildbot.odoo, watch.py's MultiWatcher), written
again in Python 3 for the merge benchmark: the peer autowatch's cron merge is measured against.

What the seed's master does at each `buildbot reconfig`, step by step, and nothing more:
- parse each MANIFEST.cfg with a ConfigParser whose `get` falls back to the section named by the
  section's `inherit` option;
- per section: `auto-watch` (true unless it says otherwise), the `watch` lines, and the buildout's
  own repository when the `buildout` option names a VCS (its tokens without `=`, minus the last);
- when auto-watch is on, open the builder's watch file and `json.loads` it; a missing file or one
  that is not JSON is skipped; every entry's url, vcs and revspec is taken as is (no validation
  at all: no schema, no URL or branch check, no policy);
- one poller key per (vcs, url): sha1 of the URL, the URL rewritten by the prefix rules, the
  branches of every builder gathered per repository, and each builder's url -> (vcs, branch).

Differences forced by the farm's layout, none of them validation: watch files are
`<watch-dir>/<builder>.json`, and version 2 files (an object with a `watches` list) are read
like the seed's legacy list. A file whose entries lack a key would raise in the seed and stop
the master; here that file is skipped, so that the run measures a whole farm.

usage: python3 bench/seed_merge.py WATCH_DIR MANIFEST [MANIFEST...] [--rewrite=FROM=TO...] [--list]
Prints a one-line JSON summary (builders, repositories, watches) on stdout; with --list, also
every repository as [vcs, url] (for the harness's own test).
"""

import configparser
import hashlib
import json
import os
import sys

SPEC_LENGTH = {"bzr": 1, "hg": 2, "git": 2}


class InheritingParser(configparser.ConfigParser):
    """`get` looks in the inherited section when the option is not in this one."""

    def get(self, section, option, **kwargs):
        try:
            return super().get(section, option, **kwargs)
        except configparser.NoOptionError:
            try:
                parent = super().get(section, "inherit")
            except configparser.NoOptionError:
                raise
            return self.get(parent, option, **kwargs)


def branch_spec(line):
    tokens = line.split()
    vcs = tokens[0]
    if vcs not in SPEC_LENGTH:
        raise ValueError("unsupported VCS %r" % vcs)
    if len(tokens) != 1 + SPEC_LENGTH[vcs]:
        raise ValueError("wrong number of tokens in %r" % line)
    return vcs, tokens[1], tuple(tokens[2:])


class Watcher:
    def __init__(self, watch_dir, manifests, rules):
        self.watch_dir = watch_dir
        self.manifests = manifests
        self.rules = rules
        self.hashes = {}
        self.repos = {}
        self.builders = {}
        self.rewritten = {}

    def rewrite(self, url):
        known = self.rewritten.get(url)
        if known is not None:
            return known
        result = url
        for prefix, replacement in self.rules:
            if result.startswith(prefix):
                result = replacement + result[len(prefix):]
        if result.startswith("lp:"):
            result = "https://bazaar.launchpad.net/+branch/" + result[3:]
        self.rewritten[url] = result
        return result

    def auto_watches(self, builder):
        path = os.path.join(self.watch_dir, builder + ".json")
        try:
            with open(path) as handle:
                document = json.loads(handle.read())
        except OSError:
            return []
        except ValueError:
            return []
        entries = document.get("watches", []) if isinstance(document, dict) else document
        try:
            return [(entry["url"], entry["vcs"], (entry["revspec"],)) for entry in entries]
        except (KeyError, TypeError):
            return []

    def read(self):
        for manifest in self.manifests:
            parser = InheritingParser(strict=False)
            parser.read(manifest)
            for builder in parser.sections():
                if builder in self.builders:
                    raise ValueError("builder %r defined twice" % builder)
                watched = self.builders[builder] = {}
                try:
                    auto = parser.get(builder, "auto-watch").strip().lower() == "true"
                except (configparser.Error, ValueError):
                    auto = True
                try:
                    lines = parser.get(builder, "watch")
                except configparser.NoOptionError:
                    lines = ""
                lines = [line.strip() for line in lines.splitlines() if line.strip()]
                try:
                    address = parser.get(builder, "buildout").split()
                except configparser.NoOptionError:
                    address = []
                if address and address[0] in SPEC_LENGTH:
                    lines.append(" ".join([token for token in address if "=" not in token][:-1]))
                first = {}
                for line in lines:
                    vcs, url, spec = branch_spec(line)
                    first[url] = vcs, spec
                if auto:
                    for url, vcs, spec in self.auto_watches(builder):
                        first[url] = vcs, spec
                for url, (vcs, spec) in first.items():
                    digest = hashlib.sha1(url.encode("utf-8", "surrogateescape")).hexdigest()
                    self.hashes[vcs, url] = digest
                    final = self.rewrite(url)
                    self.repos.setdefault(digest, (vcs, final, set()))[2].add(spec)
                    watched[final] = vcs, spec


def main(argv):
    rules = []
    paths = []
    listed = "--list" in argv
    for arg in argv:
        if arg == "--list":
            continue
        if arg.startswith("--rewrite="):
            source, _, target = arg[len("--rewrite="):].partition("=")
            rules.append((source, target))
        else:
            paths.append(arg)
    watcher = Watcher(paths[0], paths[1:], rules)
    watcher.read()
    watches = sum(len(watched) for watched in watcher.builders.values())
    summary = {"builders": len(watcher.builders), "repositories": len(watcher.repos), "watches": watches}
    if listed:
        summary["list"] = sorted([vcs, url] for vcs, url, _ in watcher.repos.values())
    print(json.dumps(summary))


if __name__ == "__main__":
    main(sys.argv[1:])

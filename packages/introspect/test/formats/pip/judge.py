"""pip's own reading of requirement files, for the conformance suite (pip is the judge).

Usage: judge.py FILE... ; prints one JSON object: file -> {"ok": true, "requirements": [...]}
or {"ok": false, "error": "..."} (pip stops at the first line it refuses). Each requirement:
file and line it was declared on, editable, constraint, name, whether it has markers, and for a
VCS URL the vcs, url, revision and subdirectory pip's VCS backend gets from it.
"""
import json
import re
import sys

from pip._internal.exceptions import InstallationError
from pip._internal.network.session import PipSession
from pip._internal.req.constructors import install_req_from_parsed_requirement
from pip._internal.req.req_file import parse_requirements
from pip._internal.vcs import vcs

COMES_FROM = re.compile(r"^-[rc] (.*) \(line (\d+)\)$")


def judge(path, session):
    requirements = []
    try:
        for parsed in parse_requirements(path, session=session):
            where = COMES_FROM.match(parsed.comes_from)
            entry = {
                "file": where.group(1),
                "line": int(where.group(2)),
                "editable": parsed.is_editable,
                "constraint": parsed.constraint,
            }
            try:
                ireq = install_req_from_parsed_requirement(parsed)
            except InstallationError as error:
                entry["error"] = str(error)
                requirements.append(entry)
                continue
            entry["name"] = ireq.name
            entry["marker"] = ireq.markers is not None
            link = ireq.link
            if link is not None and link.is_vcs:
                backend = vcs.get_backend_for_scheme(link.scheme)
                url, rev, _ = backend.get_url_rev_and_auth(link.url_without_fragment)
                entry.update(vcs=backend.name, url=url, revision=rev, subdirectory=link.subdirectory_fragment)
            requirements.append(entry)
    except Exception as error:  # pip refuses the file (InstallationError, RequirementsFileParseError...)
        return {"ok": False, "error": f"{type(error).__name__}: {error}", "requirements": requirements}
    return {"ok": True, "requirements": requirements}


def main():
    session = PipSession()
    print(json.dumps({path: judge(path, session) for path in sys.argv[1:]}))


main()

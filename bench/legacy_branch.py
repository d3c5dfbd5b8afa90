"""What the original Python helper did to tell live from pinned: one `git branch -a` per source,
in sequence. Reads the generated sources (JSON: path, revspec) and prints how many are live."""
import json
import subprocess
import sys


def main(sources_file):
    with open(sources_file) as handle:
        sources = json.load(handle)
    live = 0
    for source in sources:
        output = subprocess.run(["git", "branch", "-a"], cwd=source["path"], capture_output=True, text=True, check=True).stdout
        branches = {line.lstrip("* ").strip().removeprefix("remotes/origin/") for line in output.splitlines()}
        if source["revspec"] in branches:
            live += 1
    print(live)


if __name__ == "__main__":
    main(sys.argv[1])

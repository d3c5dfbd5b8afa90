#!/usr/bin/python3
"""`pnpm lint`'s size rule for Python sources, the one ESLint applies to TypeScript (max-lines,
max-lines-per-function): no .py file under packages/, bench/ or scripts/ over 400 lines, and no
function over 80 lines (from its `def` line to its last line; a nested function counts in its
parent too). Not sources: build output (dist/, where the one-file Buildbot helper is built),
dependencies (node_modules/), test data (fixtures/) and hidden directories.

    /usr/bin/python3 scripts/python-size.py [ROOT]     (ROOT: the workspace, default this script's)

Exit 1 with one `FILE:LINE: ...` line per excess, else 0 with a one-line count."""

import ast
import os
import sys

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 80
TREES = ("packages", "bench", "scripts")
NOT_SOURCES = {"dist", "node_modules", "fixtures", "__pycache__"}


def python_files(root):
    for tree in TREES:
        for directory, subdirectories, files in os.walk(os.path.join(root, tree)):
            subdirectories[:] = sorted(d for d in subdirectories if d not in NOT_SOURCES and not d.startswith("."))
            for name in sorted(files):
                if name.endswith(".py"):
                    yield os.path.join(directory, name)


def excesses(path, shown):
    """The (line, message) of each excess in one file, and its number of functions."""
    with open(path, "rb") as stream:
        source = stream.read()
    found = []
    lines = len(source.decode("utf-8", "replace").splitlines())
    if lines > MAX_FILE_LINES:
        found.append((1, f"{lines} lines (max {MAX_FILE_LINES}): split it by concern"))
    try:
        tree = ast.parse(source, filename=shown)
    except SyntaxError as error:
        return found + [(error.lineno or 1, f"not valid Python ({error.msg})")], 0
    functions = [node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for node in functions:
        length = node.end_lineno - node.lineno + 1
        if length > MAX_FUNCTION_LINES:
            found.append((node.lineno, f"function {node.name} is {length} lines (max {MAX_FUNCTION_LINES})"))
    return sorted(found), len(functions)


def main(argv):
    root = os.path.abspath(argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
    files = functions = 0
    failed = []
    for path in python_files(root):
        shown = os.path.relpath(path, root)
        found, count = excesses(path, shown)
        files += 1
        functions += count
        failed.extend(f"{shown}:{line}: {message}" for line, message in found)
    if failed:
        print("\n".join(failed), file=sys.stderr)
        return 1
    print(f"python-size: {files} Python files, {functions} functions: none over {MAX_FILE_LINES} lines, "
          f"no function over {MAX_FUNCTION_LINES}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

// scripts/bundle-helper.mjs: the Buildbot helper's modules (assets/autowatch_buildbot/) joined into
// the one file operators install (dist/autowatch_buildbot.py, which the CLI prints).
const SCRIPT = fileURLToPath(new URL("../scripts/bundle-helper.mjs", import.meta.url));
const SOURCES = fileURLToPath(new URL("../assets/autowatch_buildbot", import.meta.url));
const BUILT = fileURLToPath(new URL("../dist/autowatch_buildbot.py", import.meta.url));
const hasBuildbot = existsSync("/usr/bin/buildbot") && existsSync("/usr/lib/python3/dist-packages/buildbot");
const root = mkdtempSync(join(tmpdir(), "autowatch-helper-build-"));
const pythonEnv = { PATH: process.env.PATH, PYTHONDONTWRITEBYTECODE: "1", LANG: "C" };
let made = 0;

afterAll(() => rmSync(root, { recursive: true, force: true }));

function bundle(source: string, out = join(root, `out-${(made += 1)}.py`)) {
  const result = spawnSync(process.execPath, [SCRIPT, "--source", source, "--out", out], { encoding: "utf8" });
  return { status: result.status, err: result.stderr, text: existsSync(out) ? readFileSync(out, "utf8") : undefined, out };
}

/** A made-up helper package: file name → text. */
function sources(files: Record<string, string>): string {
  const dir = join(root, `pkg-${(made += 1)}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const INIT = '"""The made-up helper."""\nfrom .a import f\nfrom .b import g\n';
const A = "# a: the first part\nimport os\n\n\ndef f():\n    return len(os.sep)\n";
const B = "# b: the second part\nimport os\nfrom .a import (\n    f,  # one\n)\n\n\ndef g():\n    return f() + 1\n";

describe("bundle-helper", () => {
  it("gives the built helper, byte for byte, from its sources, every time", () => {
    const first = bundle(SOURCES);
    const second = bundle(SOURCES);
    expect(first.status, first.err).toBe(0);
    expect(first.text).toBe(second.text);
    expect(first.text).toBe(readFileSync(BUILT, "utf8"));
    expect(first.text).toMatch(/^# GENERATED FILE: do not edit\. .*\n# packages\/cli\/assets\/autowatch_buildbot\/ /);
    const docstring = /^"""[\s\S]*?"""\n/.exec(readFileSync(join(SOURCES, "__init__.py"), "utf8"))![0];
    expect(first.text).toContain(`\n\n\n${docstring}`);
    expect(first.text).not.toMatch(/^from \./m);
  });

  it("joins the modules in the order __init__.py imports them, without their imports of each other", () => {
    const { status, err, text, out } = bundle(sources({ "__init__.py": INIT, "a.py": A, "b.py": B }));
    expect(status, err).toBe(0);
    const [header, rest] = [/^(#[^\n]*\n)+/.exec(text!)![0], text!.replace(/^(#[^\n]*\n)+\n\n/, "")];
    expect(header).toMatch(/^# GENERATED FILE: do not edit\./);
    expect(rest).toBe(
      [
        '"""The made-up helper."""',
        `# ---- autowatch_buildbot/a.py ----\n${A.trim()}`,
        "# ---- autowatch_buildbot/b.py ----\n# b: the second part\nimport os\n\n\ndef g():\n    return f() + 1\n",
      ].join("\n\n\n"),
    );
    const run = (script: string) => execFileSync("/usr/bin/python3", ["-c", script, out], { encoding: "utf8", env: pythonEnv });
    expect(
      run(
        "import importlib.util, sys\nspec = importlib.util.spec_from_file_location('m', sys.argv[1])\nm = importlib.util.module_from_spec(spec)\nspec.loader.exec_module(m)\nprint(m.g(), m.__doc__)",
      ),
    ).toBe("2 The made-up helper.\n");
  });

  it.each([
    ["a module __init__.py does not import", { "c.py": "X = 1\n" }, /__init__\.py does not import c\.py/],
    ["an import of a module that is not there", { "__init__.py": `${INIT}from .c import h\n` }, /imports c, which has no c\.py/],
    [
      "a module imported before one it needs",
      { "__init__.py": '"""D."""\nfrom .b import g\nfrom .a import f\n' },
      /b\.py:3: imports a, which __init__\.py does not import before b/,
    ],
    ["an import of a sibling under another name", { "b.py": "from .a import f as h\n" }, /b\.py:1: "as" and "\*" are not supported in imports between modules/],
    ["a name a sibling does not define", { "b.py": "from .a import h\n\n\ndef g():\n    return h()\n" }, /b\.py:1: a\.py does not define h/],
    ["a name __init__.py exports that its module does not define", { "__init__.py": `${INIT}from .a import zz\n` }, /a\.py does not define zz/],
    ["one name defined in two modules", { "b.py": `${B}\n\ndef f():\n    return 0\n` }, /b\.py binds f, which a\.py binds too/],
    [
      "one name imported from two places",
      { "a.py": `from os import path\n${A}`, "b.py": `from sys import path\n${B}` },
      /b\.py binds path, which a\.py binds too \(from os import path; here from sys import path\)/,
    ],
    ["code in __init__.py", { "__init__.py": `${INIT}X = 1\n` }, /holds only its docstring and the imports of its modules, not: X = 1/],
    [
      "an __init__.py without the helper's docstring",
      { "__init__.py": "from .a import f\nfrom .b import g\n" },
      /__init__\.py: must start with the helper's docstring/,
    ],
  ])("refuses %s, saying where", (_what, changes, message) => {
    const result = bundle(sources({ "__init__.py": INIT, "a.py": A, "b.py": B, ...changes }));
    expect(result.status).toBe(1);
    expect(result.err).toMatch(message);
    expect(result.err).toMatch(/^bundle-helper: [^\n]*\n$/);
    expect(result.text).toBeUndefined();
  });

  it.skipIf(!hasBuildbot)("each module imports what it uses, and the modules bind the names the built file binds", () => {
    // the sources work as Python on their own, not only once joined: every global name a function
    // or class uses (symtable) is bound in its own module
    const script = [
      "import builtins, importlib, importlib.util, json, pkgutil, symtable, sys, types",
      "def names(module):",
      "    return {k: type(v).__name__ for k, v in vars(module).items() if not isinstance(v, types.ModuleType)",
      "            and (k == '__version__' or not k.startswith('__'))}",
      "def used(table):",
      "    own = {s.get_name() for s in table.get_symbols() if s.is_global() and s.is_referenced()}",
      "    return own.union(*(used(child) for child in table.get_children()))",
      "package = importlib.import_module('autowatch_buildbot')",
      "parts = {}",
      "unbound = []",
      "for info in pkgutil.iter_modules(package.__path__):",
      "    module = importlib.import_module('autowatch_buildbot.' + info.name)",
      "    parts.update(names(module))",
      "    table = symtable.symtable(open(module.__file__).read(), module.__file__, 'exec')",
      "    unbound += [f'{info.name}.py: {name}' for name in sorted(used(table) - set(vars(module)) - set(dir(builtins)))]",
      "spec = importlib.util.spec_from_file_location('built', sys.argv[1])",
      "built = importlib.util.module_from_spec(spec)",
      "spec.loader.exec_module(built)",
      "print(json.dumps([unbound, sorted(parts.items()), sorted(names(built).items())]))",
    ].join("\n");
    const out = execFileSync("/usr/bin/python3", ["-c", script, BUILT], { encoding: "utf8", env: { ...pythonEnv, PYTHONPATH: join(SOURCES, "..") } });
    const [unbound, parts, built] = JSON.parse(out) as [string[], string[][], string[][]];
    expect(unbound).toEqual([]);
    expect(parts.length).toBeGreaterThan(60);
    expect(parts).toEqual(built);
  });
});

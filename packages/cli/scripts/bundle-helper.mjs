#!/usr/bin/env node
// Builds the Buildbot helper that operators install beside master.cfg as one file,
// dist/autowatch_buildbot.py, from its modules in assets/autowatch_buildbot/: the docstring of
// __init__.py, then each module in the order __init__.py imports it, without the imports between
// them. The result is one module whose names are those of all the parts, so that the reload at a
// reconfig (one file, one sha256) and `import autowatch_buildbot` stay as they were. Deterministic:
// the same sources give the same bytes.
//   node scripts/bundle-helper.mjs [--source DIR] [--out FILE]   (defaults: the package's)
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

export const PACKAGE = "autowatch_buildbot";
const HERE = dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = join(HERE, "..", "assets", PACKAGE);
export const OUTPUT = join(HERE, "..", "dist", `${PACKAGE}.py`);

const HEADER = [
  "# GENERATED FILE: do not edit. The autowatch build joins it from the modules of",
  `# packages/cli/assets/${PACKAGE}/ (packages/cli/scripts/bundle-helper.mjs); edit those.`,
  "# Install it as one file beside master.cfg: `autowatch buildbot-helper -o MASTER_DIR/autowatch_buildbot.py`.",
];

class BundleError extends Error {}

/** `from .x import a, b` (possibly in brackets over several lines) → { module: "x", names }. */
function relativeImport(text, where) {
  const match = /^from\s+\.(\w*)\s+import\s+\(?([^)]*)\)?\s*$/s.exec(text.replace(/#[^\n]*/g, ""));
  if (!match) throw new BundleError(`${where}: cannot read this import of a sibling module`);
  if (match[1] === "") throw new BundleError(`${where}: import the modules by name (from .NAME import ...)`);
  // a trailing comma leaves an empty last name
  const names = match[2]
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.some((name) => !/^\w+$/.test(name))) throw new BundleError(`${where}: "as" and "*" are not supported in imports between modules`);
  return { module: match[1], names };
}

/** A module's imports of its siblings (a line that starts with `from .`, and its bracket), and its other lines. */
function siblingImports(lines, file, firstLine = 1) {
  const imports = [];
  const rest = [];
  for (let index = 0; index < lines.length; index += 1) {
    if (!/^from\s+\./.test(lines[index])) {
      rest.push(lines[index]);
      continue;
    }
    const start = index;
    if (lines[index].includes("(")) while (!lines[index].includes(")") && index + 1 < lines.length) index += 1;
    const where = `${file}:${start + firstLine}`;
    imports.push({ ...relativeImport(lines.slice(start, index + 1).join("\n"), where), where });
  }
  return { imports, rest };
}

/** `a`, `a as b`, `os.path` → the name the import binds (`a`, `b`, `os`). */
const boundName = (spec) => /\sas\s+(\w+)/.exec(spec)?.[1] ?? /\w+/.exec(spec)?.[0] ?? "";

/** The names a module binds at top level, each with what binds it (an import, or the module itself). */
function bindings(lines, module) {
  const bound = new Map();
  for (const line of lines) {
    const code = line.replace(/#.*$/, "").trimEnd();
    // imports also count inside a top-level try/except (one indentation level)
    const from = /^(?: {4})?from\s+([\w.]+)\s+import\s+\(?([^)]+)\)?$/.exec(code);
    const plain = /^(?: {4})?import\s+(.+)$/.exec(code);
    const own = /^(?:async\s+def|def|class)\s+(\w+)/.exec(code) ?? /^(\w+)\s*(?::[^=]*)?=(?!=)/.exec(code);
    const clause = from?.[2] ?? plain?.[1] ?? "";
    const specs = clause.split(",").filter((spec) => spec.trim() !== "");
    if (from) for (const spec of specs) bound.set(boundName(spec), `from ${from[1]} import ${spec.trim()}`);
    else if (plain) for (const spec of specs) bound.set(boundName(spec), `import ${spec.trim()}`);
    else if (own) bound.set(own[1], `${module}.py`);
  }
  return bound;
}

/** The docstring of __init__.py, the modules in the order it imports them, and the names it takes from each. */
function readInit(sourceDir) {
  const where = `${PACKAGE}/__init__.py`;
  const text = readFileSync(join(sourceDir, "__init__.py"), "utf8");
  const docstring = /^("""[\s\S]*?""")\n/.exec(text);
  if (!docstring) throw new BundleError(`${where}: must start with the helper's docstring`);
  const lines = text.slice(docstring[0].length).split("\n");
  const { imports, rest } = siblingImports(lines, where, docstring[0].split("\n").length);
  const code = rest.find((line) => !/^\s*(#.*)?$/.test(line));
  if (code !== undefined) throw new BundleError(`${where}: holds only its docstring and the imports of its modules, not: ${code}`);
  const order = [];
  const exported = new Map();
  for (const imported of imports) {
    if (!order.includes(imported.module)) order.push(imported.module);
    exported.set(imported.module, [...(exported.get(imported.module) ?? []), ...imported.names]);
  }
  return { docstring: docstring[1], order, exported };
}

/** One module without its imports of sibling modules; checks that they come earlier. */
function readModule(sourceDir, module, earlier, exported) {
  const lines = readFileSync(join(sourceDir, `${module}.py`), "utf8").split("\n");
  const { imports, rest: kept } = siblingImports(lines, `${PACKAGE}/${module}.py`);
  for (const { module: from, names, where } of imports) {
    if (!earlier.has(from)) throw new BundleError(`${where}: imports ${from}, which __init__.py does not import before ${module}`);
    const missing = names.filter((name) => !earlier.get(from).has(name));
    if (missing.length > 0) throw new BundleError(`${where}: ${from}.py does not define ${missing.join(", ")}`);
  }
  for (const name of exported.get(module) ?? []) {
    if (!bindings(kept, module).has(name)) throw new BundleError(`${PACKAGE}/__init__.py: ${module}.py does not define ${name}`);
  }
  return kept.join("\n").trim();
}

/** The one-file helper, from the modules in sourceDir. */
export function bundleHelper(sourceDir = SOURCE_DIR) {
  const { docstring, order, exported } = readInit(sourceDir);
  const files = readdirSync(sourceDir)
    .filter((name) => name.endsWith(".py") && name !== "__init__.py")
    .map((name) => name.slice(0, -3))
    .sort();
  const unlisted = files.filter((name) => !order.includes(name));
  if (unlisted.length > 0) throw new BundleError(`${PACKAGE}/__init__.py does not import ${unlisted.map((name) => `${name}.py`).join(", ")}`);
  const earlier = new Map();
  const owners = new Map();
  const parts = [];
  for (const module of order) {
    if (!files.includes(module)) throw new BundleError(`${PACKAGE}/__init__.py imports ${module}, which has no ${module}.py`);
    const body = readModule(sourceDir, module, earlier, exported);
    const bound = bindings(body.split("\n"), module);
    for (const [name, by] of bound) {
      const other = owners.get(name);
      // one name for two things would make the one file differ from the modules
      if (other && (other.by !== by || (!by.startsWith("from ") && !by.startsWith("import ")))) {
        throw new BundleError(`${PACKAGE}/${module}.py binds ${name}, which ${other.module}.py binds too (${other.by}; here ${by})`);
      }
      if (!other) owners.set(name, { module, by });
    }
    earlier.set(module, bound);
    parts.push(`# ---- ${PACKAGE}/${module}.py ----\n${body}`);
  }
  return `${[HEADER.join("\n"), docstring, ...parts].join("\n\n\n").replace(/\n{4,}/g, "\n\n\n")}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { source: { type: "string", default: SOURCE_DIR }, out: { type: "string", default: OUTPUT } } });
  try {
    const text = bundleHelper(values.source);
    mkdirSync(dirname(values.out), { recursive: true });
    writeFileSync(values.out, text);
  } catch (error) {
    if (!(error instanceof BundleError)) throw error;
    console.error(`bundle-helper: ${error.message}`);
    process.exit(1);
  }
}

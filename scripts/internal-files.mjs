#!/usr/bin/env node
// Lists the source files of each package that declare nothing its entry points export (internal
// modules) and lack the one-line header `// Internal to @autowatch/<pkg>: ...`; `--write` adds it.
//   node scripts/internal-files.mjs [--write]
// Entry points: the `src/` files the package's exports map and bin are built from (tsup entries).
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";

const root = resolve(import.meta.dirname, "..");
const write = process.argv.includes("--write");
// src files behind each package's entry points (the exports map's dist files are built from these)
const ENTRIES = {
  watchfile: ["index.ts", "text.ts", "json-schema.ts"],
  manifest: ["index.ts"],
  introspect: ["index.ts", "resolver.ts"],
  merge: ["index.ts"],
  cli: ["api.ts", "index.ts"],
};

let missing = 0;
for (const pkg of readdirSync(join(root, "packages")).sort()) {
  const entries = (ENTRIES[pkg] ?? ["index.ts"]).map((file) => join(root, "packages", pkg, "src", file));
  const program = ts.createProgram(entries, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const declaring = new Set(entries);
  for (const entry of entries) {
    const module = checker.getSymbolAtLocation(program.getSourceFile(entry));
    for (let symbol of module ? checker.getExportsOfModule(module) : []) {
      if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
      for (const declaration of symbol.declarations ?? []) declaring.add(declaration.getSourceFile().fileName);
    }
  }
  const header = `// Internal to @autowatch/${pkg}: not exported (the public API is what README.md documents).\n`;
  const files = execFileSync("git", ["ls-files", "*.ts"], { cwd: join(root, "packages", pkg, "src"), encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  for (const file of files.map((f) => join(root, "packages", pkg, "src", f))) {
    if (declaring.has(file)) continue;
    const text = readFileSync(file, "utf8");
    if (/^(#![^\n]*\n)?\/\/ Internal to @autowatch\//.test(text)) continue;
    missing++;
    console.log(`${write ? "marked" : "unmarked"} internal file: ${file.slice(root.length + 1)}`);
    if (write) writeFileSync(file, text.startsWith("#!") ? text.replace("\n", `\n${header}`) : header + text);
  }
}
if (!write && missing > 0) process.exitCode = 1;

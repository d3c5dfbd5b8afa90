#!/usr/bin/env node
// Counts the runtime exports of every JavaScript entry point in every package's `exports` map
// (built dist, so run `pnpm build` first). Usage: node scripts/api-count.mjs [--names] [--json]
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(import.meta.dirname, "..");
const showNames = process.argv.includes("--names");
const asJson = process.argv.includes("--json");

/** The file an `exports` target loads under the "import" condition, or null for non-code (JSON, package.json). */
function importTarget(target) {
  if (typeof target === "string") return /\.(m?js)$/.test(target) ? target : null;
  if (target && typeof target === "object") return importTarget(target.import ?? target.default ?? null);
  return null;
}

const rows = [];
for (const dir of readdirSync(join(root, "packages")).sort()) {
  const pkgDir = join(root, "packages", dir);
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    const file = importTarget(target);
    if (file === null) continue;
    // The cli's module has side effects only when run as the bin, not when imported.
    const names = Object.keys(await import(pathToFileURL(join(pkgDir, file)).href)).sort();
    rows.push({ entry: subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`, count: names.length, names });
  }
}

const total = rows.reduce((n, r) => n + r.count, 0);
if (asJson) {
  console.log(JSON.stringify({ total, entryPoints: rows.length, rows }, null, 2));
} else {
  for (const r of rows) {
    console.log(`${String(r.count).padStart(4)}  ${r.entry}`);
    if (showNames) console.log(`      ${r.names.join(", ")}`);
  }
  console.log(`${String(total).padStart(4)}  total runtime exports across ${rows.length} entry points`);
}

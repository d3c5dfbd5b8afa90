#!/usr/bin/env node
// Counts the runtime exports of every JavaScript entry point in every package's `exports` map
// (built dist, so run `pnpm build` first). Usage: node scripts/api-count.mjs [--names] [--json] [--check]
// --check (run by `pnpm lint`) fails when an export is not named in its package's README (as a
// code span, `name` or `name(...)`, or imported in an example): runtime exports, and the types of
// the API reports (packages/<pkg>/etc/*.api.md); or when one runtime name is exported by two entry
// points (each name has one home: a re-export under another entry point, or a namesake, is refused;
// a type may be repeated where a subpath's functions take it).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const root = resolve(import.meta.dirname, "..");
const showNames = process.argv.includes("--names");
const asJson = process.argv.includes("--json");
const check = process.argv.includes("--check");

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
    rows.push({ entry: subpath === "." ? pkg.name : `${pkg.name}/${subpath.slice(2)}`, count: names.length, names, readme: join(pkgDir, "README.md") });
  }
}

/** Whether a package's README names `name`: as a code span (`name`, `name(...)`...) or imported from the package in an example. */
function documented(readmeFile, name) {
  const readme = readFileSync(readmeFile, "utf8");
  const own = `@autowatch/${relative(join(root, "packages"), readmeFile).split(/[\\/]/)[0]}`;
  const imported = [...readme.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*"([^"]+)"/g)]
    .filter((m) => m[2] === own || m[2].startsWith(`${own}/`))
    .flatMap((m) => m[1].split(",").map((n) => n.trim().replace(/^type\s+/, "")));
  return imported.includes(name) || new RegExp(`\`${name.replace(/\$/g, "\\$")}[\`(<.,:= [/]`).test(readme);
}

const total = rows.reduce((n, r) => n + r.count, 0);
if (check) {
  const failures = [];
  const homes = new Map();
  for (const r of rows) {
    for (const name of r.names) {
      if (!documented(r.readme, name)) failures.push(`${r.entry} exports ${name}, which ${relative(root, r.readme)} does not document`);
      if (homes.has(name)) failures.push(`${name} is exported by both ${homes.get(name)} and ${r.entry}`);
      else homes.set(name, r.entry);
    }
  }
  for (const dir of readdirSync(join(root, "packages")).sort()) {
    const etc = join(root, "packages", dir, "etc");
    const readme = join(root, "packages", dir, "README.md");
    if (!existsSync(etc)) continue;
    for (const report of readdirSync(etc).filter((f) => f.endsWith(".api.md"))) {
      const types = [...readFileSync(join(etc, report), "utf8").matchAll(/^export (?:declare )?(?:interface|type|class|enum) ([A-Za-z_$][\w$]*)/gm)].map(
        (m) => m[1],
      );
      for (const name of types)
        if (!documented(readme, name)) failures.push(`packages/${dir}/etc/${report} has type ${name}, which ${relative(root, readme)} does not document`);
    }
  }
  for (const failure of failures) console.error(`api: ${failure}`);
  process.exitCode = failures.length > 0 ? 1 : 0;
} else if (asJson) {
  console.log(JSON.stringify({ total, entryPoints: rows.length, rows: rows.map(({ readme: _readme, ...row }) => row) }, null, 2));
} else {
  for (const r of rows) {
    console.log(`${String(r.count).padStart(4)}  ${r.entry}`);
    if (showNames) console.log(`      ${r.names.join(", ")}`);
  }
  console.log(`${String(total).padStart(4)}  total runtime exports across ${rows.length} entry points`);
}

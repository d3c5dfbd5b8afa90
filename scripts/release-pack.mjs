#!/usr/bin/env node
// `pnpm release:pack [--out DIR] [--no-build]`: everything a master needs to install autowatch
// without the workspace and without a registry:
//   DIR/autowatch-<pkg>-<version>.tgz   the five packages (workspace:^ ranges made real by pnpm pack)
//   DIR/vendor/*.tgz                    their third-party runtime dependencies, from pnpm-lock.yaml
//   DIR/autowatch.mjs                   the single-file CLI for workers
//   DIR/SHA256SUMS
// Then, offline: npm install --offline --prefix PREFIX DIR/*.tgz DIR/vendor/*.tgz
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";

const root = new URL("..", import.meta.url).pathname;
const { values } = parseArgs({ options: { out: { type: "string", default: join(root, "release") }, "no-build": { type: "boolean", default: false } } });
const out = resolve(values.out);
const PACKAGES = ["watchfile", "manifest", "introspect", "merge", "cli"];

function run(command, args, cwd = root) {
  const result = spawnSync(command, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  if (result.status !== 0) {
    console.error(`release:pack: ${command} ${args.join(" ")} failed (${result.status ?? result.signal})`);
    process.exit(1);
  }
  return result.stdout;
}

/**
 * The runtime dependency closure of the packages, as locked: each importer's `dependencies`
 * (never devDependencies), then each snapshot's `dependencies`. pnpm-lock.yaml's layout is fixed
 * enough to read line by line: two-space keys for packages, four for their fields.
 */
function lockedRuntimeDependencies() {
  const lines = readFileSync(join(root, "pnpm-lock.yaml"), "utf8").split("\n");
  const unquote = (text) =>
    text
      .trim()
      .replace(/^'(.*)'$/, "$1")
      .replace(/:$/, "")
      .replace(/^'(.*)'$/, "$1");
  const importers = new Map();
  const snapshots = new Map();
  let part = "";
  let current;
  let block = "";
  let pending;
  for (const line of lines) {
    if (/^\S/.test(line)) {
      part = line.replace(/:.*$/, "");
      continue;
    }
    if (part === "importers" && /^ {2}\S/.test(line)) importers.set((current = unquote(line)), []);
    else if (part === "importers" && /^ {4}\S/.test(line)) block = unquote(line);
    else if (part === "importers" && block === "dependencies" && /^ {6}\S/.test(line)) pending = unquote(line);
    else if (part === "importers" && block === "dependencies" && /^ {8}version: /.test(line) && pending) {
      const version = line.trim().slice("version: ".length);
      if (!version.startsWith("link:")) importers.get(current).push(`${pending}@${version.replace(/\(.*$/, "")}`);
      pending = undefined;
    } else if (part === "snapshots" && /^ {2}\S/.test(line)) snapshots.set((current = unquote(line).replace(/\(.*$/, "")), []);
    else if (part === "snapshots" && /^ {4}\S/.test(line)) block = unquote(line);
    else if (part === "snapshots" && (block === "dependencies" || block === "optionalDependencies") && /^ {6}\S/.test(line)) {
      const [name, version] = line.trim().split(/:\s+/);
      snapshots.get(current).push(`${unquote(name)}@${version.replace(/\(.*$/, "")}`);
    }
  }
  const closure = new Set();
  const queue = PACKAGES.flatMap((name) => importers.get(`packages/${name}`) ?? []);
  while (queue.length > 0) {
    const spec = queue.pop();
    if (closure.has(spec)) continue;
    closure.add(spec);
    queue.push(...(snapshots.get(spec) ?? []));
  }
  return [...closure].sort();
}

if (!values["no-build"]) run("pnpm", ["exec", "turbo", "run", "build", ...PACKAGES.map((name) => `--filter=@autowatch/${name}`)]);
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "vendor"), { recursive: true });
for (const name of PACKAGES) run("pnpm", ["pack", "--pack-destination", out], join(root, "packages", name));
copyFileSync(join(root, "packages", "cli", "dist", "autowatch.mjs"), join(out, "autowatch.mjs"));
const vendor = lockedRuntimeDependencies();
// npm pack takes them from its cache when it has them, else from the registry
run("npm", ["pack", "--silent", "--pack-destination", join(out, "vendor"), ...vendor]);
const files = [
  ...readdirSync(out).filter((name) => name.endsWith(".tgz") || name.endsWith(".mjs")),
  ...readdirSync(join(out, "vendor")).map((name) => `vendor/${name}`),
].sort();
const sums = files.map(
  (file) =>
    `${createHash("sha256")
      .update(readFileSync(join(out, file)))
      .digest("hex")}  ${file}`,
);
writeFileSync(join(out, "SHA256SUMS"), `${sums.join("\n")}\n`);
console.log(`release:pack: ${PACKAGES.length} packages, ${vendor.length} third-party dependencies and autowatch.mjs in ${out}`);

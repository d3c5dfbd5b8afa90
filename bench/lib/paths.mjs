// Where the built packages live: benchmarks always run against dist (`pnpm exec turbo run build`).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const BENCH_DIR = join(ROOT, "bench");
// BENCH_CLI points at another build of the CLI (development only)
export const CLI_ENTRY = process.env.BENCH_CLI ?? join(ROOT, "packages", "cli", "dist", "index.js");
export const CLI_BUNDLE = join(ROOT, "packages", "cli", "dist", "autowatch.mjs");

/** A benchmark that cannot run (package not built, API not there yet): reported, counted as a miss. */
export class Unavailable extends Error {}

/** Imports a workspace package's built entry point and checks that it exports `names`. */
export async function importDist(pkg, names) {
  // BENCH_ENTRY_<PKG> points at another build of a package (development only, e.g. a bundle in /tmp)
  const entry = process.env[`BENCH_ENTRY_${pkg.toUpperCase()}`] ?? join(ROOT, "packages", pkg, "dist", "index.js");
  if (!existsSync(entry)) throw new Unavailable(`packages/${pkg}/dist/index.js is missing (build first)`);
  const module = await import(pathToFileURL(entry).href);
  const missing = names.filter((name) => typeof module[name] !== "function");
  if (missing.length > 0) throw new Unavailable(`@autowatch/${pkg} does not export ${missing.join(", ")} yet`);
  return module;
}

export function requireCli() {
  if (!existsSync(CLI_ENTRY)) throw new Unavailable("packages/cli/dist/index.js is missing (build first)");
  return CLI_ENTRY;
}

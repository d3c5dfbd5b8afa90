// The fault scenarios' farm (master-faults.test.ts, master-operations.test.ts): a fresh directory
// per test with a good MANIFEST.cfg and one watch file, and the CLI run in it as cron would.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { runCli } from "./support.js";

export const GOOD = `[odoo-a]
buildout = git https://git.example.com/buildouts.git a buildout.cfg

[odoo-b]
buildout = standalone b.cfg
watch = git https://github.com/OCA/web.git 16.0
`;

export function watchFile(builder: string, watches: { url: string; revspec?: string; vcs?: string }[]): string {
  return JSON.stringify({
    schema: "autowatch.watchfile/2",
    builder,
    watches: watches.map((w) => ({ vcs: w.vcs ?? "git", revspec: w.revspec ?? "16.0", url: w.url })),
  });
}

/** The directory of the current test (a new one for each). */
export let dir: string;

/** Each test of the calling file gets a fresh `dir`: MANIFEST.cfg (GOOD) and watch/odoo-b.json. */
export function useFaultFarm(): void {
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "autowatch-faults-"));
    mkdirSync(join(dir, "watch"));
    writeFileSync(join(dir, "MANIFEST.cfg"), GOOD);
    writeFileSync(join(dir, "watch", "odoo-b.json"), watchFile("odoo-b", [{ url: "https://github.com/OCA/server-tools.git" }]));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
}

export /** What Python's ConfigParser says of a text: "ok" or the exception's class name. */
function pythonReads(text: string): string {
  const file = join(dir, "python-check.cfg");
  writeFileSync(file, text);
  const script =
    "import configparser, sys\np = configparser.ConfigParser()\ntry:\n    p.read(sys.argv[1], encoding='utf-8')\n    print('ok')\nexcept configparser.Error as e:\n    print(type(e).__name__)\n";
  return execFileSync("/usr/bin/python3", ["-c", script, file], { encoding: "utf8" }).trim();
}

export /** Every file under a directory with its bytes: to show a store was not touched. */
function snapshot(path: string): Record<string, string> {
  const files: Record<string, string> = {};
  if (!existsSync(path)) return files;
  for (const name of readdirSync(path).sort()) files[name] = readFileSync(join(path, name), "latin1");
  return files;
}

export const cli = (argv: string[]) => runCli(argv, { cwd: dir });
export const merge = (...extra: string[]) => cli(["merge", "--manifest", "MANIFEST.cfg", "--watch-dir", "watch", "-o", "state.json", ...extra]);
export const state = () => JSON.parse(readFileSync(join(dir, "state.json"), "utf8"));
export const autoUrls = (builder: string) =>
  state()
    .builders[builder].watches.filter((w: { from: string[] }) => w.from.includes("auto"))
    .map((w: { url: string }) => w.url);

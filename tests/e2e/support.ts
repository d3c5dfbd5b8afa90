import { execFile, execFileSync, type ExecFileOptions } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

/** The single-file CLI as the cli package's build writes it. */
export const BUNDLE = fileURLToPath(new URL("../../packages/cli/dist/autowatch.mjs", import.meta.url));
/** The master.cfg helper as the cli package ships it. */
export const HELPER_DIR = fileURLToPath(new URL("../../packages/cli/dist", import.meta.url));

/** A clean environment for git and Buildbot: no user or system git configuration, C locale. */
export function isolatedEnv(home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    LANG: "C",
    LC_ALL: "C",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Test",
    GIT_AUTHOR_EMAIL: "test@example.invalid",
    GIT_COMMITTER_NAME: "Test",
    GIT_COMMITTER_EMAIL: "test@example.invalid",
    PYTHONDONTWRITEBYTECODE: "1",
    HGUSER: "Test <test@example.invalid>",
    HGRCPATH: "",
    HGPLAIN: "1",
  };
}

export function run(command: string, args: string[], options: ExecFileOptions & { env: NodeJS.ProcessEnv }): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 60_000, maxBuffer: 16 << 20, ...options, encoding: "utf8" }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(" ")} failed: ${error.message}\n${stdout}\n${stderr}`));
      else resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export function git(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

export function hg(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): string {
  return execFileSync("hg", args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Runs one query on a Buildbot master's sqlite database (Node 20 has no sqlite: Python does it). */
export async function query<T = unknown[]>(database: string, sql: string, env: NodeJS.ProcessEnv): Promise<T[]> {
  const script =
    "import json, sqlite3, sys\nc = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True, timeout=5)\nprint(json.dumps(c.execute(sys.argv[2]).fetchall()))";
  const { stdout } = await run("/usr/bin/python3", ["-c", script, database, sql], { env });
  return JSON.parse(stdout) as T[];
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs` with `what`. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 300): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Stops a twistd daemon by its pid file: SIGTERM, then SIGKILL after a bounded wait. */
export async function stopByPidFile(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 1) return;
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + 15_000;
  while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  if (alive()) process.kill(pid, "SIGKILL");
}

/** Pids of processes (other than this one) whose working directory is inside `root`. */
function processesUnder(root: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (cwd === root || cwd.startsWith(`${root}/`)) pids.push(pid);
    } catch {
      // gone already, or not ours to read
    }
  }
  return pids;
}

/**
 * Removes the test's directory once nothing works in it any more. A stopped master can leave
 * a poller's `git fetch` running in its workdir (CI once failed with ENOTEMPTY that way), so
 * such stragglers are killed first and the removal retries while they exit.
 */
export async function removeTestRoot(root: string): Promise<void> {
  for (const pid of processesUnder(root)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already exited
    }
  }
  await rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}

// Whole-process measurements: wall time of a child process, and its peak RSS through /usr/bin/time.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const MAX_BUFFER = 512 * 1024 * 1024;
const TIMEOUT_MS = 15 * 60 * 1000; // a hung process fails its benchmark instead of the whole run
export const GNU_TIME = "/usr/bin/time";

const TICK_MS = 10; // USER_HZ = 100 on Linux

/**
 * CPU time (user + system, ms) of the children this process has waited for, from
 * /proc/self/stat (cutime + cstime): the difference around a spawnSync is that child's CPU
 * time, which a loaded machine inflates far less than wall time. NaN where /proc is missing.
 */
export function childrenCpuMs() {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[13]) + Number(fields[14])) * TICK_MS; // fields 16 and 17 of stat(5)
  } catch {
    return Number.NaN;
  }
}

/**
 * Runs a process to completion; `ms` is its wall time seen from here (spawn included),
 * `cpuMs` its CPU time (10 ms resolution).
 */
export function runProcess(command, args, { cwd, env, allowFailure = false } = {}) {
  const cpuBefore = childrenCpuMs();
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd, env, maxBuffer: MAX_BUFFER, encoding: "utf8", timeout: TIMEOUT_MS });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpuMs = childrenCpuMs() - cpuBefore;
  if (result.error) throw result.error;
  if (result.status !== 0 && !allowFailure) {
    throw new Error(`${command} ${args.join(" ")} exited with ${result.status ?? result.signal}: ${firstLines(result.stderr)}`);
  }
  return { ms, cpuMs, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Peak resident set size (MiB) of a whole process tree's largest process, via GNU time. */
export function peakRssMiB(command, args, options = {}) {
  if (!existsSync(GNU_TIME)) return { mib: Number.NaN, ms: Number.NaN, status: null };
  const dir = mkdtempSync(join(tmpdir(), "autowatch-bench-rss-"));
  try {
    const out = join(dir, "time.txt");
    const result = runProcess(GNU_TIME, ["-f", "%M", "-o", out, command, ...args], { ...options, allowFailure: true });
    const text = readFileSync(out, "utf8").trim().split("\n");
    const kib = Number(text[text.length - 1]);
    if (result.status !== 0 && !options.allowFailure) {
      throw new Error(`${command} ${args.join(" ")} exited with ${result.status}: ${firstLines(result.stderr)}`);
    }
    return { mib: kib / 1024, ms: result.ms, status: result.status, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function firstLines(text, count = 3) {
  return String(text ?? "")
    .trim()
    .split("\n")
    .slice(0, count)
    .join(" | ");
}

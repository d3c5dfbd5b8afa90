// Generated inputs live in the system temp dir, keyed by a version: generated once, reused by
// later runs, regenerated when the generator changes (bump its version).
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const MARKER = ".complete";

export async function cachedDir(key, generate) {
  const dir = join(tmpdir(), `autowatch-bench-${key}`);
  if (existsSync(join(dir, MARKER))) return { dir, reused: true };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await generate(dir);
  writeFileSync(join(dir, MARKER), new Date().toISOString());
  return { dir, reused: false };
}

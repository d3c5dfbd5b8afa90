import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import type { ResolveFileSystem } from "../src/resolve/index.js";
import type { ResolvedSections } from "../src/types.js";

/** Hand-built resolved sections: each option gets the given file and successive line numbers. */
export function sections(spec: Record<string, Record<string, string>>, file = "/buildout/buildout.cfg"): ResolvedSections {
  const result: ResolvedSections = {};
  let line = 1;
  for (const [name, options] of Object.entries(spec)) {
    line++;
    const section: ResolvedSections[string] = {};
    for (const [option, value] of Object.entries(options)) {
      section[option] = { value, origin: { file, line: line++ } };
    }
    result[name] = section;
  }
  return result;
}

/** Files in memory for the resolver (absolute path -> text): no disk. */
export function memoryFs(files: Record<string, string>): ResolveFileSystem {
  return {
    readFile: (file) => (file in files ? { text: files[file]! } : { error: "no such file" }),
    exists: (file) => file in files || Object.keys(files).some((f) => f.startsWith(`${file}/`)),
    realpath: (file) => file,
  };
}

export function tempDir(prefix = "autowatch-introspect-"): { path: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { path: dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A copy of `fixtures` in a temporary directory for the enclosing describe (made before its tests, removed after); returns its path. */
export function fixturesCopy(fixtures: string): () => string {
  let dir: ReturnType<typeof tempDir> | undefined;
  beforeAll(() => {
    dir = tempDir();
    cpSync(fixtures, dir.path, { recursive: true });
  });
  afterAll(() => dir?.remove());
  return () => dir!.path;
}

/** Environment for VCS commands in tests: no user or system configuration. */
export const vcsEnv: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: "/nonexistent",
  LANG: "C",
  LC_ALL: "C",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
  HGPLAIN: "1",
  HGRCPATH: "",
  HGUSER: "Test <test@example.org>",
  BRZ_EMAIL: "Test <test@example.org>",
  BRZ_HOME: "/tmp",
};

export function sh(cwd: string, command: string, args: string[]): string {
  return execFileSync(command, args, { cwd, env: vcsEnv, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function git(cwd: string, ...args: string[]): string {
  return sh(cwd, "git", args);
}

/** A git repository with one commit on `main`, user configured locally. */
export function gitInit(dir: string): string {
  mkdirSync(dir, { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  git(dir, "config", "user.name", "Test");
  git(dir, "config", "user.email", "test@example.org");
  commitFile(dir, "README", "one\n");
  return dir;
}

export function commitFile(dir: string, file: string, text: string): string {
  writeFileSync(path.join(dir, file), text);
  git(dir, "add", file);
  git(dir, "commit", "-q", "-m", `write ${file}`);
  return git(dir, "rev-parse", "HEAD").trim();
}

export function hg(cwd: string, ...args: string[]): string {
  return sh(cwd, "hg", args);
}

export function hgInit(dir: string): string {
  return initWithOneCommit(hg, dir);
}

export function brz(cwd: string, ...args: string[]): string {
  return sh(cwd, "brz", args);
}

export function brzInit(dir: string): string {
  return initWithOneCommit(brz, dir);
}

/** `init`, then one commit of a README: hg and brz take the same commands. */
function initWithOneCommit(vcs: (cwd: string, ...args: string[]) => string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  vcs(dir, "init", "-q");
  writeFileSync(path.join(dir, "README"), "one\n");
  vcs(dir, "add", "-q", "README");
  vcs(dir, "commit", "-q", "-m", "one");
  return dir;
}

import { readFileSync, readdirSync, realpathSync, statSync } from "node:fs";
import { arch, endianness } from "node:os";
import { basename, isAbsolute, join, resolve as resolvePath } from "node:path";
import process from "node:process";
import type { Problem } from "@autowatch/watchfile";
import { makeProblem, readRegularFileSync } from "@autowatch/watchfile/text";
import type { ResolveOptions, ResolveResult } from "../types.js";
import { resolveSections } from "./buildout.js";
import type { ResolveCoreOptions } from "./inputs.js";
import { defaultGlobals, type PythonEnvironment } from "./condition/index.js";
import type { ResolveFileSystem } from "./load.js";
import { BuildoutError } from "./model.js";
import { parseSections } from "./parse.js";

export { resolveSections } from "./buildout.js";
export { parseOverride, buildoutDefaults, type ResolveCoreOptions } from "./inputs.js";
export type { ResolveFileSystem } from "./load.js";
export type { PythonEnvironment } from "./condition/index.js";

/** One option of one file as written (before extends, macros and substitution). */
export interface BuildoutParsedOption {
  value: string;
  line: number;
}

export type BuildoutParseResult = { ok: true; sections: Record<string, Record<string, BuildoutParsedOption>> } | { ok: false; error: Problem };

const DEFAULT_PYTHON_VERSION = "3.11";

/** The interpreter emulated for conditional sections: this machine's platform, the given Python version. */
export function pythonEnvironment(options: Partial<PythonEnvironment> = {}): PythonEnvironment {
  return {
    pythonVersion: options.pythonVersion ?? DEFAULT_PYTHON_VERSION,
    executable: options.executable ?? "python3",
    platform: options.platform ?? process.platform,
    arch: options.arch ?? arch(),
    littleEndian: options.littleEndian ?? endianness() === "LE",
    env: options.env ?? process.env,
  };
}

/**
 * Parses one buildout file the way zc.buildout's configparser does (conditional sections
 * evaluated, `+=`/`-=` kept in option names as zc.buildout keeps them). Pure; never throws.
 */
export function parseBuildoutFile(text: string, file: string, python: PythonEnvironment = pythonEnvironment()): BuildoutParseResult {
  try {
    const parsed = parseSections(text, file, { globals: () => defaultGlobals(python) });
    // null prototypes: a section or option named __proto__ is a key like any other
    const sections: Record<string, Record<string, BuildoutParsedOption>> = Object.create(null);
    for (const [name, section] of parsed) {
      const options: Record<string, BuildoutParsedOption> = Object.create(null);
      for (const [option, key] of section) options[option] = { value: key.value, line: key.line ?? 0 };
      sections[name] = options;
    }
    return { ok: true, sections };
  } catch (error) {
    if (error instanceof BuildoutError)
      return { ok: false, error: makeProblem("error", error.code, error.message, { file: error.file ?? file, line: error.line || undefined }) };
    throw error;
  }
}

/** The local file system, relative paths taken from `cwd`. */
export function nodeResolveFileSystem(cwd: string): ResolveFileSystem {
  const absolute = (path: string) => (isAbsolute(path) ? path : resolvePath(cwd, path));
  return {
    readFile(path) {
      // only regular files, up to MAX_CONFIG_BYTES: `extends = /dev/zero` or a FIFO is refused at once
      const read = readRegularFileSync(absolute(path));
      return "bytes" in read ? { text: read.bytes.toString("utf8") } : { error: read.error };
    },
    exists(path) {
      try {
        statSync(absolute(path));
        return true;
      } catch {
        return false;
      }
    },
    realpath(path) {
      try {
        return realpathSync(absolute(path));
      } catch {
        return absolute(path);
      }
    },
  };
}

/** What the buildout's own installation says about its interpreter, when the caller does not say. */
export interface BuildoutInstallation {
  executable?: string;
  pythonVersion?: string;
  buildoutVersion?: string;
}

const EGG = /^(.+?)-(\d[^-]*)-py(\d+\.\d+)(?:-.*)?\.egg$/;

/**
 * Reads the interpreter from the `#!` line of `bin/buildout` (following symbolic links,
 * `python` -> `python2.7`), and the Python and zc.buildout versions from the eggs
 * bin/buildout installed (`zc.buildout-2.13.2-py2.7.egg`). Everything is optional.
 */
export function detectInstallation(directory: string): BuildoutInstallation {
  const found: BuildoutInstallation = {};
  try {
    const shebang = /^#!\s*(\S+)/.exec(readFileSync(join(directory, "bin", "buildout"), "utf8").slice(0, 1024));
    if (shebang) {
      found.executable = shebang[1]!;
      for (const path of [found.executable, safeRealpath(found.executable)]) {
        const version = /python(\d+\.\d+)$/.exec(basename(path));
        if (version) found.pythonVersion = version[1]!;
      }
    }
  } catch {
    // no bin/buildout: not installed yet, nothing to learn
  }
  for (const eggs of ["eggs", "develop-eggs"]) {
    let names: string[] = [];
    try {
      names = readdirSync(join(directory, eggs));
    } catch {
      continue;
    }
    for (const name of names) {
      const egg = EGG.exec(name);
      if (!egg || egg[1] !== "zc.buildout") continue;
      found.buildoutVersion ??= egg[2]!;
      found.pythonVersion ??= egg[3]!;
    }
  }
  return found;
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Resolves a buildout configuration from the files on disk as zc.buildout 2.x would. Never throws for bad input. */
export async function resolveBuildout(options: ResolveOptions): Promise<ResolveResult> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const fs = nodeResolveFileSystem(cwd);
  const installation = detectInstallation(resolvePath(cwd, options.config, ".."));
  const executable = options.executable ?? installation.executable ?? "python3";
  const pythonVersion = options.pythonVersion ?? installation.pythonVersion;
  const buildoutVersion = options.buildoutVersion ?? installation.buildoutVersion;
  const core: ResolveCoreOptions = {
    config: options.config,
    cwd,
    overrides: options.overrides ?? [],
    userDefaults: !options.noUserDefaults,
    env,
    python: pythonEnvironment({ ...(pythonVersion ? { pythonVersion } : {}), executable, env }),
    fs,
    ...(buildoutVersion ? { buildoutVersion } : {}),
  };
  try {
    return resolveSections(core);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      error: makeProblem("error", "buildout.internal", `internal error while resolving: ${message}`, { file: options.config }),
      problems: [],
    };
  }
}

import type { Problem } from "@autowatch/watchfile";
import type { SourceSpec } from "../extract/types.js";

/** The formats introspect reads. `buildout` also reads mr.developer `[sources]` through the resolver. */
export type FormatId = "buildout" | "pip" | "git-aggregator";

/** One file to read with one format (a `--source`, or one the build directory holds). */
export interface FormatInput {
  /** The file as given (relative to `cwd`, or absolute): what the watch file records. */
  file: string;
  /** Directory the build runs in: relative files and checkouts are found from it. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Options only the buildout format reads. */
  buildout?: {
    part?: string | undefined;
    overrides?: string[] | undefined;
    noUserDefaults?: boolean | undefined;
  };
}

/** What a format found in its file: candidate sources (not yet classified) with their origins. */
export type FormatResult =
  | {
      ok: true;
      sources: SourceSpec[];
      problems: Problem[];
      /** Base directory of the sources' checkouts and of the relative paths in the watch file. */
      directory: string;
      /** Set by the buildout format: the configuration and recipe part, for the watch file's `buildout`. */
      buildout?: { config: string; part?: string; directory: string };
    }
  | { ok: false; error: Problem; problems: Problem[] };

/**
 * One declaration format of VCS sources, behind one contract (as Renovate's managers): how its
 * files are recognised and how their sources are extracted. Classification (live or pinned) is
 * shared by every format and does not belong here.
 */
export interface SourceFormat {
  id: FormatId;
  /** Paths, relative to the build directory, where the format's files usually are (detection). */
  defaultFiles: readonly string[];
  /** Whether a file named on the command line is, by its name, of this format. */
  matches(file: string): boolean;
  extract(input: FormatInput): Promise<FormatResult>;
}

import type { Problem } from "@autowatch/watchfile";

/** Where a resolved value was written (the assignment that produced it). */
export interface ValueOrigin {
  file: string;
  line?: number;
}

/** A resolved option: its final value (substitutions done) and where it came from. */
export interface ResolvedOption {
  value: string;
  origin: ValueOrigin;
}

/** section -> option -> resolved option, as zc.buildout would see it after resolution. */
export type ResolvedSections = Record<string, Record<string, ResolvedOption>>;

export interface ResolveOptions {
  /** Path of the buildout configuration file (`-c`). */
  config: string;
  /** Command-line overrides `section:option=value` (also `+=`, `-=`). */
  overrides?: string[];
  /** Environment for `$HOME` / `$BUILDOUT_HOME` (user defaults); defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Skip `~/.buildout/default.cfg` (zc.buildout's `-U`). */
  noUserDefaults?: boolean;
}

export type ResolveResult =
  | { ok: true; sections: ResolvedSections; problems: Problem[] }
  | { ok: false; error: Problem; problems: Problem[] };

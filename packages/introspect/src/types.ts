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
  /**
   * One entry per line of `value` (`value.split("\n")`): the file and line where that text line
   * was written, through continuation lines, `+=`/`-=` and macros; undefined where no file line
   * says it (defaults, command-line values, lines of a multi-line substitution). Absent when no
   * line is known.
   */
  lines?: (ValueOrigin | undefined)[];
  /**
   * References left as written because no file defines them and the section has a recipe,
   * which computes them when installing (e.g. `${odoo:location}`).
   */
  unresolved?: string[];
  /**
   * Set when the option could not be resolved, which zc.buildout tolerates only in a section
   * nothing uses: `value` keeps the failing references as written.
   */
  error?: string;
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
  /** Directory `config` is relative to; defaults to process.cwd(). */
  cwd?: string;
  /**
   * `sys.executable` of the buildout's interpreter ([buildout] executable); defaults to the
   * interpreter named on the first line of `bin/buildout`, else "python3".
   */
  executable?: string;
  /**
   * Python version for conditional sections (`python2`, `python3`, `sys.version_info`...); defaults
   * to what `bin/buildout` and its `zc.buildout-*-pyX.Y.egg` say, else "3.11".
   */
  pythonVersion?: string;
  /**
   * zc.buildout version, for the `zc.buildout = >=VERSION` pin it adds to [versions]; defaults to
   * the version of the installed `zc.buildout-*.egg`; no pin when unknown.
   */
  buildoutVersion?: string;
}

export type ResolveResult = { ok: true; sections: ResolvedSections; problems: Problem[] } | { ok: false; error: Problem; problems: Problem[] };

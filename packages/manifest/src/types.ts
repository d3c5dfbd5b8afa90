import type { Problem, Vcs } from "@autowatch/watchfile";

/** One manifest file to parse: its path (as shown in problems) and its text. */
export interface ManifestInput {
  file: string;
  text: string;
}

/** The parsed `buildout` option. `type` is the first token, as written (lower-cased). */
export interface BuildoutSpec {
  type: string;
  /** Positional tokens after the type (tokens containing `=` excluded). */
  positional: string[];
  /** `key=value` tokens. */
  options: Record<string, string>;
  /** hgtag / gittag: a tag chosen per build, nothing to watch. */
  frozen: boolean;
  /** The branch the buildout itself lives on (git/hg/bzr types), to watch as "buildout-self". */
  self?: { vcs: Vcs; url: string; branch: string };
}

/** A manual `watch` line, normalised to (vcs, url, branch). bzr/svn: branch is "". */
export interface ManualWatch {
  vcs: Vcs;
  url: string;
  branch: string;
  file: string;
  line: number;
}

/** A MANIFEST.cfg section: one build factory. */
export interface BuildFactory {
  /** Section name as written (case-sensitive): the builder base name. */
  name: string;
  /** Where the section header is. */
  file: string;
  line: number;
  /** Options after DEFAULT, `%(x)s` interpolation and `inherit` (names lower-cased). */
  options: Record<string, string>;
  /** Where each option's value was written (file and line of its key). */
  optionOrigins: Record<string, { file: string; line: number }>;
  buildout?: BuildoutSpec;
  /** Manual watches; empty when `watch` is absent or empty (see `schedule`). */
  watches: ManualWatch[];
  /** `watch` present and empty: the builder is never scheduled by commits. */
  schedule: boolean;
  /** Effective auto-watch flag (explicit value, else the default for the buildout type). */
  autoWatch: boolean;
  /** True when `auto-watch` was set explicitly (and validly). */
  autoWatchExplicit: boolean;
  /** `tree-stable-timer` (seconds): how long a builder's scheduler waits for a burst of commits to end. */
  treeStableTimer?: number;
  /** The `inherit` parents this section resolved through, nearest first (empty without `inherit`). */
  inherits: string[];
}

export interface ManifestResult {
  factories: BuildFactory[];
  /** Every problem, with file and line (and builder where it belongs to one). */
  problems: Problem[];
  /**
   * The problems (also in `problems`) for which Python's `ConfigParser.read` would raise: a
   * section header typo, a line that is no option, an option or section defined twice in one
   * file. Python-side tooling cannot read such a file at all. Also an inherit chain cut at
   * MAX_INHERIT_CHAIN sections: the builder would lose what it inherits past the cut. Absent
   * when there are none.
   */
  readErrors?: Problem[];
}

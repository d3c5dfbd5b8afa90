import type { Origin, Problem, Vcs } from "@autowatch/watchfile";

/**
 * What declared a source: the recipe's `version`, `addons`, `merges`; gp.vcsdevelop's `develop`;
 * mr.developer's `[sources]`; a pip `requirement`; a git-aggregator `aggregate` merge line.
 */
export type SourceKind = "version" | "addons" | "merge" | "develop" | "mr.developer" | "requirement" | "aggregate";

/** A VCS source the buildout checks out, before it is classified as live or pinned. */
export interface SourceSpec {
  kind: SourceKind;
  vcs: Vcs;
  /** Verbatim from the buildout; for a merge with `remote`, the remote's name. */
  url: string;
  /** The revision the buildout asks for (after `revisions`); undefined when it names none. */
  revision: string | undefined;
  /**
   * Absolute directory of the checkout (for a merge: the checkout it is merged into); undefined
   * when the tool leaves none (pip installs a non-editable VCS requirement from a temporary clone).
   */
  checkout: string | undefined;
  /** The url is a remote name of the checkout (`origin`), to be resolved from its configuration. */
  remote?: boolean;
  /**
   * Liveness is what the declaring line says (git-aggregator: the checkout sits on the tool's own
   * local branch): the checkout only confirms that the ref exists on remote `remoteName`.
   */
  declared?: { remoteName: string };
  origin: Origin;
}

export interface ExtractOptions {
  /** `--part`: the recipe part to read. */
  part?: string;
  /** Buildout directory when `[buildout] directory` is not set (normally the config's directory). */
  directory: string;
  /** Home directory for `~` in gp.vcsdevelop's develop-dir. */
  home?: string;
}

export type ExtractResult =
  { ok: true; part?: string; directory: string; sources: SourceSpec[]; problems: Problem[] } | { ok: false; error: Problem; problems: Problem[] };

import type { Origin, Problem, Vcs } from "@autowatch/watchfile";

/** Where a source comes from in the buildout. */
export type SourceKind = "version" | "addons" | "merge" | "develop";

/** A VCS source the buildout checks out, before it is classified as live or pinned. */
export interface SourceSpec {
  kind: SourceKind;
  vcs: Vcs;
  /** Verbatim from the buildout; for a merge with `remote`, the remote's name. */
  url: string;
  /** The revision the buildout asks for (after `revisions`); undefined when it names none. */
  revision: string | undefined;
  /** Absolute directory of the checkout (for a merge: the checkout it is merged into). */
  checkout: string;
  /** The url is a remote name of the checkout (`origin`), to be resolved from its configuration. */
  remote?: boolean;
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
  | { ok: true; part: string; directory: string; sources: SourceSpec[]; problems: Problem[] }
  | { ok: false; error: Problem; problems: Problem[] };

import type { Origin } from "@autowatch/watchfile";

/** A live source from a watch file, once validated. bzr/svn have branch "". */
export interface AutoEntry {
  vcs: string;
  url: string;
  branch: string;
  origin?: Origin;
}

/**
 * An entry as the merge keeps it: the branch of bzr and svn sources is the URL itself. The
 * origin is shared with the parsed file (only its file and line are ever stored).
 */
export function autoEntry(vcs: string, url: string, revspec: string, origin?: Origin): AutoEntry {
  const branch = vcs === "bzr" || vcs === "svn" ? "" : revspec;
  return origin ? { vcs, url, branch, origin } : { vcs, url, branch };
}

/** Shape check of one stored entry (last-good store); policy checks come later. */
export function entryShape(entry: unknown): AutoEntry | undefined {
  if (entry === null || typeof entry !== "object" || Array.isArray(entry)) return undefined;
  const { vcs, url, revspec, origin } = entry as Record<string, unknown>;
  if (typeof vcs !== "string" || typeof url !== "string" || typeof revspec !== "string") return undefined;
  return autoEntry(vcs, url, revspec, originShape(origin));
}

/** Where an entry came from, as the merge keeps and stores it: file and line (section and option are not kept). */
export function keptOrigin({ file, line }: Origin): Origin {
  return line === undefined ? { file } : { file, line };
}

function originShape(value: unknown): Origin | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const { file, line } = value as Record<string, unknown>;
  if (typeof file !== "string") return undefined;
  const origin: Origin = { file };
  if (typeof line === "number" && Number.isInteger(line) && line >= 0) origin.line = line;
  return origin;
}

// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import type { ProblemCode } from "@autowatch/watchfile";
import { hasControlCharacters } from "@autowatch/watchfile/text";

/** What the policy needs to know of a repository location. */
export interface Location {
  /** Lower-cased scheme; scp-like `host:path` is `ssh`, a local path is `file`. */
  scheme: string;
  /** Host name (lower-cased, without user and port); "" when there is none. */
  host: string;
  /** `user@host:port` as written ("" when there is none). */
  authority: string;
}

const SCHEME_URL = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/;
const SCP_LIKE = /^(?:[^@/:]*@)?(\[[^\]]*\]|[^/:]*):/;

/** Parses a repository location the way git reads it (URL, scp-like, or local path). */
export function parseLocation(url: string): Location {
  const full = SCHEME_URL.exec(url);
  if (full) {
    const scheme = full[1]!.toLowerCase();
    const authority = full[2] ?? "";
    const hostPort = authority.slice(authority.lastIndexOf("@") + 1);
    const host = hostPort.startsWith("[") ? hostPort.slice(0, hostPort.indexOf("]") + 1) : hostPort.replace(/:.*$/, "");
    return { scheme: schemeFamily(scheme), host: host.toLowerCase(), authority };
  }
  if (url.startsWith("lp:")) return { scheme: "lp", host: "", authority: "" };
  // git: a colon before the first slash makes it scp-like ssh
  const scp = SCP_LIKE.exec(url);
  if (scp && !url.startsWith("/") && !/^[A-Za-z]:[\\/]/.test(url)) {
    return { scheme: "ssh", host: (scp[1] ?? "").toLowerCase(), authority: url.slice(0, url.indexOf(":")) };
  }
  return { scheme: "file", host: "", authority: "" };
}

/** `git+ssh`, `svn+ssh`, `bzr+ssh`, `ssh+git` are ssh as far as the policy is concerned. */
function schemeFamily(scheme: string): string {
  return scheme.split("+").includes("ssh") ? "ssh" : scheme;
}

/** Why a source is refused: a problem code and the reason in words. */
export interface Refusal {
  code: ProblemCode;
  message: string;
}

/**
 * Refuses locations that could inject options or run commands through git, hg, bzr or svn.
 * Returns the reason, or undefined when the location is harmless.
 */
export function locationProblem(url: string): Refusal | undefined {
  if (url === "") return { code: "merge.url.empty", message: "empty URL" };
  if (url.length > 2048) return { code: "merge.url.length", message: "URL longer than 2048 characters" };
  if (url.startsWith("-")) return { code: "merge.url.option", message: "URL starts with '-'" };
  if (hasControlCharacters(url)) return { code: "merge.url.control", message: "URL contains a control character" };
  if (/^[^/]*?::/.test(url)) return { code: "merge.url.transport", message: "URL uses a transport helper ('<transport>::<address>')" };
  const { host, authority } = parseLocation(url);
  // ssh receives `user@host` as one argument: either part starting with '-' is an option
  if (host.replace(/^\[/, "").startsWith("-") || authority.startsWith("-")) return { code: "merge.url.option", message: "URL host starts with '-'" };
  return undefined;
}

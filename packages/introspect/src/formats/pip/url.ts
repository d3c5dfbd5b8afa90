// URLs in requirement files as pip reads them: which are URLs, VCS URLs split as pip splits them, `#egg=`.

import type { Vcs } from "@autowatch/watchfile";

export interface PipVcsUrl {
  vcs: Vcs;
  /** The URL pip clones: without `VCS+`, revision, fragment (and svn credentials). */
  url: string;
  /** After the last `@` of the path; undefined when none. */
  revision: string | undefined;
  subdirectory?: string;
}

const VCS_SCHEMES: Record<string, Vcs> = {
  "git+http": "git",
  "git+https": "git",
  "git+ssh": "git",
  "git+git": "git",
  "git+file": "git",
  "hg+file": "hg",
  "hg+http": "hg",
  "hg+https": "hg",
  "hg+ssh": "hg",
  "hg+static-http": "hg",
  "svn+ssh": "svn",
  "svn+http": "svn",
  "svn+https": "svn",
  "svn+svn": "svn",
  "svn+file": "svn",
  "bzr+http": "bzr",
  "bzr+https": "bzr",
  "bzr+ssh": "bzr",
  "bzr+sftp": "bzr",
  "bzr+ftp": "bzr",
  "bzr+lp": "bzr",
  "bzr+file": "bzr",
};
/** urllib.parse.uses_netloc: schemes urlunsplit writes with `//` even without a host. */
const USES_NETLOC = new Set([
  "",
  "ftp",
  "http",
  "gopher",
  "nntp",
  "telnet",
  "imap",
  "wais",
  "file",
  "mms",
  "https",
  "shttp",
  "snews",
  "prospero",
  "rtsp",
  "rtspu",
  "rsync",
  "svn",
  "svn+ssh",
  "sftp",
  "nfs",
  "git",
  "git+ssh",
  "ws",
  "wss",
]);
const URL_SCHEMES = new Set(["http", "https", "file", "ftp", ...Object.keys(VCS_SCHEMES)]);

/** urllib's urlsplit scheme: letters, digits, `+-.`, starting with a letter; else none. */
function urlScheme(url: string): string | undefined {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  return match ? (match[1] as string).toLowerCase() : undefined;
}

/** pip's get_url_scheme (`is_url`): whatever precedes the first `:`, lower-cased. */
export function isUrl(text: string): boolean {
  const colon = text.indexOf(":");
  return colon !== -1 && URL_SCHEMES.has(text.slice(0, colon).toLowerCase());
}

function fragmentValue(url: string, key: string): string | undefined {
  const hash = url.indexOf("#");
  if (hash === -1) return undefined;
  const match = new RegExp(`[#&]${key}=([^&]*)`).exec(url.slice(hash));
  return match ? match[1] : undefined;
}

/**
 * A VCS URL as pip's VersionControl.get_url_rev_and_auth splits it; undefined when the URL's
 * scheme is no VCS scheme; an error when the revision after `@` is empty.
 */
export function parsePipVcsUrl(link: string): PipVcsUrl | { error: string } | undefined {
  const scheme = urlScheme(link);
  const vcs = scheme === undefined ? undefined : VCS_SCHEMES[scheme];
  if (vcs === undefined || scheme === undefined) return undefined;
  const hash = link.indexOf("#");
  const withoutFragment = hash === -1 ? link : link.slice(0, hash);
  let rest = withoutFragment.slice(scheme.length + 1);
  const bareScheme = scheme.slice(scheme.indexOf("+") + 1);
  let netloc = "";
  if (rest.startsWith("//")) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end === -1 ? rest.slice(2) : rest.slice(2, 2 + end);
    rest = end === -1 ? "" : rest.slice(2 + end);
  }
  const question = rest.indexOf("?");
  let urlPath = question === -1 ? rest : rest.slice(0, question);
  const query = question === -1 ? "" : rest.slice(question + 1);
  let revision: string | undefined;
  const at = urlPath.lastIndexOf("@");
  if (at !== -1) {
    revision = urlPath.slice(at + 1);
    urlPath = urlPath.slice(0, at);
    if (revision === "") return { error: `the URL ${JSON.stringify(link)} has an empty revision (after @), which pip refuses` };
  }
  // svn: pip passes user:password of an http(s)/svn URL as options, not in the URL
  if (vcs === "svn" && bareScheme !== "ssh" && netloc.includes("@")) netloc = netloc.slice(netloc.lastIndexOf("@") + 1);
  // urllib's urlunsplit, then Bazaar's and Subversion's own `+ssh://` (they need the prefix to use ssh)
  let location = urlPath;
  if (netloc !== "" || USES_NETLOC.has(bareScheme)) {
    if (location !== "" && !location.startsWith("/")) location = `/${location}`;
    location = `//${netloc}${location}`;
  }
  let url = `${bareScheme}:${location}${query === "" ? "" : `?${query}`}`;
  if ((vcs === "bzr" || vcs === "svn") && url.startsWith("ssh://")) url = `${vcs}+${url}`;
  const subdirectory = fragmentValue(link, "subdirectory");
  return { vcs, url, revision, ...(subdirectory === undefined ? {} : { subdirectory }) };
}

/** The project named by `#egg=` (extras dropped, as pip's Requirement does). */
export function eggName(url: string): string | undefined {
  const egg = fragmentValue(url, "egg");
  return egg === undefined ? undefined : egg.replace(/\[.*$/, "").trim() || undefined;
}

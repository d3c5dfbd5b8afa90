import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Verdict } from "./rules.js";
import { hgTip, isHgNode, live, pinned } from "./rules.js";

const run = promisify(execFile);

export interface HgNames {
  branches: Set<string>;
  bookmarks: Set<string>;
  /** Tags other than `tip`. */
  tags: Set<string>;
  /** Branch of the working directory's parent. */
  current?: string;
}

/** @internal Parses the `hg log` of `HgCheckout.names` (pure). */
export function parseHgNames(output: string): HgNames {
  const names: HgNames = { branches: new Set(), bookmarks: new Set(), tags: new Set() };
  for (const line of lines(output)) {
    const [branch = "", bookmarks = "", tags = "", here = ""] = line.split("\t");
    names.branches.add(branch);
    for (const bookmark of bookmarks.split("\x01")) if (bookmark) names.bookmarks.add(bookmark);
    for (const tag of tags.split("\x01")) if (tag && tag !== "tip") names.tags.add(tag);
    if (here === "@") names.current = branch;
  }
  return names;
}

/**
 * Live or pinned from the checkout: a branch or bookmark is live; a tag (not `tip`), a hex
 * node of 12+ characters or a revision number is pinned. Undefined when the checkout does not know it.
 */
export function classifyHgName(revision: string, names: HgNames): Verdict | undefined {
  if (revision === "") return live("default");
  if (revision === "tip") return hgTip();
  if (names.branches.has(revision) || names.bookmarks.has(revision)) return live(revision);
  if (names.tags.has(revision)) return pinned(revision, "tag");
  if (isHgNode(revision)) return pinned(revision, "node");
  if (/^[0-9]+$/.test(revision)) return pinned(revision, "revision");
  return undefined;
}

function lines(output: string): string[] {
  return output.split("\n").filter((line) => line !== "");
}

/** @internal Reads a Mercurial checkout with the `hg` CLI (HGPLAIN; no buildout value on the command line). */
export class HgCheckout {
  constructor(
    readonly directory: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private async hg(args: string[]): Promise<string> {
    const { stdout } = await run("hg", args, {
      cwd: this.directory,
      env: { ...this.env, HGPLAIN: "1", LANG: "C" },
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  }

  /**
   * Branches, bookmarks, tags and the working directory's branch in one `hg log`: every branch
   * has a head, every bookmark and tag marks a changeset.
   */
  async names(): Promise<HgNames> {
    const output = await this.hg([
      "log",
      "-r",
      "head() or bookmark() or tag() or .",
      "-T",
      '{branch}\\t{bookmarks % "{bookmark}\\x01"}\\t{tags % "{tag}\\x01"}\\t{ifcontains(rev, revset("."), "@")}\\n',
    ]);
    return parseHgNames(output);
  }

  /** `[paths]` name → URL. */
  async paths(): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    for (const line of lines(await this.hg(["paths", "-T", "{name}\\t{url}\\n"]))) {
      const tab = line.indexOf("\t");
      if (tab > 0) map.set(line.slice(0, tab), line.slice(tab + 1));
    }
    return map;
  }
}

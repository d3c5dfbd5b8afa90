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

/** Reads a Mercurial checkout with the `hg` CLI (HGPLAIN; no buildout value on the command line). */
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

  async names(): Promise<HgNames> {
    const [branches, bookmarks, tags] = await Promise.all([
      this.hg(["branches", "--closed", "-T", "{branch}\\n"]),
      this.hg(["bookmarks", "-T", "{bookmark}\\n"]),
      this.hg(["tags", "-T", "{tag}\\n"]),
    ]);
    return {
      branches: new Set(lines(branches)),
      bookmarks: new Set(lines(bookmarks)),
      tags: new Set(lines(tags).filter((tag) => tag !== "tip")),
    };
  }

  /** The working directory's branch. */
  async branch(): Promise<string | undefined> {
    return lines(await this.hg(["branch"]))[0];
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

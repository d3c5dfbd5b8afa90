import { hash as oneShotHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { BuildFactory, ManifestResult } from "@autowatch/manifest";
import type { Problem } from "@autowatch/watchfile";
import { writeFileInPieces } from "./statefile.js";

/**
 * `STATE.factories`: every builder's manifest section as the last merge parsed it, one line per
 * builder, so that `explain` gets one builder's section without reading and parsing every
 * manifest (80-150 ms at 20,000 builders). Its first line says which manifest bytes it came
 * from (stat data and sha256 of each, as git's index does): it is used only while every
 * manifest still has them. It is a cache of a pure function of those bytes, so it stays right
 * whatever happened to the state since.
 */
export const FACTORY_INDEX_SCHEMA = "autowatch.factories/1";

export function factoryIndexFile(state: string): string {
  return `${state}.factories`;
}

/** What one manifest was when it was parsed. Numbers as decimal strings: nanoseconds and inodes exceed 2^53. */
interface ManifestStamp {
  /** As given (problems and sections name it so). */
  given: string;
  /** Absolute (a relative path given from another directory is another file). */
  path: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
  ino: string;
  dev: string;
  sha256: string;
}

export interface IndexHead {
  schema: typeof FACTORY_INDEX_SCHEMA;
  /** Wall clock (ns) just before the manifests were stat'ed. */
  stampedNs: string;
  manifests: ManifestStamp[];
}

/**
 * A file modified within this long of the stat may have been changed again in the same clock
 * tick after it was read (same size, same time stamps): its content is compared too. Two
 * seconds covers the coarsest time stamps (FAT) and small clock skews.
 */
const RACY_NS = 2_000_000_000n;

type Stat = Omit<ManifestStamp, "given" | "path" | "sha256">;

function statOf(path: string): Stat | undefined {
  try {
    const stat = statSync(path, { bigint: true });
    return { size: String(stat.size), mtimeNs: String(stat.mtimeNs), ctimeNs: String(stat.ctimeNs), ino: String(stat.ino), dev: String(stat.dev) };
  } catch {
    return undefined;
  }
}

const digest = (bytes: Uint8Array) => oneShotHash("sha256", bytes, "base64");

/**
 * Stamps the manifests before a merge reads them: `stat` now (before the read: a change after it
 * shows in the stat, or in the content within the racy window), the digest of the bytes the
 * parse sees through `onRead`. `head()` is undefined when a manifest could not be stat'ed or read.
 */
export function stampManifests(paths: readonly string[]): { onRead: (file: string, bytes: Uint8Array) => void; head: () => IndexHead | undefined } {
  const stampedNs = BigInt(Date.now()) * 1_000_000n;
  const stats = paths.map(statOf);
  const digests = new Map<string, string>();
  return {
    onRead: (file, bytes) => digests.set(file, digest(bytes)),
    head: () => {
      const manifests: ManifestStamp[] = [];
      for (const [index, given] of paths.entries()) {
        const stat = stats[index];
        const sha256 = digests.get(given);
        if (stat === undefined || sha256 === undefined) return undefined;
        manifests.push({ given, path: resolve(given), ...stat, sha256 });
      }
      return { schema: FACTORY_INDEX_SCHEMA, stampedNs: String(stampedNs), manifests };
    },
  };
}

function racy(stamp: ManifestStamp, stampedNs: bigint): boolean {
  return BigInt(stamp.mtimeNs) + RACY_NS >= stampedNs || BigInt(stamp.ctimeNs) + RACY_NS >= stampedNs;
}

/** True when every manifest is still the file it was, byte for byte (reads a file only within the racy window). */
function current(head: IndexHead, paths: readonly string[]): boolean {
  if (head.schema !== FACTORY_INDEX_SCHEMA || !Array.isArray(head.manifests) || head.manifests.length !== paths.length) return false;
  const stampedNs = BigInt(head.stampedNs);
  return head.manifests.every((stamp, index) => {
    const given = paths[index]!;
    if (stamp.given !== given || stamp.path !== resolve(given)) return false;
    const now = statOf(given);
    if (now === undefined || now.size !== stamp.size || now.mtimeNs !== stamp.mtimeNs || now.ctimeNs !== stamp.ctimeNs || now.ino !== stamp.ino || now.dev !== stamp.dev) return false;
    if (!racy(stamp, stampedNs)) return true;
    try {
      return digest(readFileSync(given)) === stamp.sha256;
    } catch {
      return false;
    }
  });
}

/** True when a manifest changed so recently that its stat alone cannot vouch for its content. */
export function isRacy(head: IndexHead): boolean {
  return head.manifests.some((stamp) => racy(stamp, BigInt(head.stampedNs)));
}

/** One builder's line: its section and the manifest problems that name it. */
interface IndexedBuilder {
  factory: BuildFactory;
  problems: Problem[];
}

/**
 * Writes the index for this parse (atomic rename, no fsync: a lost index only costs `explain` a
 * read of the manifests). Best effort, for the same reason.
 */
export function writeFactoryIndex(file: string, head: IndexHead, manifests: ManifestResult): void {
  try {
    const problems = new Map<string, Problem[]>();
    for (const problem of manifests.problems) {
      if (problem.builder === undefined) continue;
      const list = problems.get(problem.builder);
      if (list) list.push(problem);
      else problems.set(problem.builder, [problem]);
    }
    const seen = new Set<string>();
    writeFileInPieces(
      file,
      (write) => {
        write(`${JSON.stringify(head)}\n`);
        for (const factory of manifests.factories) {
          // the merge keeps the first section of a name
          if (seen.has(factory.name)) continue;
          seen.add(factory.name);
          const entry: IndexedBuilder = { factory, problems: problems.get(factory.name) ?? [] };
          // JSON text holds no raw tab or newline: the name ends at the tab, the entry at the newline
          write(`${JSON.stringify(factory.name)}\t${JSON.stringify(entry)}\n`);
        }
      },
      { fsync: false },
    );
  } catch {
    // explain then reads the manifests
  }
}

export type IndexLookup =
  | { found: true; manifests: ManifestResult }
  /** No such builder: every builder name, in manifest order (for close names). */
  | { found: false; names: string[] };

/**
 * One builder's section from the index, when the index is current for these manifest paths;
 * undefined otherwise (no index, another list of manifests, one of them changed, a torn file).
 * The line is found by its name, without parsing the others.
 */
export function lookupFactory(file: string, paths: readonly string[], name: string): IndexLookup | undefined {
  let text: Buffer;
  try {
    text = readFileSync(file);
  } catch {
    return undefined;
  }
  const headEnd = text.indexOf(10);
  if (headEnd < 0 || text[text.length - 1] !== 10) return undefined;
  try {
    if (!current(JSON.parse(text.toString("utf8", 0, headEnd)) as IndexHead, paths)) return undefined;
    const key = Buffer.from(`\n${JSON.stringify(name)}\t`);
    const at = text.indexOf(key, headEnd);
    if (at < 0) {
      const names: string[] = [];
      for (let start = headEnd + 1; start < text.length; ) {
        const tab = text.indexOf(9, start);
        const end = text.indexOf(10, start);
        names.push(JSON.parse(text.toString("utf8", start, tab)) as string);
        start = end + 1;
      }
      return { found: false, names };
    }
    const start = at + key.length;
    const entry = JSON.parse(text.toString("utf8", start, text.indexOf(10, start))) as IndexedBuilder;
    return { found: true, manifests: { factories: [entry.factory], problems: entry.problems } };
  } catch {
    return undefined;
  }
}

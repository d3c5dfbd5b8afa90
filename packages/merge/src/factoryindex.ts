// Internal to @autowatch/merge: not exported (the public API is what README.md documents).
import { closeSync, fstatSync, readFileSync, readSync } from "node:fs";
import { resolve } from "node:path";
import type { BuildFactory, ManifestResult } from "@autowatch/manifest";
import type { Problem } from "@autowatch/watchfile";
import { writeFileAtomicSync } from "@autowatch/watchfile/text";
import { digestOf, stampFile } from "./cache/files.js";
import { isRacy, racyFrom, type Stamp } from "./cache/stamp.js";
import { openRegular, readRegular } from "./regular.js";

/**
 * `STATE.factories`: every builder's manifest section as the last merge parsed it, one line per
 * builder, so that `explain` gets one builder's section without reading and parsing every
 * manifest (80-150 ms at 20,000 builders). Its first line says which manifest bytes it came
 * from (stat data and sha256 of each, as git's index does): it is used only while every
 * manifest still has them. It is a cache of a pure function of those bytes, so it stays right
 * whatever happened to the state since.
 */
export const FACTORY_INDEX_SCHEMA = "autowatch.factories/2";

export function factoryIndexFile(state: string): string {
  return `${state}.factories`;
}

/** What one manifest was when it was parsed: its stamp (as the merge cache takes it) and digest. */
interface ManifestStamp {
  /** As given (problems and sections name it so). */
  given: string;
  /** Absolute (a relative path given from another directory is another file). */
  path: string;
  stamp: Stamp;
  sha256: string;
}

export interface IndexHead {
  schema: typeof FACTORY_INDEX_SCHEMA;
  /** Wall clock (ms) just before the manifests were stat'ed. */
  stampedMs: number;
  manifests: ManifestStamp[];
}

/**
 * Stamps the manifests before a merge reads them: the stat now (before the read: a change after
 * it shows in the stat, or in the content within the racy window), the digest of the bytes the
 * parse sees through `onRead`. `head()` is undefined when a manifest could not be stat'ed or read.
 */
export function stampManifests(paths: readonly string[]): { onRead: (file: string, bytes: Uint8Array) => void; head: () => IndexHead | undefined } {
  const stampedMs = Date.now();
  const stamps = paths.map((path) => stampFile(path, true));
  const digests = new Map<string, string>();
  return {
    onRead: (file, bytes) => digests.set(file, digestOf(bytes)),
    head: () => {
      const manifests: ManifestStamp[] = [];
      for (const [index, given] of paths.entries()) {
        const stamp = stamps[index];
        const sha256 = digests.get(given);
        if (stamp === undefined || sha256 === undefined) return undefined;
        manifests.push({ given, path: resolve(given), stamp, sha256 });
      }
      return { schema: FACTORY_INDEX_SCHEMA, stampedMs, manifests };
    },
  };
}

/** True when every manifest is still the file it was, byte for byte (reads a file only when its stamp was racy). */
function current(head: IndexHead, paths: readonly string[]): boolean {
  if (head.schema !== FACTORY_INDEX_SCHEMA || !Array.isArray(head.manifests) || head.manifests.length !== paths.length) return false;
  if (typeof head.stampedMs !== "number" || !Number.isFinite(head.stampedMs)) return false;
  const racy = racyFrom(head.stampedMs);
  return head.manifests.every((stamp, index) => {
    const given = paths[index]!;
    if (stamp.given !== given || stamp.path !== resolve(given) || stampFile(given, true) !== stamp.stamp) return false;
    if (!isRacy(stamp.stamp, racy)) return true;
    try {
      return digestOf(readRegular(given)) === stamp.sha256;
    } catch {
      return false;
    }
  });
}

/** One builder's entry: its section and the manifest problems that name it. */
interface IndexedBuilder {
  factory: BuildFactory;
  problems: Problem[];
}

/**
 * Writes the index for this parse (atomic rename, no fsync: a lost index only costs `explain` a
 * read of the manifests). Best effort, for the same reason. Lines are sorted by the bytes of
 * the name's JSON text, so that one line is found by a binary search of the file.
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
    const keyed = new Map<string, { key: Buffer; factory: BuildFactory; order: number }>();
    // the merge keeps the first section of a name
    for (const factory of manifests.factories)
      if (!keyed.has(factory.name)) keyed.set(factory.name, { key: Buffer.from(JSON.stringify(factory.name)), factory, order: keyed.size });
    const sorted = [...keyed.values()].sort((a, b) => Buffer.compare(a.key, b.key));
    writeFileAtomicSync(
      file,
      (write) => {
        write(`${JSON.stringify(head)}\n`);
        for (const { key, factory, order } of sorted) {
          const entry: IndexedBuilder = { factory: mergedPart(factory), problems: problems.get(factory.name) ?? [] };
          // JSON text holds no raw tab or newline: name, tab, place in the manifests, tab, entry, newline
          write(`${key.toString()}\t${order}\t${JSON.stringify(entry)}\n`);
        }
      },
      { fsync: false },
    );
  } catch {
    // explain then reads the manifests
  }
}

/**
 * What the merge reads of a section (see MergeFactory): the options themselves and where each was
 * written are left out (three quarters of the text, and of the time to write it at 20,000
 * builders), but for the buildout option's place, which explain shows.
 */
function mergedPart(factory: BuildFactory): BuildFactory {
  const part: BuildFactory = {
    name: factory.name,
    file: factory.file,
    line: factory.line,
    options: {},
    optionOrigins: factory.optionOrigins.buildout ? { buildout: factory.optionOrigins.buildout } : {},
    watches: factory.watches,
    schedule: factory.schedule,
    autoWatch: factory.autoWatch,
    autoWatchExplicit: factory.autoWatchExplicit,
    inherits: [],
  };
  if (factory.buildout) part.buildout = factory.buildout;
  if (factory.treeStableTimer !== undefined) part.treeStableTimer = factory.treeStableTimer;
  return part;
}

export type IndexLookup =
  | { found: true; manifests: ManifestResult }
  /** No such builder: every builder name, in manifest order (for close names). */
  | { found: false; names: string[] };

const NEWLINE = 10;
const TAB = 9;

/** Reads a file by position, a few kilobytes at a time. */
class Reader {
  private readonly chunk = Buffer.allocUnsafe(4096);
  constructor(
    readonly fd: number,
    readonly size: number,
  ) {}

  /** The bytes from `from` up to (not including) the first `stop` byte; undefined at the end of the file. */
  until(from: number, stop: number): { bytes: Buffer; end: number } | undefined {
    const parts: Buffer[] = [];
    for (let at = from; at < this.size;) {
      const read = readSync(this.fd, this.chunk, 0, Math.min(this.chunk.length, this.size - at), at);
      if (read === 0) return undefined;
      const index = this.chunk.subarray(0, read).indexOf(stop);
      if (index >= 0) {
        parts.push(Buffer.from(this.chunk.subarray(0, index)));
        return { bytes: Buffer.concat(parts), end: at + index };
      }
      parts.push(Buffer.from(this.chunk.subarray(0, read)));
      at += read;
    }
    return undefined;
  }
}

/**
 * One builder's section from the index, when the index is current for these manifest paths;
 * undefined otherwise (no index, another list of manifests, one of them changed, a torn file).
 * The line is found by a binary search on the names (a few 4 KB reads of a 25 MB file at
 * 20,000 builders); only an unknown name reads the whole file, for close names.
 */
export function lookupFactory(file: string, paths: readonly string[], name: string): IndexLookup | undefined {
  let fd: number;
  try {
    fd = openRegular(file);
  } catch {
    return undefined;
  }
  try {
    const reader = new Reader(fd, fstatSync(fd).size);
    const last = Buffer.alloc(1);
    if (reader.size === 0 || readSync(fd, last, 0, 1, reader.size - 1) !== 1 || last[0] !== NEWLINE) return undefined;
    const head = reader.until(0, NEWLINE);
    if (!head || !current(JSON.parse(head.bytes.toString("utf8")) as IndexHead, paths)) return undefined;
    const start = head.end + 1;
    const target = Buffer.from(JSON.stringify(name));
    // the first line whose name is not below the target, among the lines starting in [lo, hi)
    let lo = start;
    let hi = reader.size;
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2);
      const line = mid === lo ? lo : reader.until(mid - 1, NEWLINE)!.end + 1;
      if (line >= hi) {
        hi = mid;
        continue;
      }
      const key = reader.until(line, TAB);
      if (!key) return undefined;
      const order = Buffer.compare(key.bytes, target);
      if (order === 0) {
        const rest = reader.until(key.end + 1, NEWLINE)!.bytes;
        const entry = JSON.parse(rest.toString("utf8", rest.indexOf(TAB) + 1)) as IndexedBuilder;
        return { found: true, manifests: { factories: [entry.factory], problems: entry.problems } };
      }
      if (order < 0) lo = reader.until(key.end, NEWLINE)!.end + 1;
      else hi = mid;
    }
    // an unknown name: every name, in manifest order
    const text = readFileSync(fd);
    const names: { name: string; order: number }[] = [];
    for (let at = start; at < text.length;) {
      const tab = text.indexOf(TAB, at);
      const end = text.indexOf(NEWLINE, at);
      names.push({ name: JSON.parse(text.toString("utf8", at, tab)) as string, order: Number(text.toString("latin1", tab + 1, text.indexOf(TAB, tab + 1))) });
      at = end + 1;
    }
    return { found: false, names: names.sort((a, b) => a.order - b.order).map((entry) => entry.name) };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

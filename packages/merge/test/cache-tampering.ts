// The differential run's changes to what the merge writes, made behind its back: the state file, the last-good store and the cache.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUILDERS, readOrMissing, type Farm, type prng } from "./cache-farm.js";

export type Mutation = [string, () => string | Promise<string>];

/**
 * The tampering mutations: the state file written over, replaced or deleted, a last-good entry
 * edited or its pack deleted, the cache damaged or another state's. `mergeElsewhere` merges the
 * farm with other flags into `output` and says how.
 */
export function tampering(farm: Farm, random: ReturnType<typeof prng>, mergeElsewhere: (output: string) => Promise<string>): Mutation[] {
  const cacheOf = (state: string) => `${state}.cache`;
  const tamper = (change: (file: string) => void) => {
    for (const file of [farm.a.output, farm.b.output]) change(file);
  };
  return [
    [
      "state file: other bytes written in place",
      () => {
        const sameSize = random.int(2) === 0;
        tamper((file) => {
          const text = readOrMissing(file);
          // same size: one hex digit of the fingerprint changed, so only the content tells
          writeFileSync(
            file,
            sameSize && text !== "<missing>" ? text.replace(/[0-9a-f]/, (d) => (d === "0" ? "1" : "0")) : '{"schema": "autowatch.state/1"}\n',
          );
        });
        return sameSize ? "same size" : "other size";
      },
    ],
    [
      "state file: replaced by rename",
      () => {
        tamper((file) => {
          const text = readOrMissing(file);
          writeFileSync(`${file}.tmp`, text === "<missing>" ? "{}\n" : text);
          renameSync(`${file}.tmp`, file);
        });
        return "same bytes, new inode";
      },
    ],
    [
      "state file: deleted",
      () => {
        tamper((file) => rmSync(file, { force: true }));
        return "deleted";
      },
    ],
    [
      "last-good entry of a builder edited, or its pack gone",
      () => {
        const builder = random.pick(BUILDERS);
        const at = storeLine(farm.a.lastGoodDir, builder);
        if (!at) return `${builder}: none`;
        const file = join(farm.a.lastGoodDir, at.pack);
        const other = join(farm.b.lastGoodDir, at.pack);
        // one watch fewer, or the pack gone: what a builder with a rejected file falls back to changes
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch {
          // deleted by an earlier step: the index names it until the builder's next good file
          return `${builder}: its pack already gone`;
        }
        const stored = JSON.parse(bytes.toString("utf8", at.offset, at.offset + at.length)) as { watches: unknown[] };
        if (random.int(3) === 0 || stored.watches.length === 0) {
          rmSync(file);
          rmSync(other, { force: true });
          return `${builder}: its pack deleted`;
        }
        // the same length, written in place: the other lines stay where the index says
        const edited = JSON.stringify({ ...stored, watches: stored.watches.slice(0, -1) }).padEnd(at.length, " ");
        bytes.write(edited, at.offset);
        writeFileSync(file, bytes);
        writeFileSync(other, bytes);
        return builder;
      },
    ],
    [
      "cache: damaged",
      () => {
        const file = cacheOf(farm.a.output);
        const text = readOrMissing(file);
        if (text === "<missing>") return "no cache";
        const kind = random.int(3);
        if (kind === 0) writeFileSync(file, text.slice(0, random.int(text.length)));
        else if (kind === 1)
          writeFileSync(
            file,
            text.replace(/"racy":(true|false)/, (m) => (m.endsWith("true") ? '"racy":false' : '"racy":true')),
          );
        else writeFileSync(file, text.replace(/\[\d+(,\d+)*\]/, "[0]"));
        return `kind ${kind}`;
      },
    ],
    [
      "cache: foreign (another state's, merged with other flags)",
      async () => {
        const other = join(farm.root, "other");
        rmSync(other, { recursive: true, force: true });
        mkdirSync(other);
        const output = join(other, "state.json");
        const label = await mergeElsewhere(output);
        renameSync(cacheOf(output), cacheOf(farm.a.output));
        return label;
      },
    ],
  ];
}

/** Where a builder's last-good entry is, as the store's index says (undefined when it has none in a pack). */
function storeLine(dir: string, builder: string): { pack: string; offset: number; length: number } | undefined {
  const text = readOrMissing(join(dir, ".index.json"));
  if (text === "<missing>") return undefined;
  let rows: unknown[][];
  try {
    rows = (JSON.parse(text) as { builders: unknown[][] }).builders;
  } catch {
    return undefined;
  }
  const row = Array.isArray(rows) ? rows.find((r) => Array.isArray(r) && r[0] === builder) : undefined;
  return row && row.length === 6 ? { pack: row[3] as string, offset: row[4] as number, length: row[5] as number } : undefined;
}

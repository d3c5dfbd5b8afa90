import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { safeBuilderFileName, type Problem } from "@autowatch/watchfile";
import { entryShape, type AutoEntry } from "./decode.js";
import { mapLimit } from "./limit.js";
import { compareText } from "./order.js";
import type { LastGoodEntry } from "./types.js";
import { errorCode } from "./watchdir.js";

const LASTGOOD_SCHEMA_ID = "autowatch.lastgood/1";

/**
 * The last-good store is a directory with one small file per builder, each replaced by an
 * atomic rename. Two merges running at once can then never lose each other's updates to
 * other builders, and a reader never sees a half-written file: no lock is needed.
 */
export async function loadLastGood(dir: string): Promise<{ lastGood: Map<string, LastGoodEntry>; texts: Map<string, string>; problems: Problem[] }> {
  const lastGood = new Map<string, LastGoodEntry>();
  const texts = new Map<string, string>();
  const problems: Problem[] = [];
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => name.endsWith(".json") && !name.startsWith(".")).sort();
  } catch (error) {
    if (errorCode(error) !== "ENOENT") problems.push({ level: "warning", file: dir, message: `last-good store unreadable (${errorCode(error)})` });
    return { lastGood, texts, problems };
  }
  type Loaded = { entry: { builder: string; date: string; watches: AutoEntry[] }; text: string } | { file: string; message: string };
  const loaded = await mapLimit(names, 16, async (name): Promise<Loaded> => {
    const file = join(dir, name);
    try {
      const text = await readFile(file, "utf8");
      const entry = parseLastGood(text);
      if (entry && `${safeBuilderFileName(entry.builder)}.json` === name) return { entry, text };
      return { file, message: "last-good file is not valid: ignored" };
    } catch (error) {
      return { file, message: `last-good file unreadable (${errorCode(error)})` };
    }
  });
  for (const item of loaded) {
    if ("entry" in item) {
      lastGood.set(item.entry.builder, { date: item.entry.date, watches: item.entry.watches });
      texts.set(item.entry.builder, item.text);
    } else {
      problems.push({ level: "warning", file: item.file, message: item.message });
    }
  }
  return { lastGood, texts, problems };
}

/** Writes the entries whose text changed since they were loaded; returns the builders written. */
export async function saveLastGood(dir: string, lastGood: ReadonlyMap<string, LastGoodEntry>, loaded: ReadonlyMap<string, string>): Promise<string[]> {
  const changed = [...lastGood]
    .sort(([a], [b]) => compareText(a, b))
    .map(([builder, entry]) => ({ builder, text: serializeLastGood(builder, entry) }))
    .filter(({ builder, text }) => loaded.get(builder) !== text);
  if (changed.length === 0) return [];
  await mkdir(dir, { recursive: true });
  // no fsync: a last-good file lost in a crash is only reported and skipped, and there are hundreds
  await mapLimit(changed, 16, ({ builder, text }) => writeFileAtomic(join(dir, `${safeBuilderFileName(builder)}.json`), text, { fsync: false }));
  return changed.map(({ builder }) => builder);
}

export function serializeLastGood(builder: string, entry: LastGoodEntry): string {
  const watches = entry.watches.map(({ vcs, url, branch, origin }) => ({ vcs, url, revspec: branch, ...(origin ? { origin } : {}) }));
  return `${JSON.stringify({ schema: LASTGOOD_SCHEMA_ID, builder, date: entry.date, watches }, null, 2)}\n`;
}

function parseLastGood(text: string): { builder: string; date: string; watches: AutoEntry[] } | undefined {
  let data: Record<string, unknown> | null;
  try {
    data = JSON.parse(text) as Record<string, unknown> | null;
  } catch {
    return undefined;
  }
  if (!data || data.schema !== LASTGOOD_SCHEMA_ID || typeof data.builder !== "string" || typeof data.date !== "string") return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(data.date) || !Array.isArray(data.watches)) return undefined;
  const watches: AutoEntry[] = [];
  for (const raw of data.watches) {
    const entry = entryShape(raw);
    if (entry) watches.push(entry);
  }
  return { builder: data.builder, date: data.date, watches };
}

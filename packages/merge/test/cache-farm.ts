// The seeded farm of the merge cache's differential test: a manifest, watch files and two outputs.
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { type RunMergeResult } from "../src/index.js";
import { git } from "./helpers.js";
import { seeded } from "../../../tests/support/random.mjs";

export const BO = "https://git.example.com/buildouts.git";
export const HG_BO = "https://hg.example.com/buildouts";
export const OCB = "https://github.com/OCA/OCB.git";
export const WEB = "https://github.com/OCA/web.git";
export const SHARED = "https://git.example.com/addons.git";
/** Watched as git by the watch files, as hg by b06's manual line. */
export const MIXED = "https://code.example.com/mixed";
export const OTHER_HOST = "https://other.example.org/tools.git";
export const DAY = 24 * 60 * 60 * 1000;

/** What workers may send: each watch file is a random subset. */
export const POOL = [
  git(OCB, "10.0", 3),
  git(OCB, "11.0", 4),
  git(WEB, "10.0", 7),
  git(SHARED, "main", 9),
  git(MIXED, "main", 11),
  git(OTHER_HOST, "master", 12),
  git(BO, "other-branch"),
  { vcs: "hg", url: "https://hg.example.com/addons", revspec: "default" },
  { vcs: "bzr", url: "lp:openupgradelib", revspec: "" },
];

/** Manifest sections; `variant` picks among a few versions of the lines that mutations edit. */
export interface FarmShape {
  extra: boolean;
  autoOff: Set<string>;
  manualBranch: string;
  buildoutBranch: string;
  /** Comment lines above the sections: every section moves when it changes. */
  header?: number;
  /** Which `[DEFAULT]` section the first manifest opens with (`DEFAULTS`; none when undefined). */
  defaults?: number;
  /** The sections from `at` on are in a second manifest; `swapped`: that one is given first. */
  split?: { at: number; swapped: boolean };
}

/**
 * `[DEFAULT]` sections: options every section has unless it sets its own. With `tools` set,
 * b06 watches `%(tools)s` too: the last two differ only in the value the line is read with.
 */
export const DEFAULTS: readonly (readonly string[])[] = [
  [],
  ["[DEFAULT]", "auto-watch = false"],
  ["[DEFAULT]", "tools = https://github.com/OCA/server-tools.git"],
  ["[DEFAULT]", "tools = https://git.example.com/tools.git", "auto-watch = no"],
];

export function manifestText(shape: Omit<FarmShape, "split">): string {
  return manifestTexts(shape)[0]!;
}

/** The manifest's text, or the texts of the two manifests its sections are split over (in the order given). */
export function manifestTexts(shape: FarmShape): string[] {
  const auto = (name: string, fallback?: boolean) =>
    shape.autoOff.has(name) ? ["auto-watch = false"] : fallback === undefined ? [] : [`auto-watch = ${fallback ? "yes" : "no"}`];
  const defaults = DEFAULTS[shape.defaults ?? 0]!;
  const tools = defaults.some((line) => line.startsWith("tools =")) ? ["    git %(tools)s 10.0"] : [];
  const sections: string[][] = [
    ["[b01]", `buildout = git ${BO} ${shape.buildoutBranch} buildout.cfg`, ...auto("b01")],
    ["[b02]", `buildout = git ${BO} b02 buildout.cfg`, `watch = git https://github.com/OCA/server-tools.git ${shape.manualBranch}`, ...auto("b02")],
    ["[b03]", `buildout = hg ${HG_BO} b03 buildout.cfg`, ...auto("b03")],
    ["[b04]", "buildout = standalone buildout.cfg", `watch = git ${OCB} 10.0`, "auto-watch = false"],
    ["[b05]", `buildout = git ${BO} release buildout.cfg`, "watch ="],
    ["[b06]", "buildout = standalone buildout.cfg", `watch = hg ${MIXED} default`, ...tools, ...auto("b06")],
    ["[b07]", "buildout = standalone buildout.cfg", ...auto("b07", true)],
    ["[b08]", `buildout = gittag ${BO} buildout.cfg`],
    ["[b09]", `buildout = git ${BO} b09 buildout.cfg`, `watch = git ${BO} not-b09`, `    git ${SHARED} main`, ...auto("b09")],
    ["[b10]", "inherit = b01", ...auto("b10")],
  ];
  if (shape.extra) sections.push(["[b11]", `buildout = git ${BO} b11 buildout.cfg`, `watch = git ${WEB} 11.0`, ...auto("b11")]);
  const header = Array.from({ length: shape.header ?? 0 }, (_, index) => `# note ${index + 1}\n`).join("");
  const text = (part: string[][]) => `${part.map((lines) => lines.join("\n")).join("\n\n")}\n`;
  const second = shape.split ? [text(sections.splice(shape.split.at))] : [];
  const first = `${header}${text(defaults.length > 0 ? [[...defaults], ...sections] : sections)}`;
  return shape.split?.swapped ? [...second, first] : [first, ...second];
}

export const BUILDERS = ["b01", "b02", "b03", "b04", "b05", "b06", "b07", "b08", "b09", "b10", "b11"];

/** The bench generators' mulberry32 (a failing seed reproduces), plus a random subset. */
export function prng(seed: number) {
  const random = seeded(seed);
  return { ...random, subset: <T>(items: readonly T[]): T[] => items.filter(() => random.chance(0.4)) };
}

export interface Farm {
  root: string;
  watchDir: string;
  manifest: string;
  /** Where a second manifest is written, when the farm's sections are split over two. */
  secondManifest: string;
  a: { output: string; lastGoodDir: string };
  b: { output: string; lastGoodDir: string };
}

export function makeFarm(root: string): Farm {
  const watchDir = join(root, "watch");
  mkdirSync(watchDir);
  mkdirSync(join(root, "a"));
  mkdirSync(join(root, "b"));
  return {
    root,
    watchDir,
    manifest: join(root, "MANIFEST.cfg"),
    secondManifest: join(root, "MANIFEST-2.cfg"),
    a: { output: join(root, "a", "state.json"), lastGoodDir: join(root, "a", "lastgood") },
    b: { output: join(root, "b", "state.json"), lastGoodDir: join(root, "b", "lastgood") },
  };
}

/** Every file of the store, by name, with its bytes (a missing store is empty). */
export function storeContents(dir: string): [string, string][] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.map((name) => [name, readFileSync(join(dir, name), "latin1")]);
}

export function readOrMissing(file: string): string {
  try {
    return readFileSync(file, "latin1");
  } catch {
    return "<missing>";
  }
}

export function lastGoodOf(result: RunMergeResult) {
  return [...result.result.lastGood].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([name, entry]) => [name, entry.date, entry.watches]);
}

/** Every observable output of the two merges must be the same. */
export function compare(farm: Farm, withMemo: RunMergeResult, fresh: RunMergeResult, where: () => string): void {
  const fileA = readOrMissing(farm.a.output);
  const fileB = readOrMissing(farm.b.output);
  expect(fileA, `state file bytes\n${where()}`).toBe(fileB);
  expect(fileA, `state file A holds its merge's text\n${where()}`).toBe(withMemo.stateText);
  expect(withMemo.stateText, `state text\n${where()}`).toBe(fresh.stateText);
  expect(withMemo.problems, `problems\n${where()}`).toEqual(fresh.problems);
  expect(withMemo.changed, `changed\n${where()}`).toBe(fresh.changed);
  expect(withMemo.written, `written\n${where()}`).toBe(fresh.written);
  expect(lastGoodOf(withMemo), `lastGood\n${where()}`).toEqual(lastGoodOf(fresh));
  expect(new Map(withMemo.result.details), `details\n${where()}`).toEqual(new Map(fresh.result.details));
  expect(storeContents(farm.a.lastGoodDir), `last-good store\n${where()}`).toEqual(storeContents(farm.b.lastGoodDir));
}

export interface Settings {
  allowHosts: string[];
  rewrite: string[];
  now: Date;
  maxAge?: { milliseconds: number; text: string };
}

/** `--max-age` off, or two ages (a watch file dated back `DAYS_BACK` days is older than some). */
export const MAX_AGES = [undefined, { milliseconds: DAY, text: "1d" }, { milliseconds: 10 * DAY, text: "10d" }];
export const DAYS_BACK = [0.5, 3, 12];

export const HOST_LISTS = [
  [],
  ["github.com", "git.example.com", "hg.example.com", "code.example.com", "bazaar.launchpad.net"],
  ["github.com", "git.example.com", "hg.example.com"],
];
export const RULE_SETS = [
  [],
  ["https://github.com/=ssh://git@mirror.example.com/"],
  ["https://github.com/OCA/=https://git.example.com/oca/", "https://git.example.com/=ssh://git@mirror.example.com/"],
];

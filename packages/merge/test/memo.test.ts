import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runMerge, type RunMergeOptions, type RunMergeResult } from "../src/index.js";
import { NOW, git, watchFileText } from "./helpers.js";
import { seeded } from "../../../tests/support/random.mjs";

const BO = "https://git.example.com/buildouts.git";
const HG_BO = "https://hg.example.com/buildouts";
const OCB = "https://github.com/OCA/OCB.git";
const WEB = "https://github.com/OCA/web.git";
const SHARED = "https://git.example.com/addons.git";
/** Watched as git by the watch files, as hg by b06's manual line. */
const MIXED = "https://code.example.com/mixed";
const OTHER_HOST = "https://other.example.org/tools.git";
const DAY = 24 * 60 * 60 * 1000;

/** What workers may send: each watch file is a random subset. */
const POOL = [
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
interface FarmShape {
  extra: boolean;
  autoOff: Set<string>;
  manualBranch: string;
  buildoutBranch: string;
}

function manifestText(shape: FarmShape): string {
  const auto = (name: string, fallback?: boolean) =>
    shape.autoOff.has(name) ? ["auto-watch = false"] : fallback === undefined ? [] : [`auto-watch = ${fallback ? "yes" : "no"}`];
  const sections: string[][] = [
    ["[b01]", `buildout = git ${BO} ${shape.buildoutBranch} buildout.cfg`, ...auto("b01")],
    ["[b02]", `buildout = git ${BO} b02 buildout.cfg`, `watch = git https://github.com/OCA/server-tools.git ${shape.manualBranch}`, ...auto("b02")],
    ["[b03]", `buildout = hg ${HG_BO} b03 buildout.cfg`, ...auto("b03")],
    ["[b04]", "buildout = standalone buildout.cfg", `watch = git ${OCB} 10.0`, "auto-watch = false"],
    ["[b05]", `buildout = git ${BO} release buildout.cfg`, "watch ="],
    ["[b06]", "buildout = standalone buildout.cfg", `watch = hg ${MIXED} default`, ...auto("b06")],
    ["[b07]", "buildout = standalone buildout.cfg", ...auto("b07", true)],
    ["[b08]", `buildout = gittag ${BO} buildout.cfg`],
    ["[b09]", `buildout = git ${BO} b09 buildout.cfg`, `watch = git ${BO} not-b09`, `    git ${SHARED} main`, ...auto("b09")],
    ["[b10]", "inherit = b01", ...auto("b10")],
  ];
  if (shape.extra) sections.push(["[b11]", `buildout = git ${BO} b11 buildout.cfg`, `watch = git ${WEB} 11.0`, ...auto("b11")]);
  return `${sections.map((lines) => lines.join("\n")).join("\n\n")}\n`;
}

const BUILDERS = ["b01", "b02", "b03", "b04", "b05", "b06", "b07", "b08", "b09", "b10", "b11"];

/** The bench generators' mulberry32 (a failing seed reproduces), plus a random subset. */
function prng(seed: number) {
  const random = seeded(seed);
  return { ...random, subset: <T>(items: readonly T[]): T[] => items.filter(() => random.chance(0.4)) };
}

interface Farm {
  root: string;
  watchDir: string;
  manifest: string;
  a: { output: string; lastGoodDir: string };
  b: { output: string; lastGoodDir: string };
}

function makeFarm(root: string): Farm {
  const watchDir = join(root, "watch");
  mkdirSync(watchDir);
  mkdirSync(join(root, "a"));
  mkdirSync(join(root, "b"));
  return {
    root,
    watchDir,
    manifest: join(root, "MANIFEST.cfg"),
    a: { output: join(root, "a", "state.json"), lastGoodDir: join(root, "a", "lastgood") },
    b: { output: join(root, "b", "state.json"), lastGoodDir: join(root, "b", "lastgood") },
  };
}

/** Every file of the store, by name, with its bytes (a missing store is empty). */
function storeContents(dir: string): [string, string][] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return names.map((name) => [name, readFileSync(join(dir, name), "latin1")]);
}

function readOrMissing(file: string): string {
  try {
    return readFileSync(file, "latin1");
  } catch {
    return "<missing>";
  }
}

function lastGoodOf(result: RunMergeResult) {
  return [...result.result.lastGood].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([name, entry]) => [name, entry.date, entry.watches]);
}

/** Every observable output of the two merges must be the same. */
function compare(farm: Farm, withMemo: RunMergeResult, fresh: RunMergeResult, where: () => string): void {
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

interface Settings {
  allowHosts: string[];
  rewrite: string[];
  now: Date;
}

const HOST_LISTS = [
  [],
  ["github.com", "git.example.com", "hg.example.com", "code.example.com", "bazaar.launchpad.net"],
  ["github.com", "git.example.com", "hg.example.com"],
];
const RULE_SETS = [
  [],
  ["https://github.com/=ssh://git@mirror.example.com/"],
  ["https://github.com/OCA/=https://git.example.com/oca/", "https://git.example.com/=ssh://git@mirror.example.com/"],
];

/**
 * The differential run: one merge with the merge cache beside its state (output A) and one
 * merge without (output B) after each random change; both stores see the same history.
 * `racyWindowMs` 0 lets the cache trust the stamps of files written before the merge started
 * (the default 2 s window has every file of this test confirmed by its digest).
 */
async function differential(root: string, seed: number, steps: number, racyWindowMs?: number): Promise<{ recalled: number; skippedWrites: number }> {
  const random = prng(seed);
  const farm = makeFarm(root);
  let recalled = 0;
  let skippedWrites = 0;
  const cacheOf = (state: string) => `${state}.cache`;

  let shape: FarmShape = { extra: false, autoOff: new Set(), manualBranch: "10.0", buildoutBranch: "b01" };
  let previousManifest = manifestText(shape);
  writeFileSync(farm.manifest, previousManifest);
  const settings: Settings = { allowHosts: [], rewrite: [], now: NOW };
  const contents = new Map<string, unknown[]>();
  const history: string[] = [];

  const watchFile = (builder: string) => join(farm.watchDir, `${builder}.json`);
  const put = (builder: string, bytes: string | Buffer) => {
    rmSync(watchFile(builder), { force: true });
    writeFileSync(watchFile(builder), bytes);
  };
  const good = (builder: string) => {
    const watches = random.subset(POOL);
    contents.set(builder, watches);
    put(builder, watchFileText(builder, watches));
    return `${builder}: ${watches.length} watches`;
  };
  const editManifest = (next: FarmShape) => {
    previousManifest = readFileSync(farm.manifest, "utf8");
    shape = next;
    writeFileSync(farm.manifest, manifestText(shape));
  };
  const tamper = (change: (file: string) => void) => {
    for (const file of [farm.a.output, farm.b.output]) change(file);
  };

  const mutations: [string, () => string | Promise<string>][] = [
    ["good file", () => good(random.pick(BUILDERS))],
    ["good file", () => good(random.pick(BUILDERS))],
    [
      "same bytes again",
      () => {
        const builder = random.pick(BUILDERS);
        const file = watchFile(builder);
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch {
          return `${builder}: no file`;
        }
        put(builder, bytes);
        return builder;
      },
    ],
    [
      "same JSON, other whitespace",
      () => {
        const builder = random.pick(BUILDERS);
        const watches = contents.get(builder) ?? random.subset(POOL);
        contents.set(builder, watches);
        put(builder, JSON.stringify({ schema: "autowatch.watchfile/2", builder, watches }, null, random.pick([0, 1, 4, "\t"])));
        return builder;
      },
    ],
    [
      "broken file",
      () => {
        const builder = random.pick(BUILDERS);
        const text = watchFileText(builder, contents.get(builder) ?? [git(OCB, "10.0")]);
        const kind = random.int(5);
        if (kind === 0) put(builder, text.slice(0, 10 + random.int(text.length - 10)));
        else if (kind === 1) put(builder, Buffer.concat([Buffer.from(text), Buffer.from([0xc3, 0x28])]));
        else if (kind === 2) put(builder, watchFileText(builder, [git("-oProxyCommand=touch /tmp/pwned", "10.0"), git(WEB, "10.0")]));
        else if (kind === 3) put(builder, watchFileText(random.pick(BUILDERS.filter((b) => b !== builder)), [git(OCB, "12.0")]));
        else put(builder, text.replace('"watches"', '"__proto__": {"polluted": true}, "watches"'));
        return `${builder}: kind ${kind}`;
      },
    ],
    [
      "delete file",
      () => {
        const builder = random.pick(BUILDERS);
        rmSync(watchFile(builder), { force: true });
        return builder;
      },
    ],
    [
      "stray file",
      () => {
        const stray = join(farm.watchDir, `ghost-${random.int(3)}.json`);
        if (random.int(2) === 0) rmSync(stray, { force: true });
        else writeFileSync(stray, watchFileText("ghost", [git(OCB, "10.0")]));
        return stray;
      },
    ],
    [
      "symlink",
      () => {
        const builder = random.pick(BUILDERS);
        const target = join(farm.root, `elsewhere-${builder}.json`);
        writeFileSync(target, watchFileText(builder, [git(OCB, "10.0")]));
        rmSync(watchFile(builder), { force: true });
        symlinkSync(target, watchFile(builder));
        return builder;
      },
    ],
    [
      "manifest: builder added or removed",
      () => {
        editManifest({ ...shape, extra: !shape.extra });
        return `b11 ${shape.extra ? "added" : "removed"}`;
      },
    ],
    [
      "manifest: auto-watch toggled",
      () => {
        const builder = random.pick(["b01", "b02", "b03", "b06", "b07", "b09", "b10", "b11"]);
        const autoOff = new Set(shape.autoOff);
        if (!autoOff.delete(builder)) autoOff.add(builder);
        editManifest({ ...shape, autoOff });
        return builder;
      },
    ],
    [
      "manifest: manual line",
      () => {
        editManifest({ ...shape, manualBranch: random.pick(["10.0", "11.0", "12.0"]) });
        return shape.manualBranch;
      },
    ],
    [
      "manifest: buildout line",
      () => {
        editManifest({ ...shape, buildoutBranch: random.pick(["b01", "b01-next", "not-b09"]) });
        return shape.buildoutBranch;
      },
    ],
    [
      "manifest: previous text restored",
      () => {
        const current = readFileSync(farm.manifest, "utf8");
        writeFileSync(farm.manifest, previousManifest);
        previousManifest = current;
        // the shape no longer matches the text: the next shape edit starts from a known one
        return "restored";
      },
    ],
    [
      "policy: allowHosts",
      () => {
        settings.allowHosts = random.pick(HOST_LISTS);
        return settings.allowHosts.join(",") || "any host";
      },
    ],
    [
      "policy: rewrite rules",
      () => {
        settings.rewrite = random.pick(RULE_SETS);
        return settings.rewrite.join(" ") || "no rules";
      },
    ],
    [
      "now: next day",
      () => {
        settings.now = new Date(settings.now.getTime() + DAY);
        return settings.now.toISOString();
      },
    ],
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
      "watch file: same size, other bytes, time stamps put back",
      () => {
        const builder = random.pick(BUILDERS);
        const file = watchFile(builder);
        let text: string;
        try {
          text = readFileSync(file, "utf8");
        } catch {
          return `${builder}: no file`;
        }
        const swapped = text.replace(/"(10|11)\.0"/, (m) => (m === '"10.0"' ? '"11.0"' : '"10.0"'));
        if (swapped === text) return `${builder}: nothing to swap`;
        const { atime, mtime } = statSync(file);
        writeFileSync(file, swapped);
        // what a write within the same clock tick gives: the modification time the cache saw
        utimesSync(file, atime, mtime);
        return builder;
      },
    ],
    [
      "last-good file of a builder edited",
      () => {
        const builder = random.pick(BUILDERS);
        const file = join(farm.a.lastGoodDir, `${builder}.json`);
        const other = join(farm.b.lastGoodDir, `${builder}.json`);
        const text = readOrMissing(file);
        if (text === "<missing>") return `${builder}: none`;
        // one watch fewer, or the file gone: what a builder with a rejected file falls back to changes
        const stored = JSON.parse(text) as { watches: unknown[] };
        if (random.int(3) === 0 || stored.watches.length === 0) {
          rmSync(file);
          rmSync(other, { force: true });
          return `${builder}: deleted`;
        }
        const edited = JSON.stringify({ ...stored, watches: stored.watches.slice(0, -1) }, null, 2);
        writeFileSync(file, edited);
        writeFileSync(other, edited);
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
        const rewrite = random.pick(RULE_SETS);
        const allowHosts = random.pick(HOST_LISTS);
        await runMerge({ manifests: [farm.manifest], watchDir: farm.watchDir, output, rewrite, allowHosts, now: settings.now });
        renameSync(cacheOf(output), cacheOf(farm.a.output));
        return `${rewrite.join(" ") || "no rules"}, ${allowHosts.join(",") || "any host"}`;
      },
    ],
    ["nothing", () => "no change"],
  ];

  for (const builder of BUILDERS) if (random.int(3) > 0) good(builder);
  for (let step = 0; step <= steps; step++) {
    if (step > 0) {
      const [label, mutate] = random.pick(mutations);
      history.push(`step ${step}: ${label} (${await mutate()})`);
    } else history.push("step 0: initial farm");
    const common: RunMergeOptions = {
      manifests: [farm.manifest],
      watchDir: farm.watchDir,
      allowHosts: settings.allowHosts,
      rewrite: settings.rewrite,
      now: settings.now,
    };
    const before = statOrUndefined(farm.a.output);
    const withMemo = await runMerge({ ...common, ...farm.a, ...(racyWindowMs === undefined ? {} : { racyWindowMs }) });
    recalled += withMemo.reused;
    const after = statOrUndefined(farm.a.output);
    if (before && after && before.ino === after.ino && before.mtimeMs === after.mtimeMs) skippedWrites++;
    const fresh = await runMerge({ ...common, ...farm.b, cache: false });
    compare(farm, withMemo, fresh, () => `seed ${seed}, ${history.slice(-8).join("\n")}`);
  }
  return { recalled, skippedWrites };
}

function statOrUndefined(file: string) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

/** The file's text with one digit of its fingerprint changed: the same size, other bytes. */
function sameSizeOtherBytes(file: string): string {
  return readFileSync(file, "utf8").replace(/"fingerprint":\s*"./, (m) => m.slice(0, -1) + (m.endsWith("0") ? "1" : "0"));
}

describe("the merge cache", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "autowatch-memo-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    [20261124, 120, undefined],
    [7, 60, undefined],
    [20261206, 120, 0],
    [11, 60, 0],
  ])("a merge with the cache gives what a merge without gives, after any change (seed %i, %i steps, racy window %s ms)", async (seed, steps, racyWindowMs) => {
    const { recalled, skippedWrites } = await differential(root, seed, steps, racyWindowMs);
    // the cache did skip work: otherwise this test would prove nothing
    expect(recalled).toBeGreaterThan(steps);
    expect(skippedWrites).toBeGreaterThan(steps / 10);
  });

  describe("focused", () => {
    let farm: Farm;
    let options: RunMergeOptions;
    beforeEach(() => {
      farm = makeFarm(root);
      writeFileSync(farm.manifest, manifestText({ extra: true, autoOff: new Set(), manualBranch: "10.0", buildoutBranch: "b01" }));
      for (const builder of ["b01", "b02", "b03", "b07", "b11"]) {
        writeFileSync(join(farm.watchDir, `${builder}.json`), watchFileText(builder, [git(OCB, "10.0"), git(OTHER_HOST, "master"), git(MIXED, "main")]));
      }
      options = { manifests: [farm.manifest], watchDir: farm.watchDir, now: NOW, ...farm.a };
    });

    it("compares sections by value: a manifest parsed again with the same sections reuses every builder, a changed one is merged again", async () => {
      const first = await runMerge(options);
      expect(first.reused).toBe(0);
      // parsed again (other bytes), every section as it was
      writeFileSync(farm.manifest, `${readFileSync(farm.manifest, "utf8")}\n# a comment\n`);
      const same = await runMerge(options);
      expect(same.reused).toBe(11);
      expect(same.stateText).toBe(first.stateText);
      writeFileSync(farm.manifest, readFileSync(farm.manifest, "utf8").replace(`git ${BO} b01 buildout.cfg`, `git ${BO} b01-next buildout.cfg`));
      const moved = await runMerge(options);
      // b01 and b10 (which inherits it) are merged again
      expect(moved.reused).toBe(9);
      expect(moved.state.builders.b01!.watches.map((w) => w.branch)).toContain("b01-next");
      const fresh = await runMerge({ ...options, ...farm.b, cache: false });
      expect(moved.stateText).toBe(fresh.stateText);
    });

    it("a re-merge with nothing changed gives the same bytes and leaves the state file alone", async () => {
      const first = await runMerge(options);
      const before = statSync(farm.a.output);
      const store = storeContents(farm.a.lastGoodDir);
      const again = await runMerge(options);
      const after = statSync(farm.a.output);
      expect(again.stateText).toBe(first.stateText);
      expect(readFileSync(farm.a.output, "utf8")).toBe(first.stateText);
      expect(again.changed).toBe(false);
      expect(again.written).toBe(true);
      expect([after.ino, after.mtimeMs, after.ctimeMs]).toEqual([before.ino, before.mtimeMs, before.ctimeMs]);
      expect(storeContents(farm.a.lastGoodDir)).toEqual(store);
    });

    it.each([
      [
        "written in place, same size",
        (file: string) => {
          writeFileSync(file, sameSizeOtherBytes(file));
        },
      ],
      ["written in place, other bytes", (file: string) => writeFileSync(file, "{}\n")],
      [
        "replaced by rename",
        (file: string) => {
          writeFileSync(`${file}.new`, "{}\n");
          renameSync(`${file}.new`, file);
        },
      ],
      ["deleted", (file: string) => rmSync(file)],
    ])("after another writer touched the state file (%s), the next cached merge rewrites it", async (_label, touch) => {
      const first = await runMerge(options);
      touch(farm.a.output);
      expect(readOrMissing(farm.a.output)).not.toBe(first.stateText);
      const again = await runMerge(options);
      expect(again.stateText).toBe(first.stateText);
      expect(readFileSync(farm.a.output, "utf8")).toBe(first.stateText);
    });

    it("a policy change makes the cache foreign: every builder is checked again", async () => {
      const open = await runMerge(options);
      expect(open.stateText).toContain(OTHER_HOST);
      const allowHosts = ["github.com", "git.example.com", "hg.example.com", "code.example.com"];
      const closed = await runMerge({ ...options, allowHosts });
      const fresh = await runMerge({ ...options, ...farm.b, allowHosts, cache: false });
      expect(closed.stateText).not.toContain(`"url": "${OTHER_HOST}"`);
      const refused = closed.problems.filter((p) => p.code === "merge.policy.host" && p.message.includes("other.example.org"));
      expect(refused.map((p) => p.builder).sort()).toEqual(["b01", "b02", "b03", "b07", "b11"]);
      expect(closed.stateText).toBe(fresh.stateText);
      expect(closed.problems).toEqual(fresh.problems);

      // rewrite rules too: the polled URLs follow the new rule at once
      const rewrite = ["https://github.com/=ssh://git@mirror.example.com/"];
      const rewritten = await runMerge({ ...options, allowHosts, rewrite });
      const freshRewritten = await runMerge({ ...options, ...farm.b, allowHosts, rewrite, cache: false });
      expect(rewritten.stateText).toContain("ssh://git@mirror.example.com/OCA/OCB.git");
      expect(rewritten.stateText).toBe(freshRewritten.stateText);
    });
  });
});

// The cache checks the file's content (sha256), not only its time stamps, because of this case.
describe("the merge cache, state file rewritten by another writer within one time stamp tick", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "autowatch-memo-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("a same-size write in place that leaves dev/ino/size/mtime as the cache saw them is still noticed", async () => {
    const farm = makeFarm(root);
    writeFileSync(farm.manifest, manifestText({ extra: false, autoOff: new Set(), manualBranch: "10.0", buildoutBranch: "b01" }));
    writeFileSync(join(farm.watchDir, "b01.json"), watchFileText("b01", [git(OCB, "10.0")]));
    const options: RunMergeOptions = { manifests: [farm.manifest], watchDir: farm.watchDir, now: NOW, ...farm.a };
    const first = await runMerge(options);
    const { mtimeNs } = statSync(farm.a.output, { bigint: true });
    writeFileSync(farm.a.output, sameSizeOtherBytes(farm.a.output));
    // what a kernel with coarse file time stamps (Linux before 6.13, NFS...) gives a write in
    // the same tick (1-10 ms) as the merge's own: the time stamp the cache recorded
    const seconds = mtimeNs / 1_000_000_000n;
    const nanos = (mtimeNs % 1_000_000_000n).toString().padStart(9, "0");
    execFileSync("touch", ["-m", "-d", `@${seconds}.${nanos}`, farm.a.output]);
    expect(statSync(farm.a.output, { bigint: true }).mtimeNs).toBe(mtimeNs);
    expect(readFileSync(farm.a.output, "utf8")).not.toBe(first.stateText);

    const again = await runMerge(options);
    const fresh = await runMerge({ ...options, ...farm.b, cache: false });
    expect(again.stateText).toBe(fresh.stateText);
    expect(readFileSync(farm.a.output, "utf8"), "state file A (cached merge) vs B (uncached merge)").toBe(readFileSync(farm.b.output, "utf8"));
  });
});

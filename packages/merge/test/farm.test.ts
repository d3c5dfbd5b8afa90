import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMerge, type RunMergeOptions } from "../src/index.js";
import { stateFromText } from "../src/state.js";
import { NOW, git, watchFileText } from "./helpers.js";

const BUILDERS = 200;
const BO = "https://git.example.com/buildouts.git";
const MANUAL = "https://github.com/OCA/server-tools.git";
const name = (i: number) => `b${String(i).padStart(3, "0")}`;

/** What a healthy worker sends for builder i. */
function goodEntries(i: number) {
  const branch = `${9 + (i % 4)}.0`;
  return [
    git("https://github.com/OCA/OCB.git", branch, 3),
    git("https://github.com/OCA/web.git", branch, 7),
    git(`https://git.example.com/addons-${i % 7}.git`, "main", 9),
  ];
}

interface Kind {
  name: string;
  /** Writes the bad file; returns the file that must be named in a problem. */
  write(dir: string, builder: string, i: number): string;
  /** Only the hostile entry is refused: the others stay. */
  perEntry?: boolean;
}

const file = (dir: string, builder: string) => join(dir, `${builder}.json`);
const withEntry = (kindName: string, entry: unknown): Kind => ({
  name: kindName,
  perEntry: true,
  write(dir, builder, i) {
    writeFileSync(file(dir, builder), watchFileText(builder, [...goodEntries(i), entry]));
    return file(dir, builder);
  },
});
/** An entry refused for security reasons: the whole file is distrusted (issue 11), none of its entries counts. */
const hostileEntry = (kindName: string, entry: unknown): Kind => ({ ...withEntry(kindName, entry), perEntry: false });
const whole = (kindName: string, content: (builder: string, i: number) => string | Buffer): Kind => ({
  name: kindName,
  write(dir, builder, i) {
    writeFileSync(file(dir, builder), content(builder, i));
    return file(dir, builder);
  },
});

const KINDS: Kind[] = [
  whole("truncated", (b, i) => watchFileText(b, goodEntries(i)).slice(0, 60)),
  whole("not UTF-8", (b, i) => Buffer.concat([Buffer.from(watchFileText(b, goodEntries(i))), Buffer.from([0xc3, 0x28])])),
  {
    name: "symlink",
    write(dir, builder) {
      symlinkSync("/etc/passwd", file(dir, builder));
      return file(dir, builder);
    },
  },
  {
    name: "directory",
    write(dir, builder) {
      mkdirSync(file(dir, builder));
      return file(dir, builder);
    },
  },
  {
    name: "FIFO",
    write(dir, builder) {
      execFileSync("mkfifo", [file(dir, builder)]);
      return file(dir, builder);
    },
  },
  whole("oversized", (b, i) => watchFileText(b, goodEntries(i), { generator: "x".repeat(70_000) })),
  whole("too many entries", (b) =>
    watchFileText(
      b,
      Array.from({ length: 51 }, (_, n) => git(`https://github.com/OCA/r${n}.git`, "10.0")),
    ),
  ),
  hostileEntry("'-' url", git("-oProxyCommand=touch /tmp/pwned", "10.0")),
  hostileEntry("ext:: url", git("ext::sh -c touch% /tmp/pwned", "10.0")),
  hostileEntry("-oProxyCommand host", git("ssh://-oProxyCommand=touch%20/tmp/pwned/x", "10.0")),
  hostileEntry("scp-like '-' host", git("git@-oProxyCommand=pwned:repo.git", "10.0")),
  hostileEntry("control chars in branch", git("https://github.com/OCA/OCB.git", "10.0\u001b]0;pwned\u0007")),
  hostileEntry("bad ref name", git("https://github.com/OCA/OCB.git", "pwned..lock")),
  hostileEntry("bidi in url", git("https://github.com/OCA/\u202epwned.git", "10.0")),
  // an unknown VCS (a newer worker?) is refused entry by entry like the hostile values
  withEntry("unknown VCS", { vcs: "cvs", url: "https://github.com/pwned", revspec: "x" }),
  withEntry("disallowed host", git("https://pwned.example/x.git", "10.0")),
  withEntry("disallowed scheme", git("ftp://github.com/pwned.git", "10.0")),
  whole("__proto__ key", (b, i) => watchFileText(b, goodEntries(i)).replace('"watches"', '"__proto__": {"pwned": true}, "watches"')),
  whole("builder field names another builder", (_b, i) => watchFileText(name(0), [...goodEntries(i), git("https://github.com/pwned/x.git", "10.0")])),
  whole("wrong schema", () => JSON.stringify({ schema: "pwned/1", watches: [] })),
  whole("empty", () => ""),
  {
    name: "file for an unknown builder",
    write(dir, builder) {
      const ghost = join(dir, `ghost-${builder}.json`);
      writeFileSync(ghost, watchFileText(`ghost-${builder}`, [git("https://github.com/pwned/ghost.git", "10.0")]));
      return ghost;
    },
  },
];
const BAD_FROM = BUILDERS - 50;
const kindOf = (i: number) => (i >= BAD_FROM ? KINDS[(i - BAD_FROM) % KINDS.length] : undefined);

function expectedWatches(i: number, autoEntries: ReturnType<typeof goodEntries>) {
  const watches = new Map<string, string[]>();
  const add = (url: string, branch: string, from: string) => {
    const key = `git ${url} ${branch}`;
    watches.set(key, [...(watches.get(key) ?? []), from]);
  };
  for (const entry of autoEntries) add(entry.url, entry.revspec, "auto");
  if (i % 10 === 0) add(MANUAL, "10.0", "manual");
  add(BO, name(i), "buildout");
  return [...watches].map(([key, from]) => `${key} [${from.join(",")}]`).sort();
}

function actualWatches(state: Awaited<ReturnType<typeof runMerge>>["state"], builder: string) {
  return state.builders[builder]!.watches.map((w) => `${w.vcs} ${w.url} ${w.branch} [${w.from.join(",")}]`).sort();
}

describe("a farm of 200 builders, 50 of them with broken or hostile watch files", () => {
  let root: string;
  let options: RunMergeOptions;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "autowatch-farm-"));
    const watchDir = join(root, "watch");
    mkdirSync(watchDir);
    const sections = Array.from({ length: BUILDERS }, (_, i) => {
      const lines = [`[${name(i)}]`, `buildout = git ${BO} ${name(i)} buildout.cfg`];
      if (i % 10 === 0) lines.push(`watch = git ${MANUAL} 10.0`);
      return lines.join("\n");
    });
    writeFileSync(join(root, "MANIFEST.cfg"), `${sections.join("\n\n")}\n`);
    options = {
      manifests: [join(root, "MANIFEST.cfg")],
      watchDir,
      output: join(root, "state.json"),
      allowHosts: ["github.com", "git.example.com"],
      maxBytes: 64 * 1024,
      maxEntries: 50,
      now: NOW,
    };
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("keeps a good run's watches as last good, then survives 50 bad files", async () => {
    expect(KINDS.length).toBeGreaterThanOrEqual(15);
    const watchDir = options.watchDir;
    for (let i = 0; i < BUILDERS; i++) writeFileSync(file(watchDir, name(i)), watchFileText(name(i), goodEntries(i)));
    const first = await runMerge(options);
    expect(first.problems).toEqual([]);
    for (let i = 0; i < BUILDERS; i++) expect(actualWatches(first.state, name(i))).toEqual(expectedWatches(i, goodEntries(i)));

    // a fresh store: the bad builders have no last good watches
    rmSync(`${options.output}.lastgood`, { recursive: true });
    for (let i = BAD_FROM; i < BUILDERS; i++) rmSync(file(watchDir, name(i)));
    const badFiles = new Map<string, string>();
    for (let i = BAD_FROM; i < BUILDERS; i++) badFiles.set(name(i), kindOf(i)!.write(watchDir, name(i), i));

    const run = await runMerge(options);
    for (let i = 0; i < BUILDERS; i++) {
      const kind = kindOf(i);
      const auto = !kind || kind.perEntry ? goodEntries(i) : [];
      expect(actualWatches(run.state, name(i)), `${name(i)} (${kind?.name ?? "valid"})`).toEqual(expectedWatches(i, auto));
    }
    for (const [builder, badFile] of badFiles) {
      const reported = run.problems.filter((p) => p.level !== "info" && p.file === badFile);
      expect(reported.length, `${builder}: ${badFile}`).toBeGreaterThan(0);
    }
    const goodBuilders = new Set(Array.from({ length: BAD_FROM }, (_, i) => name(i)));
    expect(run.problems.filter((p) => p.builder !== undefined && goodBuilders.has(p.builder))).toEqual([]);

    const actionable = JSON.stringify([run.state.pollers, run.state.builders]);
    expect(actionable).not.toContain("pwned");
    expect(actionable).not.toContain("ghost");
    expect(run.stateText).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/);
    expect(Object.keys(run.state.builders)).toHaveLength(BUILDERS);
    expect(stateFromText(run.stateText)).toEqual(run.state);

    const again = await runMerge(options);
    expect(again.stateText).toBe(run.stateText);
    expect(again.changed).toBe(false);
    expect(readFileSync(options.output!, "utf8")).toBe(run.stateText);
  });

  it("uses the last good watches after a truncation (and says from when)", async () => {
    const builder = name(1);
    const before = await runMerge(options);
    truncateSync(file(options.watchDir, builder), 40);
    const after = await runMerge({ ...options, now: new Date("2026-11-30T08:00:00Z") });
    expect(actualWatches(after.state, builder)).toEqual(actualWatches(before.state, builder));
    expect(after.changed).toBe(false);
    expect(after.problems.filter((p) => p.builder === builder)).toEqual([
      {
        level: "error",
        code: "watchfile.json.invalid",
        builder,
        file: file(options.watchDir, builder),
        line: 3,
        message: expect.stringMatching(/^not valid JSON \(truncated at byte 40\).*: last good watches from 2026-11-24 kept$/),
      },
    ]);
    writeFileSync(file(options.watchDir, builder), watchFileText(builder, goodEntries(1)));
  });

  it("two merges at once leave a valid state and a valid last-good store", async () => {
    const [a, b] = await Promise.all([runMerge(options), runMerge(options)]);
    expect(a.stateText).toBe(b.stateText);
    expect(readFileSync(options.output!, "utf8")).toBe(a.stateText);
    const store = `${options.output}.lastgood`;
    const names = readdirSync(store);
    // the index and packs, nothing half-written left behind
    expect(names.filter((n) => n !== ".index.json" && !/^pack-[0-9a-f]{16}\.jsonl$/.test(n))).toEqual([]);
    const index = JSON.parse(readFileSync(join(store, ".index.json"), "utf8")) as {
      schema: string;
      builders: [string, string, string, string, number, number][];
    };
    expect(index.schema).toBe("autowatch.lastgood-index/2");
    for (const [builder, , , pack, offset, length] of index.builders) {
      const line = JSON.parse(readFileSync(join(store, pack)).toString("utf8", offset, offset + length)) as { schema: string; builder: string };
      expect(line).toMatchObject({ schema: "autowatch.lastgood/1", builder });
    }
  });
});

// The differential run of the merge cache: a cached merge against an uncached one after each seeded change.
import { readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runMerge, type RunMergeOptions } from "../src/index.js";
import { NOW, git, watchFileText } from "./helpers.js";

import {
  OCB,
  WEB,
  DAY,
  POOL,
  type FarmShape,
  DEFAULTS,
  manifestTexts,
  BUILDERS,
  prng,
  makeFarm,
  compare,
  type Settings,
  HOST_LISTS,
  RULE_SETS,
  MAX_AGES,
  DAYS_BACK,
} from "./cache-farm.js";
import { tampering, type Mutation } from "./cache-tampering.js";
/**
 * The differential run: one merge with the merge cache beside its state (output A) and one
 * merge without (output B) after each random change; both stores see the same history.
 * `racyWindowMs` 0 lets the cache trust the stamps of files written before the merge started by
 * the wall clock; the default trusts those written before the file system's clock tick when it
 * started (both write files in place within a tick of a merge, now and then).
 */
export async function differential(root: string, seed: number, steps: number, racyWindowMs?: number): Promise<{ recalled: number; skippedWrites: number }> {
  const random = prng(seed);
  const farm = makeFarm(root);
  let recalled = 0;
  let skippedWrites = 0;

  let shape: FarmShape = { extra: false, autoOff: new Set(), manualBranch: "10.0", buildoutBranch: "b01" };
  // the manifests given to the merge, in order, and their texts
  let manifests: [string, string][] = [];
  const writeManifests = (next: [string, string][]) => {
    rmSync(farm.secondManifest, { force: true });
    for (const [file, text] of next) writeFileSync(file, text);
    manifests = next;
  };
  const manifestsOf = (next: FarmShape): [string, string][] => {
    const texts = manifestTexts(next);
    const files = texts.length === 1 ? [farm.manifest] : next.split?.swapped ? [farm.secondManifest, farm.manifest] : [farm.manifest, farm.secondManifest];
    return texts.map((text, index) => [files[index]!, text]);
  };
  writeManifests(manifestsOf(shape));
  let previousManifests = manifests;
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
    previousManifests = manifests.map(([file]) => [file, readFileSync(file, "utf8")]);
    shape = next;
    writeManifests(manifestsOf(shape));
  };

  const mutations: Mutation[] = [
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
      "manifest: lines written or removed above the sections",
      () => {
        editManifest({ ...shape, header: random.int(4) });
        return `${shape.header} comment lines`;
      },
    ],
    [
      "manifest: [DEFAULT] section",
      () => {
        editManifest({ ...shape, defaults: random.int(DEFAULTS.length) });
        return DEFAULTS[shape.defaults!]!.join(" / ") || "none";
      },
    ],
    [
      "manifest: sections split over two files, given in either order",
      () => {
        editManifest({ ...shape, split: random.int(3) === 0 ? undefined : { at: 1 + random.int(9), swapped: random.int(2) === 0 } });
        return shape.split ? `from section ${shape.split.at}${shape.split.swapped ? ", second file first" : ""}` : "one file";
      },
    ],
    [
      "manifest: previous text restored",
      () => {
        const current = manifests.map(([file]): [string, string] => [file, readFileSync(file, "utf8")]);
        writeManifests(previousManifests);
        previousManifests = current;
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
      "policy: max age",
      () => {
        settings.maxAge = random.pick(MAX_AGES);
        return settings.maxAge?.text ?? "off";
      },
    ],
    [
      "watch file: dated back",
      () => {
        const builder = random.pick(BUILDERS);
        const days = random.pick(DAYS_BACK);
        const time = new Date(settings.now.getTime() - days * DAY);
        try {
          utimesSync(watchFile(builder), time, time);
        } catch {
          return `${builder}: no file`;
        }
        return `${builder}: ${days} days before now`;
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
    ...tampering(farm, random, async (output) => {
      const rewrite = random.pick(RULE_SETS);
      const allowHosts = random.pick(HOST_LISTS);
      await runMerge({ manifests: manifests.map(([file]) => file), watchDir: farm.watchDir, output, rewrite, allowHosts, now: settings.now });
      return `${rewrite.join(" ") || "no rules"}, ${allowHosts.join(",") || "any host"}`;
    }),
    ["nothing", () => "no change"],
  ];

  for (const builder of BUILDERS) if (random.int(3) > 0) good(builder);
  for (let step = 0; step <= steps; step++) {
    if (step > 0) {
      const [label, mutate] = random.pick(mutations);
      history.push(`step ${step}: ${label} (${await mutate()})`);
    } else history.push("step 0: initial farm");
    const common: RunMergeOptions = {
      manifests: manifests.map(([file]) => file),
      watchDir: farm.watchDir,
      allowHosts: settings.allowHosts,
      rewrite: settings.rewrite,
      now: settings.now,
      ...(settings.maxAge ? { maxAge: settings.maxAge } : {}),
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

export function statOrUndefined(file: string) {
  try {
    return statSync(file);
  } catch {
    return undefined;
  }
}

/** The file's text with one digit of its fingerprint changed: the same size, other bytes. */
export function sameSizeOtherBytes(file: string): string {
  return readFileSync(file, "utf8").replace(/"fingerprint":\s*"./, (m) => m.slice(0, -1) + (m.endsWith("0") ? "1" : "0"));
}

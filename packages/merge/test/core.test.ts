import { describe, expect, it } from "vitest";
import { explainBuilder, mergeFarm, stateFingerprint, statesDiffer, type LastGoodEntry, type MergeInput, type WatchFileInput } from "../src/index.js";
import { stateFromText } from "../src/state.js";
import { pollerWorkdir } from "../src/rewrite.js";
import { serializeState } from "@autowatch/watchfile";
import { NOW, factory, fileInput, git, watchFileText } from "./helpers.js";

const OCB = "https://github.com/OCA/OCB.git";
const WEB = "https://github.com/OCA/web.git";
const BO = "https://git.example.com/buildouts.git";

function merge(partial: Partial<MergeInput>) {
  return mergeFarm({ factories: [], watchFiles: new Map(), now: NOW, ...partial });
}

function files(...entries: [string, string | Uint8Array][]): Map<string, WatchFileInput> {
  return new Map(entries.map(([builder, text]) => [builder, fileInput(builder, text)]));
}

describe("a builder's watch set", () => {
  it("is the union of auto, manual and buildout-self, each saying where it came from", () => {
    const { state, problems } = merge({
      factories: [factory("b", { self: { vcs: "git", url: BO, branch: "b-10" }, manual: [{ vcs: "git", url: OCB, branch: "10.0" }] })],
      watchFiles: files(["b", watchFileText("b", [git(OCB, "10.0"), git(WEB, "10.0")])]),
    });
    expect(problems).toEqual([]);
    expect(state.builders.b).toEqual({
      schedule: true,
      autoWatch: true,
      watches: [
        { vcs: "git", url: BO, branch: "b-10", from: ["buildout"] },
        { vcs: "git", url: OCB, branch: "10.0", from: ["auto", "manual"] },
        { vcs: "git", url: WEB, branch: "10.0", from: ["auto"] },
      ],
    });
  });

  it("carries the factory's tree-stable-timer into the state (scheduled builders only), its line and fingerprint", () => {
    const timed = merge({
      factories: [
        factory("b", { treeStableTimer: 30, self: { vcs: "git", url: BO, branch: "main" } }),
        factory("rel", { schedule: false, treeStableTimer: 30 }),
      ],
    });
    const plain = merge({ factories: [factory("b", { self: { vcs: "git", url: BO, branch: "main" } }), factory("rel", { schedule: false })] });
    expect(timed.state.builders.b).toMatchObject({ schedule: true, treeStableTimer: 30 });
    expect(timed.state.builders.rel).toEqual({ schedule: false, autoWatch: false, watches: [] });
    expect(plain.state.builders.b!.treeStableTimer).toBeUndefined();
    const text = serializeState(timed.state);
    expect(text).toContain('"b":{"schedule":true,"autoWatch":true,"treeStableTimer":30,"watches":[');
    expect(stateFromText(text)!.builders.b!.treeStableTimer).toBe(30);
    // a changed timer changes the scheduler: the fingerprint (what --follow compares) changes
    expect(timed.state.fingerprint).not.toBe(plain.state.fingerprint);
    expect(stateFingerprint(stateFromText(text)!)).toBe(timed.state.fingerprint);
  });

  it("is empty and unscheduled for an empty `watch =`, whatever the watch file and buildout say", () => {
    const { state } = merge({
      factories: [factory("rel", { schedule: false, self: { vcs: "git", url: BO, branch: "rel" } })],
      watchFiles: files(["rel", watchFileText("rel", [git(OCB, "10.0")])]),
    });
    expect(state.builders.rel).toEqual({ schedule: false, autoWatch: false, watches: [] });
    expect(state.pollers).toEqual([]);
  });

  it("ignores the watch file when auto-watch is off", () => {
    const { state, details } = merge({
      factories: [factory("b", { autoWatch: false, manual: [{ vcs: "hg", url: "https://hg.example.com/x", branch: "default" }] })],
      watchFiles: files(["b", watchFileText("b", [git(OCB, "10.0")])]),
    });
    expect(state.builders.b!.watches).toEqual([{ vcs: "hg", url: "https://hg.example.com/x", branch: "default", from: ["manual"] }]);
    expect(details.get("b")!.watchFile).toMatchObject({ status: "ignored", reason: "auto-watch is off" });
  });

  it("lets buildout-self win over a manual line naming its URL on another branch (line reported, dropped)", () => {
    const { state, problems } = merge({
      factories: [factory("b", { self: { vcs: "git", url: BO, branch: "main" }, manual: [{ vcs: "git", url: BO, branch: "old" }] })],
    });
    expect(state.builders.b!.watches).toEqual([{ vcs: "git", url: BO, branch: "main", from: ["buildout"] }]);
    const dropped = problems.filter((p) => p.level === "warning");
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatchObject({ code: "merge.watch.buildout-branch", builder: "b", file: "MANIFEST.cfg", line: 10 });
  });

  it("reports one URL seen with two VCS kinds; manual and buildout beat auto, buildout beats manual", () => {
    const { state, problems } = merge({
      factories: [
        factory("m", { manual: [{ vcs: "hg", url: OCB, branch: "default" }] }),
        factory("s", { self: { vcs: "git", url: BO, branch: "main" }, manual: [{ vcs: "hg", url: BO, branch: "default" }] }),
      ],
      watchFiles: files(["m", watchFileText("m", [git(OCB, "10.0")])]),
    });
    expect(state.builders.m!.watches).toEqual([{ vcs: "hg", url: OCB, branch: "default", from: ["manual"] }]);
    expect(state.builders.s!.watches).toEqual([{ vcs: "git", url: BO, branch: "main", from: ["buildout"] }]);
    expect(problems.map((p) => [p.level, p.code, p.builder])).toEqual([
      ["warning", "merge.watch.vcs-conflict", "m"],
      ["warning", "merge.watch.vcs-conflict", "s"],
      ["info", "merge.watchfile.missing", "s"],
    ]);
    const messages = problems.filter((p) => p.level === "warning").map((p) => `${p.builder}: ${p.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^m: .*is hg for the watch line but git for the watch file: the git watch is dropped/),
      expect.stringMatching(/^s: .*is git for the buildout but hg for the watch line: the hg watch is dropped/),
    ]);
  });

  it("collapses duplicates silently", () => {
    const { state, problems } = merge({
      factories: [
        factory("b", {
          manual: [
            { vcs: "git", url: OCB, branch: "10.0" },
            { vcs: "git", url: OCB, branch: "10.0" },
          ],
        }),
      ],
      watchFiles: files(["b", watchFileText("b", [git(OCB, "10.0"), git(OCB, "10.0")])]),
    });
    expect(problems).toEqual([]);
    expect(state.builders.b!.watches).toEqual([{ vcs: "git", url: OCB, branch: "10.0", from: ["auto", "manual"] }]);
  });

  it("maps bzr and svn entries to a branch-less watch", () => {
    const { state } = merge({
      factories: [factory("b")],
      watchFiles: files([
        "b",
        watchFileText("b", [
          { vcs: "bzr", url: "lp:openobject-addons/7.0", revspec: "last:1" },
          { vcs: "svn", url: "https://svn.example.com/x/trunk", revspec: "HEAD" },
        ]),
      ]),
    });
    expect(state.builders.b!.watches.map((w) => [w.vcs, w.url, w.branch])).toEqual([
      ["bzr", "https://bazaar.launchpad.net/+branch/openobject-addons/7.0", ""],
      ["svn", "https://svn.example.com/x/trunk", ""],
    ]);
    expect(state.pollers.map((p) => p.branches)).toEqual([[], []]);
  });
});

describe("rewrite rules", () => {
  it("apply in order, each to the previous result; change filters use rewritten URLs; workdir keeps the original", () => {
    const { state } = merge({
      factories: [factory("b")],
      watchFiles: files(["b", watchFileText("b", [git(OCB, "10.0")])]),
      rules: [
        { from: "https://github.com/", to: "https://mirror.example.com/github/" },
        { from: "https://mirror.example.com/", to: "ssh://git@mirror/" },
      ],
    });
    expect(state.builders.b!.watches[0]!.url).toBe("ssh://git@mirror/github/OCA/OCB.git");
    expect(state.pollers).toEqual([
      { vcs: "git", url: "ssh://git@mirror/github/OCA/OCB.git", original: OCB, branches: ["10.0"], workdir: pollerWorkdir("git", OCB) },
    ]);
    const unrewritten = merge({ factories: [factory("b")], watchFiles: files(["b", watchFileText("b", [git(OCB, "10.0")])]) });
    expect(unrewritten.state.pollers[0]!.workdir).toBe(state.pollers[0]!.workdir);
    expect(state.pollers[0]!.workdir).toMatch(/^gitpoller-[0-9a-f]{10}$/);
  });

  it("map lp: to Launchpad unless a rule says otherwise", () => {
    const watchFiles = files(["b", watchFileText("b", [{ vcs: "bzr", url: "lp:~user/proj/branch", revspec: "" }])]);
    const plain = merge({ factories: [factory("b")], watchFiles });
    expect(plain.state.pollers[0]!.url).toBe("https://bazaar.launchpad.net/+branch/~user/proj/branch");
    expect(plain.state.pollers[0]!.original).toBe("lp:~user/proj/branch");
    const ruled = merge({ factories: [factory("b")], watchFiles, rules: [{ from: "lp:", to: "bzr+ssh://bazaar.example.com/" }] });
    expect(ruled.state.pollers[0]!.url).toBe("bzr+ssh://bazaar.example.com/~user/proj/branch");
  });
});

describe("pollers", () => {
  it("are one per (vcs, rewritten url) with the sorted union of branches", () => {
    const { state } = merge({
      factories: [factory("a"), factory("b"), factory("c", { manual: [{ vcs: "git", url: OCB, branch: "11.0" }] })],
      watchFiles: files(["a", watchFileText("a", [git(OCB, "9.0"), git(WEB, "9.0")])], ["b", watchFileText("b", [git(OCB, "10.0")])]),
    });
    expect(state.pollers.map((p) => [p.url, p.branches])).toEqual([
      [OCB, ["10.0", "11.0", "9.0"]],
      [WEB, ["9.0"]],
    ]);
  });

  it("take the smallest original URL (and its workdir) when two originals rewrite to one URL", () => {
    const other = "git@github.com:OCA/OCB.git";
    const rules = [
      { from: "https://github.com/", to: "ssh://mirror/" },
      { from: "git@github.com:", to: "ssh://mirror/" },
    ];
    const forward = merge({
      factories: [factory("a"), factory("b")],
      watchFiles: files(["a", watchFileText("a", [git(OCB, "10.0")])], ["b", watchFileText("b", [git(other, "11.0")])]),
      rules,
    });
    expect(forward.state.pollers).toHaveLength(1);
    expect(forward.state.pollers[0]).toMatchObject({
      url: "ssh://mirror/OCA/OCB.git",
      original: other,
      branches: ["10.0", "11.0"],
      workdir: pollerWorkdir("git", other),
    });
    const backward = merge({
      factories: [factory("b"), factory("a")],
      watchFiles: files(["b", watchFileText("b", [git(other, "11.0")])], ["a", watchFileText("a", [git(OCB, "10.0")])]),
      rules,
    });
    expect(serializeState(backward.state)).toBe(serializeState(forward.state));
  });
});

describe("watch files", () => {
  it("for a builder in no manifest are reported as warnings and ignored", () => {
    const { state, problems } = merge({ factories: [factory("a")], watchFiles: files(["ghost", watchFileText("ghost", [git(OCB, "10.0")])]) });
    expect(Object.keys(state.builders)).toEqual(["a"]);
    expect(state.pollers).toEqual([]);
    expect(problems).toContainEqual({
      level: "warning",
      code: "merge.watchfile.orphan",
      file: "watch/ghost.json",
      message: 'watch file for "ghost", a builder in no manifest: ignored',
    });
  });

  it("missing is normal: an info", () => {
    const { problems, state } = merge({ factories: [factory("a", { manual: [{ vcs: "git", url: OCB, branch: "10.0" }] })] });
    expect(problems).toEqual([
      { level: "info", code: "merge.watchfile.missing", builder: "a", file: "a.json", message: "no watch file yet: only manual and buildout watches" },
    ]);
    expect(state.builders.a!.watches).toHaveLength(1);
  });

  it("a bad one keeps the builder's last good watches, with their date", () => {
    const lastGood = new Map<string, LastGoodEntry>([["a", { date: "2026-11-20", watches: [{ vcs: "git", url: WEB, branch: "10.0" }] }]]);
    const {
      state,
      problems,
      lastGood: after,
    } = merge({ factories: [factory("a"), factory("b")], watchFiles: files(["a", '{"schema": "autowatch.watchf'], ["b", "[1,"]), lastGood });
    expect(state.builders.a!.watches).toEqual([{ vcs: "git", url: WEB, branch: "10.0", from: ["auto"] }]);
    expect(state.builders.b!.watches).toEqual([]);
    // the reason is parseWatchFile's (its code too); the consequence is ours
    expect(problems.map((p) => [p.code, p.builder])).toEqual([
      ["watchfile.json.invalid", "a"],
      ["watchfile.json.invalid", "b"],
    ]);
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^not valid JSON \(truncated at byte 28\).*: last good watches from 2026-11-20 kept$/),
      expect.stringMatching(/^not valid JSON \(truncated at byte 3\).*: no earlier good watch file, no auto watches$/),
    ]);
    expect(after.get("a")).toEqual(lastGood.get("a"));
    expect(after.has("b")).toBe(false);
  });

  it("a good one becomes the last good, dated today", () => {
    const { lastGood } = merge({ factories: [factory("a")], watchFiles: files(["a", watchFileText("a", [git(OCB, "10.0", 12)])]) });
    expect(lastGood.get("a")).toEqual({ date: "2026-11-24", watches: [{ vcs: "git", url: OCB, branch: "10.0", origin: { file: "buildout.cfg", line: 12 } }] });
  });

  it("naming another builder is reported and feeds neither", () => {
    const { state, problems } = merge({
      factories: [factory("a"), factory("b")],
      watchFiles: files(["a", watchFileText("b", [git(OCB, "10.0")])]),
    });
    expect(state.builders.a!.watches).toEqual([]);
    expect(state.builders.b!.watches).toEqual([]);
    expect(problems.find((p) => p.builder === "a")).toMatchObject({ level: "error", code: "merge.watchfile.builder", file: "watch/a.json" });
    expect(problems.find((p) => p.builder === "a")!.message).toBe('the file names builder "b", not this one: no earlier good watch file, no auto watches');
  });

  it("accepts the legacy list format and one leading BOM", () => {
    const legacy = JSON.stringify([git(OCB, "10.0")]);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(watchFileText("b", [git(WEB, "10.0")]))]);
    const { state, problems } = merge({ factories: [factory("a"), factory("b")], watchFiles: files(["a", legacy], ["b", bom]) });
    expect(problems).toEqual([]);
    expect(state.builders.a!.watches[0]!.url).toBe(OCB);
    expect(state.builders.b!.watches[0]!.url).toBe(WEB);
  });
});

describe("fault containment", () => {
  it("a failure while merging one builder is a problem for that builder only", () => {
    const broken = factory("broken");
    Object.defineProperty(broken, "watches", {
      get: () => {
        throw new Error("boom\nforged line");
      },
    });
    const { state, problems } = merge({ factories: [broken, factory("ok", { manual: [{ vcs: "git", url: OCB, branch: "10.0" }] })] });
    expect(state.builders.ok!.watches).toHaveLength(1);
    expect(state.builders.broken).toEqual({ schedule: true, autoWatch: true, watches: [] });
    const problem = problems.find((p) => p.builder === "broken" && p.level === "error")!;
    expect(problem.code).toBe("merge.internal");
    expect(problem.message).toBe('internal error while merging this builder: "boom\\nforged line"');
  });
});

describe("state", () => {
  it("is deterministic: the same inputs in another order give the same bytes", () => {
    const factories = [factory("z"), factory("a", { manual: [{ vcs: "git", url: WEB, branch: "x" }] }), factory("m")];
    const watchFiles: [string, string][] = [
      ["z", watchFileText("z", [git(OCB, "2"), git(OCB, "1")])],
      ["m", "not json"],
      ["a", "[]"],
    ];
    const one = merge({ factories, watchFiles: files(...watchFiles) });
    const two = merge({ factories: [...factories].reverse(), watchFiles: files(...[...watchFiles].reverse()) });
    expect(serializeState(two.state)).toBe(serializeState(one.state));
    expect(Object.keys(one.state.builders)).toEqual(["a", "m", "z"]);
  });

  it("statesDiffer looks at pollers and change filters, not at problems", () => {
    const base = merge({ factories: [factory("a")], watchFiles: files(["a", watchFileText("a", [git(OCB, "10.0")])]) }).state;
    const noisy = { ...base, problems: [{ level: "warning" as const, code: "merge.internal" as const, message: "x" }] };
    const moved = merge({ factories: [factory("a")], watchFiles: files(["a", watchFileText("a", [git(OCB, "11.0")])]) }).state;
    const unscheduled = merge({ factories: [factory("a", { schedule: false })] }).state;
    expect(statesDiffer(base, noisy)).toBe(false);
    expect(statesDiffer(base, moved)).toBe(true);
    expect(statesDiffer(merge({ factories: [factory("a")] }).state, unscheduled)).toBe(true);
    expect(statesDiffer(undefined, base)).toBe(true);
  });
});

describe("odd builder names", () => {
  it("a builder called __proto__ is an ordinary key of the state", () => {
    const { state } = merge({ factories: [factory("__proto__", { manual: [{ vcs: "git", url: OCB, branch: "10.0" }] })] });
    expect(Object.hasOwn(state.builders, "__proto__")).toBe(true);
    expect(state.builders.__proto__!.watches).toHaveLength(1);
    expect(Object.getPrototypeOf(state.builders)).toBe(Object.prototype);
  });
});

describe("explainBuilder", () => {
  it("works from the merge inputs too, and suggests close names for an unknown builder", () => {
    const input: MergeInput = {
      factories: [factory("odoo-10.0", { manual: [{ vcs: "git", url: OCB, branch: "10.0" }] }), factory("odoo-11.0")],
      watchFiles: files(["odoo-10.0", watchFileText("odoo-10.0", [git(OCB, "10.0", 12)])]),
      now: NOW,
    };
    const found = explainBuilder(input, "odoo-10.0");
    expect(found.found && found.builder.watches[0]!.reasons).toEqual([
      { kind: "auto", watchFile: "watch/odoo-10.0.json", origin: { file: "buildout.cfg", line: 12 } },
      { kind: "manual", file: "MANIFEST.cfg", line: 10 },
    ]);
    const waiting = explainBuilder(input, "odoo-11.0");
    expect(waiting.found && waiting.nothing).toEqual(["no manual `watch` line and no buildout of its own to watch", "no watch file yet (odoo-11.0.json)"]);
    expect(explainBuilder(input, "odoo-12.0")).toEqual({ found: false, name: "odoo-12.0", suggestions: ["odoo-10.0", "odoo-11.0"] });
  });
});

describe("one URL, two VCS kinds across builders", () => {
  it("keeps a poller for each and warns", () => {
    const { state, problems } = merge({
      factories: [factory("a", { manual: [{ vcs: "git", url: OCB, branch: "10.0" }] }), factory("b", { manual: [{ vcs: "hg", url: OCB, branch: "default" }] })],
    });
    expect(state.pollers.map((p) => p.vcs)).toEqual(["git", "hg"]);
    expect(problems.filter((p) => p.level === "warning")).toEqual([
      { level: "warning", code: "merge.url.mixed-vcs", message: `"${OCB}" is watched as git by "a" and as hg by "b": one poller for each` },
    ]);
  });
});

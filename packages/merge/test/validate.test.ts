import { describe, expect, it } from "vitest";
import { mergeFarm, parseRewriteFile, parseRewriteRule } from "../src/index.js";
import { branchNameProblem } from "../src/refname.js";
import { locationProblem, parseLocation } from "../src/location.js";
import { serializeState } from "@autowatch/watchfile";
import { NOW, factory, fileInput, git, watchFileText } from "./helpers.js";

describe("branch names (git check-ref-format --branch, in-process)", () => {
  it.each(["10.0", "feature/x", "release-1.2", "v2", "a.b", "über", "fix@home"])("accepts %j", (name) => {
    expect(branchNameProblem(name)).toBeUndefined();
  });
  it.each([
    ["", "empty"],
    ["-x", "starts with '-'"],
    ["@", "'@'"],
    ["a..b", "'..'"],
    ["a@{1}", "'@{'"],
    ["a b", "space"],
    ["a\tb", "control"],
    ["a\u0007", "control"],
    ["a\u202eb", "control"],
    ["a~1", "~ ^ :"],
    ["a^", "~ ^ :"],
    ["a:b", "~ ^ :"],
    ["a?", "~ ^ :"],
    ["a*", "~ ^ :"],
    ["a[b", "~ ^ :"],
    ["a\\b", "~ ^ :"],
    ["/a", "'/'"],
    ["a/", "'/'"],
    ["a//b", "'//'"],
    ["a.", "ends with '.'"],
    [".a", "starts with '.'"],
    ["a/.b", "starts with '.'"],
    ["a.lock", ".lock"],
    ["a.lock/b", ".lock"],
  ])("refuses %j", (name, reason) => {
    const code = name === "" ? "merge.branch.empty" : name.startsWith("-") ? "merge.branch.option" : "merge.branch.invalid";
    expect(branchNameProblem(name)).toEqual({ code, message: expect.stringContaining(reason) });
  });
  it("refuses a name of more than 255 characters", () => {
    expect(branchNameProblem("x".repeat(256))?.code).toBe("merge.branch.length");
  });
});

describe("locations", () => {
  it.each([
    ["https://github.com/OCA/OCB.git", "https", "github.com"],
    ["http://user:pw@Host.Example:8080/x", "http", "host.example"],
    ["ssh://git@mirror:22/x.git", "ssh", "mirror"],
    ["git+ssh://git@mirror/x.git", "ssh", "mirror"],
    ["git@github.com:OCA/OCB.git", "ssh", "github.com"],
    ["/srv/git/x.git", "file", ""],
    ["file:///srv/git/x.git", "file", ""],
    ["lp:openobject-addons", "lp", ""],
    ["ssh://[::1]/x", "ssh", "[::1]"],
  ])("parses %j", (url, scheme, host) => {
    expect(parseLocation(url)).toMatchObject({ scheme, host });
  });
  it.each([
    ["-uhttps://x", "merge.url.option", "starts with '-'"],
    ["--upload-pack=touch /tmp/pwned", "merge.url.option", "starts with '-'"],
    ["ext::sh -c touch% /tmp/pwned", "merge.url.transport", "transport helper"],
    ["fd::17", "merge.url.transport", "transport helper"],
    ["foo::bar", "merge.url.transport", "transport helper"],
    ["ssh://-oProxyCommand=touch%20/tmp/x/repo", "merge.url.option", "host starts with '-'"],
    ["ssh://user@-oProxyCommand=x/repo", "merge.url.option", "host starts with '-'"],
    ["ssh://[-oProxyCommand=x]/repo", "merge.url.option", "host starts with '-'"],
    ["git@-oProxyCommand=x:repo", "merge.url.option", "host starts with '-'"],
    ["https://x/\u001b[31mred", "merge.url.control", "control character"],
    ["https://x/a\nb", "merge.url.control", "control character"],
    ["", "merge.url.empty", "empty"],
    [`https://x/${"a".repeat(2048)}`, "merge.url.length", "longer than 2048"],
  ])("refuses %j", (url, code, reason) => {
    expect(locationProblem(url)).toEqual({ code, message: expect.stringContaining(reason) });
  });
});

describe("rewrite rules", () => {
  it("a rule that makes a refused URL refuses the watch (merge.url.rewritten); an unknown VCS is refused too (merge.source.vcs)", () => {
    const result = mergeFarm({
      factories: [
        factory("b", {
          manual: [
            { vcs: "git", url: "https://a.example/x.git", branch: "main" },
            { vcs: "cvs" as never, url: "https://c.example/y", branch: "main" },
          ],
        }),
      ],
      watchFiles: new Map(),
      rules: [{ from: "https://a.example/", to: "--upload-pack=x/" }],
      now: NOW,
    });
    expect(result.state.builders.b!.watches).toEqual([]);
    expect(result.problems.filter((p) => p.level === "error").map((p) => [p.code, p.builder, p.file, p.line])).toEqual([
      ["merge.url.rewritten", "b", "MANIFEST.cfg", expect.any(Number)],
      ["merge.source.vcs", "b", "MANIFEST.cfg", expect.any(Number)],
    ]);
  });

  it("parse FROM=TO and FROM TO, and files with comments", () => {
    expect(parseRewriteRule("https://github.com/=ssh://git@mirror/")).toEqual({ from: "https://github.com/", to: "ssh://git@mirror/" });
    expect(parseRewriteRule("lp:  https://bzr.example.com/")).toEqual({ from: "lp:", to: "https://bzr.example.com/" });
    expect(parseRewriteRule("nothing")).toBe("expected FROM=TO or FROM TO");
    const file = parseRewriteFile("# mirrors\n\nhttps://a/=https://b/\nbroken\nhttps://b/ https://c/\n", "rules.txt");
    expect(file.rules).toEqual([
      { from: "https://a/", to: "https://b/" },
      { from: "https://b/", to: "https://c/" },
    ]);
    expect(file.problems).toEqual([
      { level: "error", code: "merge.rewrite.invalid", file: "rules.txt", line: 4, message: "bad rewrite rule: expected FROM=TO or FROM TO" },
    ]);
  });
});

describe("whole-file checks (parseWatchFile) reject the file and name the reason", () => {
  const text = (s: string) => Buffer.from(s, "utf8");
  const entry = git("https://x.example/y", "a");
  it.each([
    ["oversized", text(watchFileText("b", [git("https://x/y", "1".repeat(200))])), "watchfile.size.limit", { maxBytes: 100 }],
    ["too many entries", text(JSON.stringify(Array.from({ length: 11 }, () => entry))), "watchfile.entries.limit", { maxEntries: 10 }],
    ["not UTF-8", Buffer.from([0x5b, 0xff, 0x5d]), "watchfile.encoding.invalid", {}],
    ["two BOMs", Buffer.from([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf, 0x5b, 0x5d]), "watchfile.encoding.bom", {}],
    [
      "__proto__",
      text('{"schema":"autowatch.watchfile/2","watches":[{"__proto__":{"polluted":1},"vcs":"git","url":"https://x/y","revspec":"a"}]}'),
      "watchfile.json.forbidden-key",
      {},
    ],
    ["constructor", text('[{"constructor":{"prototype":{}},"vcs":"git","url":"https://x/y","revspec":"a"}]'), "watchfile.json.forbidden-key", {}],
    ["wrong schema", text('{"schema":"autowatch.watchfile/9\\u001b[2J","watches":[]}'), "watchfile.schema.other", {}],
    ["null", text("null"), "watchfile.document.type", {}],
    ["empty", text(""), "watchfile.json.empty", {}],
    ["unknown VCS", text(JSON.stringify([{ vcs: "cvs", url: "https://x/y", revspec: "a" }])), "watchfile.entry.invalid", {}],
    ["entry not an object", text(JSON.stringify(["git https://x/y a"])), "watchfile.entry.invalid", {}],
  ])("%s", (_kind, bytes, code, policy) => {
    const result = mergeFarm({ factories: [factory("b")], watchFiles: new Map([["b", fileInput("b", bytes)]]), policy, now: NOW });
    expect(result.state.builders.b!.watches).toEqual([]);
    const errors = result.problems.filter((p) => p.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code, builder: "b", file: "watch/b.json" });
    expect(errors[0]!.message).toMatch(/: no earlier good watch file, no auto watches$/);
    expect(errors[0]!.message).not.toMatch(/[\u0000-\u001f]/);
  });

  it("never lets __proto__ pollute anything", () => {
    mergeFarm({
      factories: [factory("b")],
      watchFiles: new Map([["b", fileInput("b", '[{"__proto__":{"polluted":1},"vcs":"git","url":"https://x/y","revspec":"a"}]')]]),
      now: NOW,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("hostile entries", () => {
  const good = git("https://github.com/OCA/web.git", "10.0");
  const hostile = [
    git("-oProxyCommand=x", "10.0"),
    git("ext::sh -c 'touch /tmp/pwned'", "10.0"),
    git("fd::3", "10.0"),
    git("ssh://-oProxyCommand=x/y", "10.0"),
    git("https://github.com/OCA/OCB.git", "--upload-pack=x"),
    git("https://github.com/OCA/OCB.git", "a\u001b[2Jb"),
    git("https://github.com/OCA/OCB.git", "a..b"),
    git("https://github.com/OCA/OCB.git\u2028x", "10.0"),
    git("ftp://example.com/x.git", "10.0"),
  ];

  it("are each reported, and distrust the whole file (issue 11): nothing hostile reaches pollers or builders", () => {
    const result = mergeFarm({ factories: [factory("b")], watchFiles: new Map([["b", fileInput("b", watchFileText("b", [good, ...hostile]))]]), now: NOW });
    // the good entry does not count either: one hostile entry and the worker is not trusted
    expect(result.state.builders.b!.watches).toEqual([]);
    expect(result.lastGood.has("b")).toBe(false);
    // each security refusal (not the policy one, ftp: scheme not allowed: moot in a distrusted file), then the file's verdict
    // sorted as the state writes them: the file's verdict, then each entry in order
    expect(result.problems.map((p) => p.code)).toEqual([
      "merge.watchfile.distrusted",
      "merge.url.option",
      "merge.url.transport",
      "merge.url.transport",
      "merge.url.option",
      "merge.branch.option",
      "merge.branch.invalid",
      "merge.branch.invalid",
      "merge.url.control",
    ]);
    const errors = result.problems.filter((p) => p.level === "error").map((p) => p.message);
    expect(errors).toHaveLength(hostile.length - 1 + 1);
    expect(errors.filter((m) => m.includes("ftp:"))).toEqual([]);
    expect(errors.find((m) => m.startsWith("file distrusted"))).toMatch(
      /^file distrusted: 8 of 10 entries refused for security reasons \(watches\[1\] refused: .*; and 5 more\): no earlier good watch file, no auto watches$/,
    );
    const text = serializeState(result.state);
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
    const actionable = JSON.stringify([result.state.pollers, result.state.builders]);
    for (const marker of ["ProxyCommand", "ext::", "fd::", "upload-pack", "a..b", "ftp:"]) expect(actionable).not.toContain(marker);
  });

  it("--allow-host and --allow-scheme apply to worker-sent URLs, not to the manifest", () => {
    const watches = [
      git("https://github.com/OCA/OCB.git", "10.0"),
      git("https://evil.example/x.git", "10.0"),
      git("git@github.com:OCA/web.git", "10.0"),
      git("http://github.com/OCA/x.git", "10.0"),
    ];
    const result = mergeFarm({
      factories: [factory("b", { manual: [{ vcs: "git", url: "https://internal.example/y.git", branch: "main" }] })],
      watchFiles: new Map([["b", fileInput("b", watchFileText("b", watches))]]),
      policy: { allowHosts: ["GitHub.com"], allowSchemes: ["https", "ssh"] },
      now: NOW,
    });
    expect(result.state.builders.b!.watches.map((w) => w.url)).toEqual([
      "git@github.com:OCA/web.git",
      "https://github.com/OCA/OCB.git",
      "https://internal.example/y.git",
    ]);
    expect(result.problems.map((p) => [p.level, p.code])).toEqual([
      ["error", "merge.policy.host"],
      ["error", "merge.policy.scheme"],
    ]);
    expect(result.problems.map((p) => p.message)).toEqual([
      'watches[1] refused: host "evil.example" not allowed: "https://evil.example/x.git"',
      'watches[3] refused: scheme "http" not allowed: "http://github.com/OCA/x.git"',
    ]);
  });

  it("a rewrite rule counts for the host policy (lp: becomes Launchpad https)", () => {
    const result = mergeFarm({
      factories: [factory("b")],
      watchFiles: new Map([["b", fileInput("b", JSON.stringify([{ vcs: "bzr", url: "lp:proj", revspec: "" }]))]]),
      policy: { allowHosts: ["bazaar.launchpad.net"] },
      now: NOW,
    });
    expect(result.problems).toEqual([]);
    expect(result.state.pollers[0]!.url).toBe("https://bazaar.launchpad.net/+branch/proj");
  });
});

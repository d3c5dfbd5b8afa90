import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expandEnv, extractRepos } from "../../../src/formats/git-aggregator/extract.js";
import { introspectFiles } from "../../../src/introspect.js";
import { tempDir, vcsEnv } from "../../support.js";

const FILE = "/build/repos.yaml";
const ENV = { ODOO_VERSION: "16.0", DEPTH_DEFAULT: "1", DEPTH_MERGE: "100" };

const brief = (text: string, env: Record<string, string> = ENV) => {
  const result = extractRepos(text, FILE, env);
  return {
    sources: result.sources.map((s) => `${s.origin.line} ${s.origin.section} ${s.url} ${s.revision} ${s.checkout}`),
    problems: result.problems.map((p) => `${p.level} ${p.code} ${p.line}: ${p.message}`),
    fatal: result.fatal && `${result.fatal.line} ${result.fatal.code}: ${result.fatal.message}`,
  };
};

describe("repos.yaml grammar (git-aggregator 4.x)", () => {
  it('reads merges as "remote ref" strings and {remote, ref, depth} mappings, on the merge\'s remote URL', () => {
    const text = [
      "./web:",
      "  remotes:",
      "    oca: https://github.com/OCA/web.git",
      "    fork: git@github.com:me/web.git",
      "  target: oca agg",
      "  merges:",
      "    - oca 16.0",
      "    - {remote: fork, ref: 16.0, depth: 10}",
      "    - remote: fork",
      "      ref: 11.10",
      "    - fork pull/12/head",
      "",
    ].join("\n");
    expect(brief(text).sources).toEqual([
      "7 ./web https://github.com/OCA/web.git 16.0 /build/web",
      "8 ./web git@github.com:me/web.git 16.0 /build/web",
      // PyYAML reads 11.10 as a float, git-aggregator then str()s it
      "9 ./web git@github.com:me/web.git 11.1 /build/web",
      "11 ./web git@github.com:me/web.git refs/pull/12/head /build/web",
    ]);
  });

  it("expands $VAR, ${VAR} and $$ as gitaggregate --expand-env, with a problem per undefined variable", () => {
    expect(expandEnv("a: $X ${Y} $$Z $NOPE\nb: ${ALSO_NOPE}\n", { X: "1", Y: "2" })).toEqual({
      text: "a: 1 2 $Z $NOPE\nb: ${ALSO_NOPE}\n",
      undefinedAt: [
        { name: "NOPE", line: 1 },
        { name: "ALSO_NOPE", line: 2 },
      ],
      invalidAt: [],
    });
    const text = "web:\n  remotes:\n    o: https://h/$ORG/web.git\n  target: o x\n  merges:\n    - o $ODOO_VERSION\n    - o ${FEATURE}\n";
    const result = brief(text, { ODOO_VERSION: "16.0" });
    expect(result.problems).toEqual([
      "error introspect.aggregator.env 3: $ORG is not defined in the environment (gitaggregate --expand-env would stop); what uses it is skipped",
      "error introspect.aggregator.env 7: $FEATURE is not defined in the environment (gitaggregate --expand-env would stop); what uses it is skipped",
    ]);
    // both merges use remote o, whose URL is undefined: nothing is watched on a half-expanded URL
    expect(result.sources).toEqual([]);
    expect(brief("x:\n  remotes:\n    o: https://h/x\n  merges:\n    - o $1\n").problems).toEqual([
      "error introspect.aggregator.env 5: invalid $ placeholder (write $$ for a dollar sign); what uses it is skipped",
    ]);
  });

  it('accepts target as "remote branch", "branch" or nothing, and defaults, fetch_all, shell_command_after', () => {
    const text = [
      "a:",
      "  remotes: {o: https://h/a}",
      "  merges: [o main]",
      "b:",
      "  defaults: {depth: 5}",
      "  fetch_all: o",
      "  shell_command_after: [echo done]",
      "  remotes: {o: https://h/b}",
      "  target: agg",
      "  merges: [o main]",
      "",
    ].join("\n");
    expect(brief(text)).toEqual({ sources: ["3 a https://h/a main /build/a", "10 b https://h/b main /build/b"], problems: [], fatal: undefined });
  });

  it.each([
    ["no remotes", "a:\n  merges: [o main]\n", 'error introspect.aggregator.invalid 2: "a": remotes is not defined'],
    ["empty remotes", "a:\n  remotes:\n  merges: [o main]\n", 'error introspect.aggregator.invalid 2: "a": you should at least define one remote'],
    ["remote without url", "a:\n  remotes:\n    o:\n  merges: [o main]\n", 'error introspect.aggregator.invalid 3: "a": no url defined for remote "o"'],
    ["no merges", "a:\n  remotes: {o: https://h/a}\n", 'error introspect.aggregator.invalid 2: "a": merges is not defined'],
    ["empty merges", "a:\n  remotes: {o: https://h/a}\n  merges: []\n", 'error introspect.aggregator.invalid 3: "a": you should at least define one merge'],
    [
      "three words",
      "a:\n  remotes: {o: https://h/a}\n  merges:\n    - o main extra\n",
      'error introspect.aggregator.invalid 4: "a": merge "o main extra" must be formatted as "remote_name ref"',
    ],
    [
      "two spaces",
      "a:\n  remotes: {o: https://h/a}\n  merges:\n    - o  main\n",
      'error introspect.aggregator.invalid 4: "a": merge "o  main" must be formatted',
    ],
    [
      "mapping without ref",
      "a:\n  remotes: {o: https://h/a}\n  merges:\n    - remote: o\n",
      'error introspect.aggregator.invalid 4: "a": merge lacks mandatory `remote` or `ref` keys',
    ],
    [
      "unknown merge remote",
      "a:\n  remotes: {o: https://h/a}\n  merges:\n    - x main\n",
      'error introspect.aggregator.invalid 4: "a": merge remote "x" not defined in remotes',
    ],
    [
      "unknown target remote",
      "a:\n  remotes: {o: https://h/a}\n  target: x main\n  merges: [o main]\n",
      'error introspect.aggregator.invalid 3: "a": target remote "x" not defined in remotes',
    ],
    [
      "target of three words",
      "a:\n  remotes: {o: https://h/a}\n  target: o x y\n  merges: [o main]\n",
      'error introspect.aggregator.invalid 3: "a": target must be formatted',
    ],
  ])("refuses a repository as git-aggregator does (%s), file and line, others kept", (_name, text, message) => {
    const result = brief(`${text}ok:\n  remotes: {o: https://h/ok}\n  merges: [o main]\n`);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toContain(message);
    expect(result.problems[0]).toContain("repository skipped");
    expect(result.sources.map((s) => s.split(" ").slice(1, 4).join(" "))).toEqual(["ok https://h/ok main"]);
  });

  it("keeps secrets of remote URLs out of the watch file (a password; a user part from a variable)", () => {
    const text =
      "a:\n  remotes:\n    o: https://bot:pa55@h/a.git\n    t: https://$TOKEN@h/t.git\n    s: git@h:s.git\n  merges:\n    - o main\n    - t main\n    - s main\n";
    const result = brief(text, { TOKEN: "ghp_x" });
    expect(result.sources.map((s) => s.split(" ")[2])).toEqual(["https://bot@h/a.git", "https://h/t.git", "git@h:s.git"]);
    expect(result.problems).toEqual([
      'warning introspect.url.credentials 3: "a": remote "o": credentials removed from the URL (they are not sent to the master, which polls with its own)',
      'warning introspect.url.credentials 4: "a": remote "t": credentials removed from the URL (they are not sent to the master, which polls with its own)',
    ]);
  });

  it("says where the YAML is broken, and what a root that is no mapping is", () => {
    expect(brief("a:\n  remotes: {o: https://h/a\n  merges: [o main]\n").fatal).toMatch(/^\d+ introspect\.aggregator\.yaml: not valid YAML/);
    expect(brief("- a\n- b\n").fatal).toBe("1 introspect.aggregator.yaml: expected a mapping of directories to repositories");
    expect(brief("# nothing yet\n")).toEqual({ sources: [], problems: [], fatal: undefined });
  });
});

describe("repos.yaml liveness from the merge line (no checkout)", () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => dir.remove());
  it.each([
    ["16.0", "watch", "16.0"],
    ["feature/x", "watch", "feature/x"],
    ["refs/pull/151/head", "watch", "refs/pull/151/head"],
    ["pull/151/head", "watch", "refs/pull/151/head"],
    ["refs/merge-requests/3/head", "watch", "refs/merge-requests/3/head"],
    ["refs/heads/16.0", "watch", "16.0"],
    ["a1b2c3d", "pin", "a1b2c3d"],
    ["refs/tags/v1", "pin", "v1"],
  ])("merge ref %s → %s %s, with no warning", async (ref, kind, revspec) => {
    writeFileSync(path.join(dir.path, "repos.yaml"), `web:\n  remotes:\n    o: https://h/web.git\n  target: o agg\n  merges:\n    - o ${ref}\n`);
    const result = await introspectFiles({ files: [{ format: "git-aggregator", file: "repos.yaml" }], cwd: dir.path, env: vcsEnv });
    if (!result.ok) throw new Error(result.error.message);
    const list = kind === "watch" ? result.watchFile.watches : result.watchFile.pinned;
    expect(list).toEqual([
      expect.objectContaining({
        vcs: "git",
        url: "https://h/web.git",
        revspec,
        origin: { file: "repos.yaml", line: 6, section: "web", option: "merges", format: "git-aggregator" },
      }),
    ]);
    expect(result.problems).toEqual([]);
  });
});

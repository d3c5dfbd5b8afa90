/**
 * PyYAML (what git-aggregator loads repos.yaml with) judges how we read the YAML of every
 * fixture: after `string.Template` expansion (gitaggregate --expand-env), each merge line's
 * directory, remote URL and ref as Python sees them (YAML 1.1 floats str()'d, aliases, merge keys)
 * must be ours. The rest of git-aggregator's validation is covered by the grammar tests.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { extractRepos } from "../../../src/formats/git-aggregator/extract.js";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const ENV = { ODOO_VERSION: "16.0", DEPTH_DEFAULT: "1", DEPTH_MERGE: "100", REPO_DIR: "./odoo/custom/src", GIT_HOST: "https://github.example" };
const JUDGE = `
import json, os, string, sys, yaml
out = {}
for path in sys.argv[1:]:
    config = yaml.safe_load(string.Template(open(path).read()).substitute(os.environ)) or {}
    rows = []
    for directory, repo in config.items():
        for merge in repo["merges"]:
            remote, ref = merge.split(" ") if isinstance(merge, str) else (str(merge["remote"]), str(merge["ref"]))
            rows.append([directory, repo["remotes"][remote], ref])
    out[path] = rows
print(json.dumps(out))
`;

describe("repos.yaml read as PyYAML reads it", () => {
  const files = readdirSync(fixtures)
    .filter((name) => name.endsWith(".yaml"))
    .sort();
  const run = spawnSync("/usr/bin/python3", ["-c", JUDGE, ...files.map((name) => path.join(fixtures, name))], {
    env: { PATH: process.env.PATH, ...ENV },
    encoding: "utf8",
  });
  const judged = run.status === 0 ? (JSON.parse(run.stdout) as Record<string, string[][]>) : {};

  it("PyYAML read every fixture", () => {
    expect(run.stderr).toBe("");
    expect(Object.keys(judged)).toHaveLength(files.length);
  });

  it.each(files)("%s", (name) => {
    const file = path.join(fixtures, name);
    const ours = extractRepos(readFileSync(file, "utf8"), file, ENV);
    // the one thing we add: `pull/N/head` spelled as the full ref a poller needs
    const full = (ref: string) => (/^(pull|merge-requests)\/[^/]+\/(head|merge)$/.test(ref) ? `refs/${ref}` : ref);
    expect(ours.sources.map((source) => [source.origin.section, source.url, source.revision])).toEqual(
      (judged[file] ?? []).map(([directory, url, ref]) => [directory, url, full(ref as string)]),
    );
  });
});

import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WatchFile } from "@autowatch/watchfile";
import { introspectFiles } from "../../../src/introspect.js";
import { commitFile, git, gitInit, tempDir, vcsEnv, fixturesCopy } from "../../support.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const ENV = { ODOO_VERSION: "16.0", DEPTH_DEFAULT: "1", DEPTH_MERGE: "100" };

const entries = (file: WatchFile) => [
  ...file.watches.map((w) => `watch ${w.url} ${w.revspec} :${w.origin?.line}`),
  ...file.pinned.map((p) => `pin(${p.why}) ${p.url} ${p.revspec} :${p.origin?.line}`),
];

describe("repos.yaml fixtures in the style of public projects", () => {
  const expected: Record<string, string[]> = {
    "doodba-scaffolding.yaml": [
      "watch https://github.com/OCA/OCB.git 16.0 :14",
      "watch https://github.com/OCA/web.git 16.0 :25",
      "watch https://github.com/odoo/odoo.git refs/pull/123456/head :17",
    ],
    "tecnativa-customer.yaml": [
      "watch https://github.com/OCA/server-tools.git 16.0 :9",
      "watch https://github.com/OCA/server-tools.git refs/pull/2587/head :11",
      "watch https://github.com/Tecnativa/server-tools.git 16.0-add-base_cron_oneshot :10",
      "pin(commit) https://github.com/OCA/account-invoicing.git 5b7c3a1e9d2f4068a1b3c5d7e9f1a3b5c7d9e1f3 :21",
    ],
    "mapping-merges.yaml": [
      "watch git@github.com:acsone/product-attribute.git 16.0-fix-product_variant_default_code :10",
      "watch https://github.com/OCA/product-attribute.git 16.0 :7",
      "watch https://github.com/OCA/product-attribute.git refs/pull/1432/head :12",
      "pin(commit) git@github.com:acsone/product-attribute.git 0f1e2d3c :13",
    ],
    "fetch-all.yaml": [
      "watch https://github.com/OCA/connector-telephony.git 14.0 :9",
      "watch https://github.com/akretion/connector-telephony.git 14.0-mig-base_phone :10",
    ],
    "gitlab-merge-requests.yaml": [
      "watch https://gitlab.acme.example/odoo/acme-addons.git 17.0 :7",
      "watch https://gitlab.acme.example/odoo/acme-addons.git refs/merge-requests/87/head :8",
      "watch https://gitlab.acme.example/odoo/acme-addons.git refs/merge-requests/91/head :9",
    ],
    "env-expanded.yaml": [
      "watch https://github.com/acme/price.git main :13",
      "watch https://github.example/OCA/l10n-spain.git 16.0 :6",
      "pin(tag) https://github.example/OCA/l10n-spain.git 16.0.1.2.0 :7",
    ],
    "anchors.yaml": [
      "watch https://github.com/OCA/web-staging.git 16.0 :10",
      "watch https://github.com/OCA/web.git 16.0 :10",
      "watch https://github.com/acme/web.git 16.0-acme :11",
    ],
    "minimal-target.yaml": ["watch https://github.com/OCA/partner-contact.git 15.0 :5", "watch https://github.com/OCA/queue.git 15.0 :11"],
    "openupgrade-migration.yaml": [
      "watch https://github.com/OCA/OCB.git 16.0 :10",
      "watch https://github.com/OCA/OpenUpgrade.git 16.0 :16",
      "watch https://github.com/OCA/OpenUpgrade.git refs/pull/4012/head :17",
      "watch https://github.com/OCA/OpenUpgrade.git refs/pull/4050/head :18",
    ],
  };
  const fixtures = fixturesCopy(path.join(here, "fixtures"));
  it.each(Object.keys(expected))("%s", async (name) => {
    const env = { ...vcsEnv, ...ENV, REPO_DIR: "./odoo/custom/src", GIT_HOST: "https://github.example" };
    const result = await introspectFiles({ files: [{ format: "git-aggregator", file: name }], cwd: fixtures(), env });
    if (!result.ok) throw new Error(result.error.message);
    expect(entries(result.watchFile)).toEqual(expected[name]);
    expect(result.problems).toEqual([]);
  });
});

/** What git-aggregator does for one repository (repo.py: init, remotes, fetch, checkout -B target, merge). */
function aggregate(target: string, remotes: Record<string, string>, merges: [string, string][], options: { fetchAll?: string[] } = {}): void {
  mkdirSync(target, { recursive: true });
  git(target, "init", "-q");
  git(target, "config", "user.name", "Aggregator");
  git(target, "config", "user.email", "agg@example.org");
  for (const [name, url] of Object.entries(remotes)) git(target, "remote", "add", name, url);
  for (const name of options.fetchAll ?? []) git(target, "fetch", "-q", name);
  merges.forEach(([remote, ref], index) => {
    git(target, "fetch", "-q", remote, ref);
    if (index === 0) git(target, "checkout", "-q", "-B", "_git_aggregated", "FETCH_HEAD");
    else git(target, "merge", "-q", "--no-edit", "FETCH_HEAD");
  });
}

describe("repos.yaml after git-aggregator-like merges on real repositories", () => {
  let dir: ReturnType<typeof tempDir>;
  let ocb: string;
  let fork: string;
  let pinnedSha: string;
  beforeAll(() => {
    dir = tempDir();
    ocb = gitInit(path.join(dir.path, "forge", "ocb"));
    git(ocb, "branch", "16.0");
    fork = path.join(dir.path, "forge", "fork");
    git(dir.path, "clone", "-q", ocb, fork);
    git(fork, "config", "user.name", "Test");
    git(fork, "config", "user.email", "test@example.org");
    git(fork, "checkout", "-q", "-b", "feature");
    commitFile(fork, "feature.txt", "f\n");
    git(fork, "tag", "release-1");
    git(fork, "checkout", "-q", "-b", "pr-branch", "main");
    const prSha = commitFile(fork, "pr.txt", "p\n");
    git(fork, "update-ref", "refs/pull/12/head", prSha);
    git(fork, "checkout", "-q", "main");
    pinnedSha = commitFile(fork, "pinned.txt", "x\n");
    const src = path.join(dir.path, "build", "odoo", "custom", "src");
    mkdirSync(src, { recursive: true });
    writeFileSync(
      path.join(src, "repos.yaml"),
      [
        "./odoo:",
        "  remotes:",
        `    ocb: ${ocb}`,
        `    fork: ${fork}`,
        "  target: ocb $ODOO_VERSION",
        "  merges:",
        "    - ocb $ODOO_VERSION",
        "    - fork refs/pull/12/head",
        `    - fork ${pinnedSha.slice(0, 12)}`,
        "web:",
        "  remotes:",
        `    fork: ${fork}`,
        "  fetch_all: [fork]",
        "  target: fork agg",
        "  merges:",
        "    - fork feature",
        "    - fork release-1",
        "    - fork gone-branch",
        "",
      ].join("\n"),
    );
    aggregate(path.join(src, "odoo"), { ocb, fork }, [
      ["ocb", "16.0"],
      ["fork", "refs/pull/12/head"],
      ["fork", pinnedSha],
    ]);
    // gone-branch no longer exists upstream: aggregated earlier, the checkout only knows the others
    aggregate(
      path.join(src, "web"),
      { fork },
      [
        ["fork", "feature"],
        ["fork", "release-1"],
      ],
      { fetchAll: ["fork"] },
    );
  }, 60_000);
  afterAll(() => dir.remove());

  it("watches each live merge line on its remote URL; the checkout confirms refs, a fetched tag is a pin", async () => {
    const result = await introspectFiles({
      files: [{ format: "git-aggregator", file: "odoo/custom/src/repos.yaml" }],
      cwd: path.join(dir.path, "build"),
      env: { ...vcsEnv, ODOO_VERSION: "16.0" },
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(entries(result.watchFile)).toEqual([
      `watch ${fork} feature :16`,
      `watch ${fork} gone-branch :18`,
      `watch ${fork} refs/pull/12/head :8`,
      `watch ${ocb} 16.0 :7`,
      `pin(commit) ${fork} ${pinnedSha.slice(0, 12)} :9`,
      // "release-1" reads as a branch, but the checkout fetched it as a tag
      `pin(tag) ${fork} release-1 :17`,
    ]);
    expect(result.problems.map((p) => `${p.file}:${p.line} ${p.code} ${p.message}`)).toEqual([
      `odoo/custom/src/repos.yaml:18 introspect.branch.unfetched git "${fork}" "gone-branch": the checkout at "odoo/custom/src/web" has branches of remote "fork" but not this one; watched as declared`,
    ]);
  });
});

describe("doodba: repositories autoaggregate adds from addons.yaml", () => {
  let dir: ReturnType<typeof tempDir>;
  let src: string;
  beforeAll(() => {
    dir = tempDir();
    src = path.join(dir.path, "odoo", "custom", "src");
    mkdirSync(path.join(src, "private"), { recursive: true });
    mkdirSync(path.join(src, "local-folder"), { recursive: true });
    gitInit(path.join(src, "server-tools")); // a checkout from an earlier build: still expected
    writeFileSync(
      path.join(src, "repos.yaml"),
      [
        "web:",
        "  remotes:",
        "    oca: https://github.com/OCA/web.git",
        "  target: oca $ODOO_VERSION",
        "  merges:",
        "    - oca $ODOO_VERSION",
        "    - oca refs/pull/9/head",
        "",
      ].join("\n"),
    );
    writeFileSync(
      path.join(src, "addons.yaml"),
      [
        "web:",
        "  - web_responsive",
        "server-tools: ['*']",
        "odoo/addons: [base, sale]",
        "private: ['*']",
        "local-folder: ['*']",
        "ONLY:",
        "  PGDATABASE: [prod]",
        "---",
        "ENV:",
        "  DEFAULT_REPO_PATTERN: https://github.com/Tecnativa/{}.git",
        "  ODOO_VERSION: 16.0-custom",
        "doodba-addons:",
        "  - '*'",
        "",
      ].join("\n"),
    );
  });
  afterAll(() => dir.remove());

  it("watches each on origin $ODOO_VERSION from DEFAULT_REPO_PATTERN (the core from DEFAULT_REPO_PATTERN_ODOO), a document's ENV first", async () => {
    const result = await introspectFiles({
      files: [{ format: "git-aggregator", file: "odoo/custom/src/repos.yaml" }],
      cwd: dir.path,
      env: { ...vcsEnv, ODOO_VERSION: "16.0" },
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.watchFile.watches.map((w) => `${w.url} ${w.revspec} ${w.origin?.file}:${w.origin?.line ?? "-"} ${w.origin?.option}`)).toEqual([
      "https://github.com/OCA/OCB.git 16.0 odoo/custom/src/addons.yaml:4 doodba default",
      "https://github.com/OCA/server-tools.git 16.0 odoo/custom/src/addons.yaml:3 doodba default",
      "https://github.com/OCA/web.git 16.0 odoo/custom/src/repos.yaml:6 merges",
      "https://github.com/OCA/web.git refs/pull/9/head odoo/custom/src/repos.yaml:7 merges",
      "https://github.com/Tecnativa/doodba-addons.git 16.0-custom odoo/custom/src/addons.yaml:13 doodba default",
    ]);
    expect(result.problems).toEqual([]);
  });

  it("says so when ODOO_VERSION is missing, and honours the pattern variables of the environment", async () => {
    const missing = await introspectFiles({ files: [{ format: "git-aggregator", file: "odoo/custom/src/repos.yaml" }], cwd: dir.path, env: vcsEnv });
    if (!missing.ok) throw new Error(missing.error.message);
    expect(missing.problems.filter((p) => p.code === "introspect.aggregator.doodba").map((p) => p.line)).toEqual([4, 3]);
    const patterns = await introspectFiles({
      files: [{ format: "git-aggregator", file: "odoo/custom/src/repos.yaml" }],
      cwd: dir.path,
      env: {
        ...vcsEnv,
        ODOO_VERSION: "17.0",
        DEFAULT_REPO_PATTERN: "https://git.example/mirror/{}",
        DEFAULT_REPO_PATTERN_ODOO: "https://git.example/odoo/odoo.git",
      },
    });
    if (!patterns.ok) throw new Error(patterns.error.message);
    expect(patterns.watchFile.watches.map((w) => w.url)).toEqual(
      expect.arrayContaining([
        "https://git.example/odoo/odoo.git",
        "https://git.example/mirror/server-tools",
        "https://github.com/Tecnativa/doodba-addons.git",
      ]),
    );
  });
});

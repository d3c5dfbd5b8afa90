// Makes a small, realistic Odoo build farm in a work directory, from scratch, with real git:
// a "forge" of bare repositories (Odoo core, OCA-like addons, a customer's addons, a develop
// egg, the buildouts themselves), the workers' buildout directories as `bin/buildout` leaves
// them (each source cloned where anybox.recipe.odoo and gp.vcsdevelop put it), and the
// master's MANIFEST.cfg. Commit dates and identities are fixed, so every run gives the same
// commits. Nothing here talks to a network: the URLs written in the buildouts are public-looking
// names, and each checkout's `origin` is set to that name, as a real clone would have it.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { acmeAddonsSteps, acmeToolsSteps, buildoutSteps, dockerSteps, FROZEN_TAG, ocaSteps, odooSteps, URLS } from "./repositories.mjs";

export { URLS };

/** Where pollers fetch from: the master polls a mirror of GitHub, not GitHub itself. */
export const REWRITE = "https://github.com/=https://mirror.acme.example/github/";

const GIT_ENV = {
  ...process.env,
  LANG: "C",
  LC_ALL: "C",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
};

function git(cwd, args, input) {
  return execFileSync("git", ["-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false", ...args], {
    cwd,
    env: GIT_ENV,
    encoding: "utf8",
    input,
    stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  }).trim();
}

function write(file, text) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

const IDENTITY = "Farm Generator <farm@acme.example>";

/**
 * A repository's history written as one `git fast-import` stream (one process per repository
 * instead of one per commit): branches, commits of whole files, annotated tags, fixed dates.
 */
class History {
  constructor(clock) {
    this.clock = clock;
    this.stream = [];
    this.marks = 0;
    this.tips = new Map();
    this.pending = [];
    this.current = undefined;
  }

  /** Starts (or switches to) a branch; a new branch forks from `from` (default: the current branch). */
  branch(name, from = this.current) {
    if (!this.tips.has(name)) this.tips.set(name, from === undefined ? undefined : this.tips.get(from));
    this.current = name;
  }

  files(files) {
    for (const [name, text] of Object.entries(files)) this.pending.push([name, text]);
  }

  /** Commits the pending files on the current branch; returns the commit's mark. */
  commit(message) {
    const mark = ++this.marks;
    const parent = this.tips.get(this.current);
    const when = `${(this.clock.seconds += 3600)} +0000`;
    this.stream.push(`commit refs/heads/${this.current}`, `mark :${mark}`, `author ${IDENTITY} ${when}`, `committer ${IDENTITY} ${when}`, data(message));
    if (parent !== undefined) this.stream.push(`from :${parent}`);
    for (const [name, text] of this.pending) {
      this.stream.push(`M ${/-(bin|server)$/.test(name) ? "100755" : "100644"} inline ${name}`, data(text));
    }
    this.pending = [];
    this.tips.set(this.current, mark);
    return mark;
  }

  /** An annotated tag on the current branch's tip. */
  tag(name) {
    const when = `${(this.clock.seconds += 60)} +0000`;
    this.stream.push(`tag ${name}`, `from :${this.tips.get(this.current)}`, `tagger ${IDENTITY} ${when}`, data(`release ${name}`));
  }
}

function data(text) {
  return `data ${Buffer.byteLength(text)}\n${text}`;
}

/**
 * Writes a repository's history (`steps` get a History) into the bare `forge/NAME.git`, with
 * `head` as its default branch. Returns the bare path and a function from marks to commit ids.
 */
function makeRepository(work, clock, name, head, steps) {
  const history = new History(clock);
  const result = steps(history);
  const bare = path.join(work, "forge", `${name}.git`);
  mkdirSync(bare, { recursive: true });
  git(bare, ["init", "-q", "--bare", "--template="]);
  const marks = path.join(work, "forge", `${name}.marks`);
  git(bare, ["fast-import", "--quiet", `--export-marks=${marks}`], `${history.stream.join("\n")}\n`);
  writeFileSync(path.join(bare, "HEAD"), `ref: refs/heads/${head}\n`);
  const ids = new Map(
    readFileSync(marks, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" ")),
  );
  return { bare, result, id: (mark) => ids.get(`:${mark}`) };
}

/** A pull request on OCA web: a commit on top of 11.0, reachable only as refs/pull/7/head (as GitHub keeps them). */
function addPullRequest(bare) {
  const env = { GIT_AUTHOR_NAME: "OCA Contributor", GIT_AUTHOR_EMAIL: "dev@oca.example", GIT_AUTHOR_DATE: "2026-11-02T10:00:00Z" };
  const sha = execFileSync("git", ["commit-tree", "11.0^{tree}", "-p", "11.0", "-m", "[FIX] web_responsive: apps menu on phones"], {
    cwd: bare,
    env: { ...GIT_ENV, ...env, GIT_COMMITTER_NAME: env.GIT_AUTHOR_NAME, GIT_COMMITTER_EMAIL: env.GIT_AUTHOR_EMAIL, GIT_COMMITTER_DATE: env.GIT_AUTHOR_DATE },
    encoding: "utf8",
  }).trim();
  git(bare, ["update-ref", "refs/pull/7/head", sha]);
}

/** The master's manifest: DEFAULT, inherit, a frozen builder, a release builder, manual watches. */
function manifestText() {
  return `# Build factories of the ACME farm. Each section is a builder.
[DEFAULT]
buildout-repo = ${URLS.buildouts}
build-for = postgresql == 10
post-buildout-steps = install-modules-test

[odoo-10.0]
buildout = git %(buildout-repo)s 10.0 odoo-10.cfg
; the core is also watched by hand, from before auto-watch
watch = git ${URLS.odoo} 10.0

[odoo-11.0]
buildout = git %(buildout-repo)s 11.0 odoo-11.cfg

[acme-11.0]
buildout = git %(buildout-repo)s 11.0 acme.cfg
watch = hg ${URLS.specs} default
build-for = postgresql == 10
  postgresql == 12

; the production release: a tag chosen for each build, nothing to watch
[acme-11.0-prod]
buildout = gittag %(buildout-repo)s acme.cfg

; released by hand only
[acme-11.0-release]
inherit = acme-11.0
watch =

; a doodba-style project: its repos.yaml says what the image is built from
[acme-docker-11.0]
buildout = git ${URLS.docker} 11.0 odoo/custom/src/repos.yaml

; ACME's tools tested against pip-installed OCA addons (requirements.txt on the worker)
[acme-pip-11.0]
buildout = standalone requirements.txt

; an old series (its worker's next upload will be cut short)
[odoo-9.0]
buildout = git %(buildout-repo)s 9.0 odoo-9.cfg
`;
}

/**
 * The workers' side: one buildout directory per builder, each source cloned at the place the
 * recipes use, at the revision the buildout asks for (branches checked out as branches,
 * tags and commits as a detached HEAD), `origin` set to the URL the buildout names.
 */
const WORKERS = [
  { builder: "odoo-9.0", ref: "9.0", config: "odoo-9.cfg" },
  // the image build's environment (doodba's .env), which gitaggregate --expand-env reads too
  { builder: "acme-docker-11.0", ref: "11.0", sources: [], repository: "docker", env: { ODOO_VERSION: "11.0", DEPTH_DEFAULT: "1", DEPTH_MERGE: "100" } },
  { builder: "acme-pip-11.0", sources: ["requirements.txt"] },
  { builder: "odoo-10.0", ref: "10.0", config: "odoo-10.cfg" },
  { builder: "odoo-11.0", ref: "11.0", config: "odoo-11.cfg" },
  { builder: "acme-11.0", ref: "11.0", config: "acme.cfg" },
  { builder: "acme-11.0-prod", ref: FROZEN_TAG, config: "acme.cfg" },
  { builder: "acme-11.0-release", ref: "11.0", config: "acme.cfg" },
];

/** The checkouts `bin/buildout` made for one worker's configuration (`branch`: checked out as a branch). */
function checkoutsFor(worker, pins) {
  const series = ["9.0", "10.0"].includes(worker.ref) ? worker.ref : "11.0";
  const branch = (rev) => ({ rev, branch: true });
  const fixed = (rev) => ({ rev, branch: false });
  if (series === "9.0") {
    return [
      { repo: "odoo", at: "parts/openerp", ...branch("9.0") },
      { repo: "web", at: "oca/web", ...branch("9.0") },
    ];
  }
  if (series === "10.0") {
    return [
      { repo: "odoo", at: "parts/odoo", ...branch("10.0") },
      { repo: "web", at: "oca/web", ...branch("10.0") },
      { repo: "serverTools", at: "oca/server-tools", ...fixed("10.0.1.2.0") },
      { repo: "reporting", at: "oca/reporting-engine", ...fixed(pins.reporting10) },
      { repo: "acmeTools", at: "src/acme-tools", ...fixed("1.4.0") },
    ];
  }
  const common = [
    { repo: "web", at: "oca/web", ...branch("11.0") },
    { repo: "serverTools", at: "oca/server-tools", ...branch("11.0") },
  ];
  if (worker.config !== "acme.cfg") {
    return [{ repo: "odoo", at: "parts/odoo", ...branch("11.0") }, ...common, { repo: "acmeTools", at: "src/acme-tools", ...fixed("1.4.0") }];
  }
  const frozen = worker.ref === FROZEN_TAG;
  return [
    { repo: "odoo", at: "parts/odoo", ...fixed(pins.odoo11) },
    ...common,
    { repo: "acmeAddons", at: "acme", ...(frozen ? fixed("11.0.3.0") : branch("11.0")) },
    { repo: "acmeTools", at: "src/acme-tools", ...(frozen ? fixed("1.4.0") : branch("master")) },
  ];
}

/**
 * A clone of each forge repository, made once, with `origin` named by its public URL; each
 * checkout copies it and checks out its revision (a branch as a local tracking branch, a tag
 * or a commit as a detached HEAD), which is what a clone by the recipe ends up as.
 */
function templates(work, forge) {
  const made = {};
  for (const [key, bare] of Object.entries(forge)) {
    const directory = path.join(work, "templates", key);
    mkdirSync(path.dirname(directory), { recursive: true });
    git(path.dirname(directory), ["clone", "-q", "--template=", bare, directory]);
    const config = path.join(directory, ".git", "config");
    writeFileSync(
      config,
      readFileSync(config, "utf8").replace(/^(\s*url = ).*$/m, (_, prefix) => `${prefix}${URLS[key]}`),
    );
    made[key] = directory;
  }
  return made;
}

/**
 * The doodba worker after the image build: the project checked out, each repository of
 * repos.yaml where git-aggregator put it, on its local branch `_git_aggregated` with the remote
 * named as in repos.yaml (the pull request fetched and merged into web).
 */
function dockerWorker(clones, forge, directory, pins) {
  checkout(clones.docker, directory, "11.0");
  const src = path.join(directory, "odoo", "custom", "src");
  const aggregated = [
    ["odoo", "odoo", "odoo", "11.0"],
    ["web", "web", "oca", "11.0"],
    ["server-tools", "serverTools", "oca", pins.serverTools11],
  ];
  for (const [dest, repo, remote, rev] of aggregated) {
    const target = path.join(src, dest);
    checkout(clones[repo], target, rev);
    git(target, ["remote", "rename", "origin", remote]);
    git(target, ["checkout", "-q", "-B", "_git_aggregated"]);
  }
  const web = path.join(src, "web");
  git(web, ["fetch", "-q", forge.web, "refs/pull/7/head"]);
  git(web, ["-c", "user.name=git-aggregator", "-c", "user.email=agg@acme.example", "merge", "-q", "--ff-only", "FETCH_HEAD"]);
}

/** The pip worker: requirements.txt, and acme-tools checked out by `pip install -e` under src/. */
function pipWorker(clones, directory, pins) {
  write(
    path.join(directory, "requirements.txt"),
    `# ACME tools, tested against OCA addons installed by pip
-e git+${URLS.acmeTools}@master#egg=acme-tools
odoo11-addon-web_responsive @ git+${URLS.web}@11.0#subdirectory=setup/web_responsive
# report_xlsx as validated for production
odoo11-addon-report_xlsx @ git+${URLS.reporting}@${pins.reporting11}#subdirectory=setup/report_xlsx
`,
  );
  checkout(clones.acmeTools, path.join(directory, "src", "acme-tools"), "master");
}

function checkout(template, directory, revision) {
  mkdirSync(path.dirname(directory), { recursive: true });
  cpSync(template, directory, { recursive: true });
  git(directory, ["checkout", "-q", revision]);
}

/**
 * Creates the whole farm under `work` (which must be empty). Returns where things are and
 * what was pinned, for the summary.
 */
export function makeFarm(work) {
  const clock = { seconds: Date.UTC(2026, 9, 1) / 1000 };
  const odoo = makeRepository(work, clock, "odoo/odoo", "11.0", odooSteps);
  const reporting = makeRepository(work, clock, "OCA/reporting-engine", "11.0", ocaSteps("report_xlsx"));
  const serverTools = makeRepository(work, clock, "OCA/server-tools", "11.0", ocaSteps("base_technical_user", "10.0"));
  const pins = {
    odoo11: odoo.id(odoo.result.validated11),
    reporting10: reporting.id(reporting.result.commits["10.0"]),
    reporting11: reporting.id(reporting.result.commits["11.0"]),
    serverTools11: serverTools.id(serverTools.result.commits["11.0"]),
  };
  const forge = {
    odoo: odoo.bare,
    web: makeRepository(work, clock, "OCA/web", "11.0", ocaSteps("web_responsive")).bare,
    serverTools: serverTools.bare,
    reporting: reporting.bare,
    acmeAddons: makeRepository(work, clock, "acme/acme-addons", "11.0", acmeAddonsSteps).bare,
    acmeTools: makeRepository(work, clock, "acme/acme-tools", "master", acmeToolsSteps).bare,
    buildouts: makeRepository(work, clock, "acme/buildouts", "11.0", buildoutSteps(pins)).bare,
    docker: makeRepository(work, clock, "acme/odoo-docker", "11.0", dockerSteps(pins)).bare,
  };
  addPullRequest(forge.web);
  const clones = templates(work, forge);

  const master = path.join(work, "master");
  write(path.join(master, "MANIFEST.cfg"), manifestText());
  mkdirSync(path.join(master, "watch"), { recursive: true });

  const workers = [];
  for (const worker of WORKERS) {
    const directory = path.join(work, "workers", worker.builder);
    if (worker.repository === "docker") {
      dockerWorker(clones, forge, directory, pins);
      workers.push({ ...worker, directory });
      continue;
    }
    if (worker.builder === "acme-pip-11.0") {
      pipWorker(clones, directory, pins);
      workers.push({ ...worker, directory });
      continue;
    }
    checkout(clones.buildouts, directory, worker.ref);
    for (const source of checkoutsFor(worker, pins)) {
      checkout(clones[source.repo], path.join(directory, source.at), source.rev);
    }
    // What bin/buildout leaves besides the checkouts.
    write(path.join(directory, "bin", "start_odoo"), "#!/bin/sh\n# generated by anybox.recipe.odoo\n");
    write(path.join(directory, ".installed.cfg"), "[buildout]\ninstalled_develop_eggs = \nparts = odoo\n");
    workers.push({ ...worker, directory });
  }
  return { master, manifest: path.join(master, "MANIFEST.cfg"), watchDir: path.join(master, "watch"), workers, pins };
}

import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { PinReason, Vcs } from "@autowatch/watchfile";
import type { ResolvedSections } from "../src/types.js";
import { brz, brzInit, commitFile, git, gitInit, hg, hgInit } from "./support.js";

/**
 * A buildout of 3 configuration files (buildout.cfg extends base.cfg extends common.cfg) with
 * 40 VCS addons lines (git, hg, bzr), `revisions`, `merges` and vcs-extend-develop, and, when
 * asked, real checkouts made from template repositories (copies are real clones, and cheap).
 */
export interface Expected {
  vcs: Vcs;
  url: string;
  revspec: string;
  why?: PinReason;
}

interface Line {
  vcs: Vcs;
  url: string;
  dest: string;
  rev: string;
  options?: string;
  comment?: string;
  /** Where the checkout is (after group=). */
  checkout: string;
}

export interface Fixture {
  root: string;
  directory: string;
  config: string;
  /** The sections a zc.buildout-faithful resolver gives for `config`. */
  sections: ResolvedSections;
  /** Expected with checkouts (verified) and without (string rules). */
  withCheckouts: { watches: Expected[]; pinned: Expected[] };
  withoutCheckouts: { watches: Expected[]; pinned: Expected[] };
  /** Number of sources classified from the revision alone when no checkout exists. */
  unverified: number;
}

const live = (vcs: Vcs, url: string, revspec: string): Expected => ({ vcs, url, revspec });
const pin = (vcs: Vcs, url: string, revspec: string, why: PinReason): Expected => ({ vcs, url, revspec, why });

export function makeFixture(root: string, withCheckouts: boolean): Fixture {
  const templates = path.join(root, "templates");
  const directory = path.join(root, "buildout");
  mkdirSync(directory, { recursive: true });

  // git: upstream with branches and tags; the template is a clone (remote-tracking branches)
  const upstream = gitInit(path.join(templates, "git-upstream"));
  const first = git(upstream, "rev-parse", "HEAD").trim();
  git(upstream, "tag", "v1.0");
  const sha = commitFile(upstream, "second", "2\n");
  git(upstream, "tag", "v2.0");
  for (const branch of ["10.0", "11.0", "feature", "pr-1"]) git(upstream, "branch", branch);
  const gitTemplate = path.join(templates, "git");
  git(templates, "clone", "-q", upstream, gitTemplate);

  // hg: branches default and stable, bookmark bm, tag v2
  const hgTemplate = hgInit(path.join(templates, "hg"));
  hg(hgTemplate, "tag", "v2");
  hg(hgTemplate, "bookmark", "bm");
  hg(hgTemplate, "branch", "-q", "stable");
  hg(hgTemplate, "commit", "-q", "-m", "stable");
  const node = hg(hgTemplate, "log", "-r", "0", "-T", "{node}").trim();
  hg(hgTemplate, "update", "-q", "default");

  const bzrTemplate = withCheckouts ? brzInit(path.join(templates, "bzr")) : "";
  if (withCheckouts) brz(bzrTemplate, "tag", "-q", "v3");

  const lines: Line[] = [];
  const expectedWith: Expected[] = [];
  const expectedWithout: Expected[] = [];
  const both = (entry: Expected) => (expectedWith.push(entry), expectedWithout.push(entry));

  const gitRevs: Array<[string, (url: string) => Expected, ((url: string) => Expected) | undefined]> = [
    ["10.0", (u) => live("git", u, "10.0"), undefined],
    ["11.0", (u) => live("git", u, "11.0"), undefined],
    ["main", (u) => live("git", u, "main"), undefined],
    ["v1.0", (u) => pin("git", u, "v1.0", "tag"), (u) => live("git", u, "v1.0")],
    [sha, (u) => pin("git", u, sha, "commit"), undefined],
    [first.slice(0, 10), (u) => pin("git", u, first.slice(0, 10), "commit"), undefined],
    ["refs/heads/feature", (u) => live("git", u, "feature"), undefined],
    ["v2.0", (u) => pin("git", u, "v2.0", "tag"), (u) => live("git", u, "v2.0")],
  ];
  for (let i = 1; i <= 24; i++) {
    const url = `https://git.example.org/oca/addons-${i}.git`;
    const [rev, withRule, withoutRule] = gitRevs[(i - 1) % gitRevs.length] as (typeof gitRevs)[number];
    const grouped = i % 6 === 0;
    const line: Line = { vcs: "git", url, dest: `addons-git/a${i}`, rev, checkout: grouped ? `addons-git/oca/a${i}` : `addons-git/a${i}` };
    if (grouped) line.options = i === 12 ? "group=oca subdir=addons" : "group=oca";
    if (i % 5 === 0) line.comment = `; line ${i}`;
    lines.push(line);
    if (i === 1 || i === 6) continue; // pinned or changed by revisions below
    expectedWith.push(withRule(url));
    expectedWithout.push((withoutRule ?? withRule)(url));
  }
  const hgRevs: Array<[string, Expected["why"] | "live", string]> = [
    ["default", "live", "default"],
    ["stable", "live", "stable"],
    ["bm", "live", "bm"],
    ["v2", "tag", "v2"],
    [node.slice(0, 12), "node", node.slice(0, 12)],
    ["0", "revision", "0"],
  ];
  for (let i = 1; i <= 9; i++) {
    const url = `https://hg.example.org/addons-${i}`;
    const [rev, kind, revspec] = hgRevs[(i - 1) % hgRevs.length] as (typeof hgRevs)[number];
    lines.push({ vcs: "hg", url, dest: `addons-hg/h${i}`, rev, checkout: `addons-hg/h${i}` });
    if (i === 2) continue; // pinned by revisions below
    if (kind === "live") both(live("hg", url, revspec));
    else if (kind === "tag") {
      expectedWith.push(pin("hg", url, revspec, "tag"));
      expectedWithout.push(live("hg", url, revspec)); // a tag cannot be told from a branch by its name
    } else both(pin("hg", url, revspec, kind as PinReason));
  }
  const bzrRevs: Array<[string, Expected["why"] | "live"]> = [
    ["last:1", "live"],
    ["revid:test@example.org-20260101000000-abcdef", "revid"],
    ["tag:v3", "tag"],
    ["1", "revision"],
  ];
  for (let i = 1; i <= 7; i++) {
    const url = `https://bzr.example.org/addons-${i}`;
    const [rev, kind] = bzrRevs[(i - 1) % bzrRevs.length] as (typeof bzrRevs)[number];
    lines.push({ vcs: "bzr", url, dest: `addons-bzr/b${i}`, rev, checkout: `addons-bzr/b${i}` });
    both(kind === "live" ? live("bzr", url, "") : pin("bzr", url, rev, kind as PinReason));
  }

  // revisions: a1 (10.0) → a sha; oca/a6 (a sha) → 11.0; h2 (stable) → tag v2; the main software → v1.0
  const revisions = `addons-git/a1 ${sha.slice(0, 7)} ; frozen\naddons-git/oca/a6 11.0\naddons-hg/h2 v2\nv1.0`;
  both(pin("git", "https://git.example.org/oca/addons-1.git", sha.slice(0, 7), "commit"));
  both(live("git", "https://git.example.org/oca/addons-6.git", "11.0"));
  expectedWith.push(pin("hg", "https://hg.example.org/addons-2", "v2", "tag"));
  expectedWithout.push(live("hg", "https://hg.example.org/addons-2", "v2"));
  const mainUrl = "https://github.com/OCA/OCB.git";
  expectedWith.push(pin("git", mainUrl, "v1.0", "tag"));
  expectedWithout.push(live("git", mainUrl, "v1.0"));

  // merges: a remote name resolved through the target checkout; a URL; a bzr merge; an unknown remote
  const merges = [
    "git origin parts/odoo pr-1 ; from the main repository",
    "git https://git.example.org/me/fork.git addons-git/a2 fix-123",
    "bzr https://bzr.example.org/me/fix addons-bzr/b1 last:1",
    "git nowhere parts/odoo 10.0",
  ].join("\n");
  expectedWith.push(live("git", upstream, "pr-1"));
  both(live("git", "https://git.example.org/me/fork.git", "fix-123"));
  both(live("bzr", "https://bzr.example.org/me/fix", ""));

  // vcs-extend-develop (develop-dir = src)
  const develop = [
    "git+https://git.example.org/tool.git@10.0#egg=tool",
    "git+ssh://git@git.example.org/lib.git#egg=lib",
    "hg+https://hg.example.org/hlib@v2#egg=hlib",
    "bzr+https://bzr.example.org/bb@5#egg=bb",
  ].join("\n");
  both(live("git", "https://git.example.org/tool.git", "10.0"));
  expectedWith.push(live("git", "ssh://git@git.example.org/lib.git", "main"));
  expectedWithout.push(live("git", "ssh://git@git.example.org/lib.git", "HEAD"));
  expectedWith.push(pin("hg", "https://hg.example.org/hlib", "v2", "tag"));
  expectedWithout.push(live("hg", "https://hg.example.org/hlib", "v2"));
  both(pin("bzr", "https://bzr.example.org/bb", "5", "revision"));

  // the buildout's own repository
  const selfUrl = "https://git.example.org/buildouts/farm.git";
  if (withCheckouts) expectedWith.push(live("git", selfUrl, "prod"));

  const lineText = (line: Line) => [line.vcs, line.url, line.dest, line.rev, line.options, line.comment].filter(Boolean).join(" ");
  const gitLines = lines.filter((l) => l.vcs === "git");
  const hgLines = lines.filter((l) => l.vcs === "hg");
  const bzrLines = lines.filter((l) => l.vcs === "bzr");
  const firstAddons = [...gitLines.slice(0, 12), ...hgLines.slice(0, 4)].map(lineText);
  const moreAddons = [...gitLines.slice(12), ...hgLines.slice(4), ...bzrLines].map(lineText);
  moreAddons.push("local my-addons ; not a VCS source");

  const indent = (values: string[]) => values.map((v) => `    ${v}`).join("\n");
  writeFileSync(
    path.join(directory, "common.cfg"),
    `[buildout]\nparts = odoo\nextensions = gp.vcsdevelop\ndevelop-dir = src\n\n[odoo]\nrecipe = anybox.recipe.odoo:server\nversion = git ${mainUrl} odoo 10.0 ; OCB\naddons =\n${indent(firstAddons)}\n`,
  );
  writeFileSync(
    path.join(directory, "base.cfg"),
    `[buildout]\nextends = common.cfg\n\n[odoo]\naddons +=\n${indent(moreAddons)}\nmerges =\n${indent(merges.split("\n"))}\n`,
  );
  writeFileSync(
    path.join(directory, "buildout.cfg"),
    `[buildout]\nextends = base.cfg\nvcs-extend-develop =\n${indent(develop.split("\n"))}\n\n[odoo]\nrevisions =\n${indent(revisions.split("\n"))}\n`,
  );

  const file = (name: string) => path.join(directory, name);
  const at = (name: string, line: number, value: string) => ({ value, origin: { file: file(name), line } });
  const sections: ResolvedSections = {
    buildout: {
      directory: at("buildout.cfg", 0, directory),
      "parts-directory": at("buildout.cfg", 0, path.join(directory, "parts")),
      parts: at("common.cfg", 2, "odoo"),
      extensions: at("common.cfg", 3, "gp.vcsdevelop"),
      "develop-dir": at("common.cfg", 4, "src"),
      extends: at("buildout.cfg", 2, "base.cfg"),
      "vcs-extend-develop": at("buildout.cfg", 3, `\n${develop}`),
    },
    odoo: {
      recipe: at("common.cfg", 7, "anybox.recipe.odoo:server"),
      version: at("common.cfg", 8, `git ${mainUrl} odoo 10.0 ; OCB`),
      addons: at("base.cfg", 5, `\n${firstAddons.join("\n")}\n${moreAddons.join("\n")}`),
      merges: at("base.cfg", 6 + moreAddons.length, `\n${merges}`),
      revisions: at("buildout.cfg", 10, `\n${revisions}`),
    },
  };

  if (withCheckouts) {
    const copy = (template: string, target: string) => cpSync(template, path.join(directory, target), { recursive: true });
    copy(gitTemplate, "parts/odoo");
    for (const line of lines) copy(line.vcs === "git" ? gitTemplate : line.vcs === "hg" ? hgTemplate : bzrTemplate, line.checkout);
    copy(gitTemplate, "src/tool");
    copy(gitTemplate, "src/lib");
    copy(hgTemplate, "src/hlib");
    copy(bzrTemplate, "src/bb");
    git(directory, "init", "-q", "-b", "prod");
    git(directory, "config", "user.name", "Test");
    git(directory, "config", "user.email", "test@example.org");
    git(directory, "add", "common.cfg", "base.cfg", "buildout.cfg");
    git(directory, "commit", "-q", "-m", "buildout");
    git(directory, "remote", "add", "origin", selfUrl);
    git(directory, "update-ref", "refs/remotes/origin/prod", "HEAD");
    git(directory, "branch", "-q", "--set-upstream-to=origin/prod");
  }

  const sort = (list: Expected[]) => [...list].sort((a, b) => (a.vcs + "\0" + a.url + "\0" + a.revspec < b.vcs + "\0" + b.url + "\0" + b.revspec ? -1 : 1));
  const split = (list: Expected[]) => ({ watches: sort(list.filter((e) => !e.why)), pinned: sort(list.filter((e) => e.why)) });
  return {
    root,
    directory,
    config: file("buildout.cfg"),
    sections,
    withCheckouts: split(expectedWith),
    withoutCheckouts: split(expectedWithout),
    // addons, main, the two merges from URLs, the develop sources with a revision
    unverified: lines.length + 1 + 2 + 3,
  };
}

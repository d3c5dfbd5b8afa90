// A generated Buildbot farm for the merge benchmark: one MANIFEST.cfg with a section per builder
// and one watch file per builder (20 watches each), 5% of them broken in the ways the spec
// lists (truncated, not JSON, schema-invalid, hostile values, another builder's name, not UTF-8).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cachedDir } from "./cache.mjs";
import { seeded } from "../../tests/support/random.mjs";

export const FARM_VERSION = 1;
export const WATCHES_PER_BUILDER = 20;
export const PINNED_PER_BUILDER = 5;
export const BROKEN_EVERY = 20; // 1 file in 20 = 5%

const ODOO_VERSIONS = ["10.0", "11.0", "12.0", "13.0", "14.0", "15.0", "16.0", "17.0"];
const OCA_REPOS = [
  "account-financial-reporting",
  "account-financial-tools",
  "account-invoicing",
  "account-payment",
  "bank-payment",
  "bank-statement-import",
  "brand",
  "community-data-files",
  "contract",
  "crm",
  "currency",
  "delivery-carrier",
  "donation",
  "e-commerce",
  "edi",
  "event",
  "field-service",
  "geospatial",
  "helpdesk",
  "hr",
  "hr-attendance",
  "hr-expense",
  "hr-holidays",
  "knowledge",
  "l10n-france",
  "l10n-germany",
  "l10n-spain",
  "l10n-switzerland",
  "maintenance",
  "management-system",
  "manufacture",
  "manufacture-reporting",
  "margin-analysis",
  "mis-builder",
  "multi-company",
  "partner-contact",
  "pos",
  "product-attribute",
  "product-variant",
  "project",
  "project-reporting",
  "purchase-workflow",
  "queue",
  "reporting-engine",
  "rest-framework",
  "sale-reporting",
  "sale-workflow",
  "server-auth",
  "server-backend",
  "server-brand",
  "server-env",
  "server-tools",
  "server-ux",
  "social",
  "stock-logistics-barcode",
  "stock-logistics-warehouse",
  "stock-logistics-workflow",
  "storage",
  "timesheet",
  "web",
  "website",
];
const BROKEN_KINDS = ["truncated", "garbage", "schema", "hostile-url", "control-char", "other-builder", "not-utf8", "proto"];

export function builderName(index) {
  const version = ODOO_VERSIONS[index % ODOO_VERSIONS.length];
  return `cust${String(index).padStart(5, "0")}-${version}`;
}

function customerOf(index) {
  return `cust${String(Math.floor(index / 5)).padStart(5, "0")}`;
}

function watchesFor(index, random) {
  const version = ODOO_VERSIONS[index % ODOO_VERSIONS.length];
  const customer = customerOf(index);
  const watches = [{ vcs: "git", url: "https://github.com/OCA/OCB.git", revspec: version }];
  if (random.chance(0.5)) watches.push({ vcs: "git", url: "https://github.com/odoo/enterprise.git", revspec: version });
  for (let j = 0; j < 4; j += 1) {
    const branch = random.pick([version, `${version}-dev`, "master", `feature-${random.int(50)}`]);
    watches.push({ vcs: "git", url: `https://git.acme.example/${customer}/addons-${j}.git`, revspec: branch });
  }
  if (random.chance(0.2)) watches.push({ vcs: "hg", url: `https://hg.acme.example/${customer}/legacy`, revspec: "default" });
  const taken = new Set();
  while (watches.length < WATCHES_PER_BUILDER) {
    const repo = random.pick(OCA_REPOS);
    if (taken.has(repo)) continue;
    taken.add(repo);
    watches.push({ vcs: "git", url: `https://github.com/OCA/${repo}.git`, revspec: version });
  }
  return watches.map((watch, line) => ({
    ...watch,
    origin: { file: line < 6 ? "buildout.cfg" : "addons.cfg", line: 10 + line * 2, section: "odoo", option: line === 0 ? "version" : "addons" },
  }));
}

function pinnedFor(index, random) {
  return Array.from({ length: PINNED_PER_BUILDER }, (_, j) => {
    const commit = random.chance(0.6);
    const revspec = commit ? random.next().toString(16).slice(2, 14).padEnd(12, "0") : `v${index % 7}.${j}.0`;
    return { vcs: "git", url: `https://github.com/OCA/${OCA_REPOS[(index + j * 7) % OCA_REPOS.length]}.git`, revspec, why: commit ? "commit" : "tag" };
  });
}

function watchFileText(index, random) {
  const builder = builderName(index);
  const watches = watchesFor(index, random);
  if (index % 10 === 8) {
    return JSON.stringify(
      watches.map(({ vcs, url, revspec }) => ({ vcs, url, revspec })),
      null,
      2,
    );
  }
  return JSON.stringify(
    {
      schema: "autowatch.watchfile/2",
      builder,
      generated: "2026-11-24T10:00:00Z",
      generator: "@autowatch/introspect 0.1.0",
      buildout: { config: "buildout.cfg", part: "odoo" },
      watches,
      pinned: pinnedFor(index, random),
      problems: index % 7 === 0 ? [{ level: "warning", message: "vcs-extend-develop: gp.vcsdevelop not in extensions, ignored" }] : [],
    },
    null,
    2,
  );
}

/** A broken watch file of the given kind (text or bytes), built from a good one. */
function brokenFile(kind, index, good) {
  const document = JSON.parse(good);
  switch (kind) {
    case "truncated":
      return good.slice(0, Math.floor(good.length * 0.6));
    case "garbage":
      return "<html><body>502 Bad Gateway</body></html>\n";
    case "schema":
      document.watches[3].vcs = "cvs";
      delete document.watches[5].url;
      return JSON.stringify(document, null, 2);
    case "hostile-url":
      document.watches[2].url = "-oProxyCommand=touch /tmp/pwned";
      document.watches[4].url = "ext::sh -c touch% /tmp/pwned";
      return JSON.stringify(document, null, 2);
    case "control-char":
      document.watches[1].revspec = "12.0\u001b[2J\nFAKE LOG LINE";
      return JSON.stringify(document, null, 2);
    case "other-builder":
      document.builder = builderName(index + 1);
      return JSON.stringify(document, null, 2);
    case "not-utf8":
      return Buffer.concat([Buffer.from(good.slice(0, 200)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(good.slice(200))]);
    case "proto":
      return good.replace('"watches":', '"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}, "watches":');
    default:
      throw new Error(`unknown broken kind ${kind}`);
  }
}

function manifestSection(index) {
  const name = builderName(index);
  const version = ODOO_VERSIONS[index % ODOO_VERSIONS.length];
  const customer = customerOf(index);
  const lines = [`[${name}]`];
  if (index % 20 === 5 && index > 0) {
    lines.push(`inherit = ${builderName(index - 1)}`);
  } else if (index % 100 === 13) {
    lines.push(`buildout = gittag %(acme)s/${customer}/buildout.git buildout.cfg`);
  } else if (index % 10 === 3) {
    lines.push(`buildout = standalone buildouts/${customer}-${version}.cfg`);
  } else {
    lines.push(`buildout = git %(acme)s/${customer}/buildout.git ${version} buildout.cfg subdir=${customer}`);
  }
  if (index % 100 === 7) {
    lines.push("watch =");
  } else if (index % 3 === 0) {
    lines.push(`watch = git https://github.com/OCA/OCB.git ${version}`, `    git %(acme)s/${customer}/tools.git master`);
  }
  if (index % 50 === 11) lines.push("auto-watch = false");
  lines.push(`build-for = postgresql == 12.0`, `# maintained by ${customer}`, "");
  return lines.join("\n");
}

/** Generates (or reuses) a farm of `builders` builders; returns its paths and what it holds. */
export async function farm(builders) {
  const { dir, reused } = await cachedDir(`farm-v${FARM_VERSION}-${builders}`, (target) => {
    const watchDir = join(target, "watch");
    mkdirSync(watchDir);
    const random = seeded(builders);
    const sections = ["[DEFAULT]", "acme = https://git.acme.example", "auto-watch = true", "build-requires = python", ""];
    for (let index = 0; index < builders; index += 1) {
      sections.push(manifestSection(index));
      const good = watchFileText(index, random);
      const broken = index % BROKEN_EVERY === BROKEN_EVERY - 1;
      const kind = BROKEN_KINDS[Math.floor(index / BROKEN_EVERY) % BROKEN_KINDS.length];
      writeFileSync(join(watchDir, `${builderName(index)}.json`), broken ? brokenFile(kind, index, good) : good);
    }
    writeFileSync(join(target, "MANIFEST.cfg"), sections.join("\n"));
  });
  return {
    dir,
    reused,
    manifest: join(dir, "MANIFEST.cfg"),
    watchDir: join(dir, "watch"),
    builders,
    broken: Math.floor(builders / BROKEN_EVERY),
  };
}

/**
 * Between two merges of `merge --follow`, some builders finish a build and upload a new watch
 * file. Rewrites `count` of the good watch files in `watchDir` (a copy of a farm's) with other
 * branches and repositories, as when a buildout moves on; `round` picks which files and what
 * they now say, so every round changes the merged state.
 */
export function churnWatchFiles(watchDir, builders, count, round) {
  const pick = seeded(builders * 7919 + round);
  const chosen = new Set();
  while (chosen.size < Math.min(count, builders - Math.floor(builders / BROKEN_EVERY))) {
    const index = pick.int(builders);
    if (index % BROKEN_EVERY !== BROKEN_EVERY - 1) chosen.add(index);
  }
  for (const index of chosen) writeFileSync(join(watchDir, `${builderName(index)}.json`), watchFileText(index, seeded(index + round * 1_000_003)));
  return chosen.size;
}

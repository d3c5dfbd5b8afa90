// Generated Odoo buildouts for the resolve benchmark: an extends chain of `depth` files (one level
// with two bases), `addons` VCS lines spread over the levels with `+=`, a `-=`, a `<=` macro,
// `${section:option}` and `${:option}` substitutions everywhere, a large [versions] section.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { cachedDir } from "./cache.mjs";

export const BUILDOUT_VERSION = 1;

function addonLine(index) {
  const kind = index % 3;
  if (kind === 0) return `git \${urls:oca}/addons-${index}.git \${buildout:sources-dir}/oca-${index} \${branches:oca}`;
  if (kind === 1) return `git \${urls:acme}/addons-${index}.git \${buildout:sources-dir}/acme-${index} \${branches:acme} depth=1`;
  return `hg \${urls:hg}/addons-${index} \${buildout:sources-dir}/hg-${index} default`;
}

function levelFile(level, depth, lines, extraBase) {
  const out = [];
  const last = level === depth - 1;
  if (level > 0) out.push("[buildout]", `extends = level${level - 1}.cfg${extraBase ? " common.cfg" : ""}`, "");
  if (level === 0) {
    out.push(
      "[buildout]",
      "parts = odoo",
      "versions = versions",
      "extensions = gp.vcsdevelop",
      "sources-dir = ${buildout:directory}/sources",
      "develop-dir = ${buildout:directory}/develop-src",
      "vcs-extend-develop =",
      ...Array.from({ length: 5 }, (_, i) => `    git+\${urls:acme}/tool-${i}.git@\${branches:acme}#egg=acme.tool${i}`),
      "",
      "[customer]",
      "name = acme",
      "odoo-version = 12.0",
      "",
      "[urls]",
      "github = https://github.com",
      "oca = ${urls:github}/OCA",
      "acme = https://git.acme.example/${customer:name}",
      "hg = https://hg.acme.example/${customer:name}",
      "",
      "[branches]",
      "odoo = ${customer:odoo-version}",
      "oca = ${branches:odoo}",
      "acme = ${branches:odoo}-dev",
      "",
      "[db]",
      "host = localhost",
      "port = 5432",
      "name = ${customer:name}-${branches:odoo}",
      "",
    );
  }
  out.push("[odoo-template]");
  if (level === 0) {
    out.push(
      "recipe = anybox.recipe.odoo:server",
      "version = git ${urls:github}/odoo/odoo.git odoo ${branches:odoo} depth=1",
      "http-port = 8069",
      "options.xmlrpc_port = ${:http-port}",
      "options.db_host = ${db:host}",
      "options.db_port = ${db:port}",
      "options.db_name = ${db:name}",
      "options.data_dir = ${buildout:directory}/var/${:http-port}",
      "addons =",
    );
  } else {
    out.push("addons +=");
  }
  out.push(...lines.map((line) => `    ${line}`));
  if (level === 2) out.push("addons -=", `    ${addonLine(0)}`);
  if (level === 3) out.push("merges = git ${urls:oca}/addons-3.git ${buildout:sources-dir}/oca-3 ${branches:oca}-pr-42");
  out.push("");
  out.push("[versions]", ...Array.from({ length: 40 }, (_, i) => `acme.package${level * 40 + i} = ${level}.${i}.0`), "");
  if (level === 1) out.push("[db]", "port = 5433", "");
  if (last) {
    out.push(
      "[odoo]",
      "<= odoo-template",
      "http-port = 8070",
      "options.workers = ${tuning:workers}",
      "",
      "[tuning]",
      "workers = 4",
      "limit = ${tuning:workers}00",
      "",
    );
  }
  return out.join("\n");
}

/** Generates (or reuses) a buildout; returns the path of its top configuration file. */
export async function buildout({ depth, addons }) {
  const { dir, reused } = await cachedDir(`buildout-v${BUILDOUT_VERSION}-d${depth}-a${addons}`, (target) => {
    const perLevel = Math.ceil(addons / depth);
    for (let level = 0; level < depth; level += 1) {
      const lines = [];
      for (let index = level * perLevel; index < Math.min(addons, (level + 1) * perLevel); index += 1) lines.push(addonLine(index));
      const extraBase = level === 2 && depth > 2;
      const name = level === depth - 1 ? "buildout.cfg" : `level${level}.cfg`;
      writeFileSync(join(target, name), levelFile(level, depth, lines, extraBase));
    }
    writeFileSync(
      join(target, "common.cfg"),
      [
        "[db]",
        "user = odoo",
        "password = ${db:user}",
        "",
        "[tools]",
        "backup-dir = ${buildout:directory}/backups/${db:name}",
        "log = ${buildout:directory}/var/log/${customer:name}.log",
        "",
      ].join("\n"),
    );
  });
  return { dir, reused, config: join(dir, "buildout.cfg"), depth, addons };
}

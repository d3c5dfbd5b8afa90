// What the example farm's repositories hold: each repository's history as steps on a History
// (branches, files, commits, tags), written by farm.mjs into a bare repository.

/** Public-looking URL of each forge repository, as buildouts and the manifest name it. */
export const URLS = {
  odoo: "https://github.com/odoo/odoo.git",
  web: "https://github.com/OCA/web.git",
  serverTools: "https://github.com/OCA/server-tools.git",
  reporting: "https://github.com/OCA/reporting-engine.git",
  acmeAddons: "https://git.acme.example/acme/acme-addons.git",
  acmeTools: "https://git.acme.example/acme/acme-tools.git",
  buildouts: "https://git.acme.example/acme/buildouts.git",
  specs: "https://hg.acme.example/acme-specs",
  docker: "https://git.acme.example/acme/odoo-docker.git",
};

export const FROZEN_TAG = "acme-11.0-2026.11";

const manifest = (name, version) =>
  `{\n    "name": "${name}",\n    "version": "${version}",\n    "license": "AGPL-3",\n    "depends": ["base"],\n    "installable": True,\n}\n`;

const BUILDOUT_IGNORE = "/bin/\n/parts/\n/eggs/\n/develop-eggs/\n/src/\n/oca/\n/acme/\n/.installed.cfg\n";

/** The base.cfg every buildout of a series extends. */
const baseCfg = (series, serverTools) => `[buildout]
parts = odoo
versions = versions
extensions = gp.vcsdevelop
develop-dir = src
vcs-extend-develop = git+${URLS.acmeTools}@1.4.0#egg=acme-tools

[odoo]
recipe = anybox.recipe.odoo:server
version = git ${URLS.odoo} odoo ${series}
addons = git ${URLS.web} oca/web ${series}
         git ${URLS.serverTools} oca/server-tools ${serverTools}
         local addons-local
eggs = acme-tools
options.workers = 2
options.without_demo = all

[versions]
zc.buildout = 2.13.8
setuptools = 44.1.1
`;

/** An Odoo-like series: core files, then a fix per branch. */
export function odooSteps(repo) {
  repo.branch("9.0");
  repo.files({
    "openerp-server": "#!/usr/bin/env python\nimport openerp\nopenerp.cli.main()\n",
    "setup.py": "from setuptools import setup\nsetup(name='odoo', version='9.0')\n",
    "openerp/release.py": "version_info = (9, 0, 0, 'final', 0, '')\n",
    "openerp/addons/base/__openerp__.py": manifest("Base", "9.0.1.3"),
  });
  repo.commit("[REL] 9.0");
  repo.branch("10.0", null);
  repo.files({
    "odoo-bin": "#!/usr/bin/env python\nimport odoo\nodoo.cli.main()\n",
    "setup.py": "from setuptools import setup\nsetup(name='odoo', version='10.0')\n",
    "odoo/release.py": "version_info = (10, 0, 0, 'final', 0, '')\n",
    "addons/base/__manifest__.py": manifest("Base", "10.0.1.3"),
  });
  repo.commit("[REL] 10.0");
  repo.files({ "odoo/release.py": "version_info = (10, 0, 0, 'final', 0, '')\n# 20261101\n" });
  repo.commit("[FIX] base: access rights of res.partner");
  repo.branch("11.0");
  repo.files({
    "setup.py": "from setuptools import setup\nsetup(name='odoo', version='11.0')\n",
    "odoo/release.py": "version_info = (11, 0, 0, 'final', 0, '')\n",
    "addons/base/__manifest__.py": manifest("Base", "11.0.1.3"),
  });
  const validated11 = repo.commit("[REL] 11.0");
  repo.files({ "addons/base/models/res_partner.py": "# 11.0 fix\n" });
  repo.commit("[FIX] base: partner display name");
  return { validated11 };
}

/** An OCA-like addons repository: a module per series, a release tag on one of them. */
export function ocaSteps(module, tagOn) {
  return (repo) => {
    const commits = {};
    repo.branch("9.0");
    repo.files({ [`${module}/__openerp__.py`]: manifest(module, "9.0.1.0.0"), "README.md": `# ${module}\n` });
    commits["9.0"] = repo.commit(`[ADD] ${module} 9.0`);
    repo.branch("10.0", null);
    repo.files({ [`${module}/__manifest__.py`]: manifest(module, "10.0.1.0.0"), "README.md": `# ${module}\n` });
    commits["10.0"] = repo.commit(`[ADD] ${module} 10.0`);
    if (tagOn === "10.0") repo.tag("10.0.1.2.0");
    repo.files({ [`${module}/__manifest__.py`]: manifest(module, "10.0.1.2.1") });
    commits["10.0-next"] = repo.commit(`[FIX] ${module}: 10.0 maintenance`);
    repo.branch("11.0");
    repo.files({ [`${module}/__manifest__.py`]: manifest(module, "11.0.1.0.0") });
    commits["11.0"] = repo.commit(`[MIG] ${module}: migration to 11.0`);
    if (tagOn === "11.0") repo.tag("11.0.2.0.0");
    return { commits };
  };
}

export function acmeAddonsSteps(repo) {
  repo.branch("11.0");
  repo.files({ "acme_sale/__manifest__.py": manifest("acme_sale", "11.0.3.0.0") });
  repo.commit("[ADD] acme_sale");
  repo.tag("11.0.3.0");
  repo.files({ "acme_invoice_layout/__manifest__.py": manifest("acme_invoice_layout", "11.0.1.0.0") });
  repo.commit("[ADD] acme_invoice_layout");
  return {};
}

export function acmeToolsSteps(repo) {
  repo.branch("master");
  repo.files({
    "setup.py": "from setuptools import setup\nsetup(name='acme-tools', version='1.4.0', packages=['acme_tools'])\n",
    "acme_tools/__init__.py": "",
  });
  repo.commit("acme-tools 1.4.0");
  repo.tag("1.4.0");
  repo.files({ "acme_tools/cli.py": "def main():\n    pass\n" });
  repo.commit("acme-tools: a command line");
  return {};
}

/** The buildouts, one repository with a branch per series, as farms usually keep them. */
export function buildoutSteps(pins) {
  return (repo) => {
    repo.branch("9.0");
    repo.files({
      ".gitignore": BUILDOUT_IGNORE,
      "odoo-9.cfg": `[buildout]
parts = openerp
versions = versions

[openerp]
recipe = anybox.recipe.odoo:server
version = git ${URLS.odoo} openerp 9.0
addons = git ${URLS.web} oca/web 9.0

[versions]
zc.buildout = 2.5.3
`,
    });
    repo.commit("9.0 buildout");

    repo.branch("10.0", null);
    repo.files({
      ".gitignore": BUILDOUT_IGNORE,
      "base.cfg": baseCfg("10.0", "10.0.1.2.0"),
      "odoo-10.cfg": `[buildout]
extends = base.cfg

[odoo]
addons += git ${URLS.reporting} oca/reporting-engine 10.0
; reporting-engine 10.0 broke the invoice report: stay on the last good commit
revisions = oca/reporting-engine ${pins.reporting10}
`,
      "addons-local/README.txt": "Modules developed in this buildout.\n",
    });
    repo.commit("10.0 buildout");

    repo.branch("11.0");
    repo.files({
      "base.cfg": baseCfg("11.0", "11.0"),
      "odoo-11.cfg": `[buildout]
extends = base.cfg
`,
      "acme.cfg": `[buildout]
extends = odoo-11.cfg
; the customer's tools follow their main branch
vcs-extend-develop = git+${URLS.acmeTools}#egg=acme-tools

[odoo]
addons += git ${URLS.acmeAddons} acme 11.0
; Odoo core validated by the customer on this commit
revisions = ${pins.odoo11}
options.dbfilter = ^acme.*$
`,
    });
    repo.commit("11.0 buildouts: community and ACME");

    // The production release: a tag on a commit of its own, everything pinned.
    repo.branch("release/2026.11");
    repo.files({
      "acme.cfg": `[buildout]
extends = odoo-11.cfg
vcs-extend-develop = git+${URLS.acmeTools}@1.4.0#egg=acme-tools

[odoo]
addons += git ${URLS.acmeAddons} acme 11.0.3.0
revisions = ${pins.odoo11}
`,
    });
    repo.commit("Freeze ACME production 2026.11");
    repo.tag(FROZEN_TAG);
    return {};
  };
}

/**
 * A doodba-style project (Docker images built from git-aggregator's repos.yaml): the core and
 * OCA web on their branch with a pull request merged on top, server-tools held on a commit.
 */
export function dockerSteps(pins) {
  return (repo) => {
    repo.branch("11.0");
    repo.files({
      "odoo/custom/src/repos.yaml": `# git-aggregator, run by doodba at image build time (gitaggregate --expand-env)
./odoo:
  defaults:
    depth: $DEPTH_DEFAULT
  remotes:
    odoo: ${URLS.odoo}
  target: odoo $ODOO_VERSION
  merges:
    - odoo $ODOO_VERSION
web:
  defaults:
    # a PR needs history to merge
    depth: $DEPTH_MERGE
  remotes:
    oca: ${URLS.web}
  target: oca $ODOO_VERSION
  merges:
    - oca $ODOO_VERSION
    # web_responsive: fix the apps menu on phones (not merged upstream yet)
    - oca refs/pull/7/head
server-tools:
  remotes:
    oca: ${URLS.serverTools}
  target: oca $ODOO_VERSION
  merges:
    # the last commit our base_technical_user works with
    - {remote: oca, ref: ${pins.serverTools11}}
`,
      "odoo/custom/src/addons.yaml": "web:\n  - web_responsive\nserver-tools:\n  - base_technical_user\n",
      ".env": "ODOO_VERSION=11.0\nDEPTH_DEFAULT=1\nDEPTH_MERGE=100\n",
    });
    repo.commit("doodba project for ACME 11.0");
    return {};
  };
}

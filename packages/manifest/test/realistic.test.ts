import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { safeBuilderFileName } from "@autowatch/watchfile/text";
import { readManifests, type BuildFactory } from "../src/index.js";
import { pythonConfigParser } from "./python.js";

const dir = fileURLToPath(new URL("./fixtures/realistic/", import.meta.url));
const manifest = `${dir}MANIFEST.cfg`;
const broken = `${dir}broken.cfg`;

function byName(factories: BuildFactory[]): Map<string, BuildFactory> {
  return new Map(factories.map((f) => [f.name, f]));
}

describe("a realistic manifest", async () => {
  const result = await readManifests([manifest]);
  const factories = byName(result.factories);
  const get = (name: string) => {
    const found = factories.get(name);
    if (!found) throw new Error(`no factory ${name}`);
    return found;
  };

  it("reads 30+ sections without a problem", () => {
    expect(result.problems).toEqual([]);
    expect(result.factories.length).toBeGreaterThanOrEqual(30);
    expect(result.factories[0]?.name).toBe("odoo-base");
    expect(result.factories.at(-1)?.name).toBe("release-manual");
  });

  it("uses every buildout type", () => {
    const types = new Set(result.factories.map((f) => f.buildout?.type));
    expect([...types].sort()).toEqual(["bzr", "git", "gittag", "hg", "hgtag", "standalone"]);
  });

  it("resolves inherit chains with interpolation in the child", () => {
    const odoo15 = get("odoo-15.0");
    expect(odoo15.inherits).toEqual(["odoo-14.0", "odoo-13.0", "odoo-base"]);
    expect(odoo15.buildout?.self).toEqual({ vcs: "git", url: "https://git.acme.example/buildouts.git", branch: "15.0" });
    expect(odoo15.buildout?.options).toEqual({ subdir: "buildbot" });
    expect(odoo15.options["build-for"]).toBe("postgresql >= 10");
    expect(odoo15.watches).toMatchObject([{ vcs: "git", url: "https://github.com/odoo/odoo.git", branch: "15.0", line: 14 }]);
    expect(get("odoo-10.0").buildout?.self?.branch).toBe("10.0");
    expect(get("oca-14.0").watches.map((w) => `${w.url} ${w.branch}`)).toEqual([
      "https://github.com/OCA/OCB.git 14.0",
      "https://github.com/OCA/server-tools.git 14.0",
      "https://github.com/OCA/web.git 14.0",
    ]);
    expect(get("oca-16.0").watches.map((w) => w.url)).toEqual(["https://github.com/OCA/OCB.git"]);
    expect(get("hg-addons-12.0").watches).toMatchObject([{ vcs: "hg", branch: "12.0" }]);
    expect(get("demo-nightly").options["post-buildout-steps"]).toBe("standard\nnightly-cleanup");
  });

  it("schedules, auto-watches and freezes as written", () => {
    const summary = (name: string) => {
      const f = get(name);
      return [f.schedule, f.autoWatch, f.autoWatchExplicit, f.buildout?.frozen, f.buildout?.self?.vcs];
    };
    expect(summary("openerp-7.0")).toEqual([true, false, true, false, "bzr"]);
    expect(get("openerp-7.0").watches.map((w) => [w.vcs, w.branch])).toEqual([
      ["bzr", ""],
      ["bzr", ""],
      ["bzr", ""],
    ]);
    expect(summary("svn-legacy")).toEqual([true, false, true, false, undefined]);
    expect(summary("docs")).toEqual([true, true, true, false, undefined]);
    expect(summary("customer-gamma")).toEqual([true, true, true, false, "hg"]);
    expect(summary("release-odoo-16.0")).toEqual([false, false, false, true, undefined]);
    expect(summary("release-odoo-17.0")).toEqual([false, false, false, true, undefined]);
    expect(summary("release-alpha")).toEqual([true, false, false, true, undefined]);
    expect(get("release-alpha").watches).toMatchObject([{ url: "https://git.acme.example/customers/alpha-addons.git", branch: "production" }]);
    expect(summary("release-gamma")).toEqual([true, false, false, true, undefined]);
    expect(summary("release-gamma-watched")).toEqual([true, true, true, true, undefined]);
    expect(summary("release-manual")).toEqual([false, true, false, false, "git"]);
  });

  it("keeps section names as written, with a safe file name", () => {
    expect(get("Customer Delta").buildout?.self?.branch).toBe("main");
    expect(safeBuilderFileName("Customer Delta")).toBe("Customer%20Delta");
  });

  it("agrees with Python's configparser on every section without inherit", () => {
    const python = pythonConfigParser([manifest])[manifest];
    if (!python || "error" in python) throw new Error("Python rejects the realistic manifest");
    let compared = 0;
    for (const f of result.factories) {
      if (f.inherits.length > 0 || f.options.inherit) continue;
      expect(f.options, f.name).toEqual(python.sections[f.name]);
      compared += 1;
    }
    expect(compared).toBeGreaterThanOrEqual(12);
  });

  it("with a second, broken manifest: its problems, attributed; the first definitions win", async () => {
    const both = await readManifests([manifest, broken]);
    expect(both.problems.map((p) => [p.level, p.code, p.file, p.line, p.builder])).toEqual([
      ["error", "manifest.watch.tokens", broken, 6, "odoo-18.0"],
      ["error", "manifest.watch.vcs", broken, 7, "odoo-18.0"],
      ["error", "manifest.section.duplicate", broken, 9, "demo"],
      ["error", "manifest.inherit.unknown", broken, 13, "nightly"],
      ["error", "manifest.auto-watch.invalid", broken, 14, "nightly"],
    ]);
    const merged = byName(both.factories);
    expect(merged.get("demo")?.buildout?.positional).toEqual(["demo.cfg"]);
    // broken.cfg has no DEFAULT: %(github)s comes from MANIFEST.cfg's, through odoo-17.0
    expect(merged.get("odoo-18.0")?.watches).toMatchObject([{ url: "https://github.com/odoo/odoo.git", branch: "18.0", file: broken, line: 5 }]);
    expect(merged.get("odoo-18.0")?.buildout?.self?.branch).toBe("18.0");
    expect(both.factories.length).toBe(result.factories.length + 2);
  });
});

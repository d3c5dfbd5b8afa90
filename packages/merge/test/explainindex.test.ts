import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { explainOne, formatExplanation, runMerge, type BuilderReport, type RunMergeOptions } from "../src/index.js";
import { factoryIndexFile, lookupFactory } from "../src/factoryindex.js";
import { git, NOW, watchFileText } from "./helpers.js";

// explain's fast path (STATE.factories, the sections as the last merge parsed them) against the
// path that reads and parses the manifests again, on one farm: the same answer, every builder,
// before and after the edits that make the index stale or leave it current.
let dir: string;
let options: RunMergeOptions;

const MANIFEST = `[DEFAULT]
auto-watch = true

[base]
buildout = git https://example.com/buildouts.git main buildout.cfg
watch = git https://example.com/shared.git main

[odoo-10.0]
inherit = base
watch = git https://example.com/OCB.git 10.0
tree-stable-timer = 30

[odoo-11.0]
inherit = odoo-10.0
extra = %(nope)s

[forced]
buildout = standalone buildout.cfg
watch =

[loop-a]
inherit = loop-b
buildout = standalone buildout.cfg

[loop-b]
inherit = loop-a
buildout = standalone buildout.cfg

[manual-only]
buildout = standalone buildout.cfg
auto-watch = false
watch = hg https://example.com/hg-repo default
`;

const NAMES = ["base", "odoo-10.0", "odoo-11.0", "forced", "loop-a", "loop-b", "manual-only", "odoo-12.0", "nothing-like-it"];

function upload(builder: string, text: string): void {
  writeFileSync(join(dir, "watch", `${builder}.json`), text);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "autowatch-explainindex-"));
  mkdirSync(join(dir, "watch"));
  writeFileSync(join(dir, "MANIFEST.cfg"), MANIFEST);
  writeFileSync(join(dir, "rewrites.txt"), "https://example.com/OCB.git https://mirror.example/OCB.git\n");
  upload(
    "odoo-10.0",
    watchFileText("odoo-10.0", [
      git("https://example.com/a.git", "10.0", 12),
      git("https://example.com/pinned.git", "0123456789abcdef0123456789abcdef01234567", 14),
    ]),
  );
  upload("odoo-11.0", watchFileText("odoo-11.0", [git("https://example.com/b.git", "11.0")]));
  upload("base", watchFileText("base", [git("ext::sh -c evil", "main")]));
  options = {
    manifests: [join(dir, "MANIFEST.cfg")],
    watchDir: join(dir, "watch"),
    output: join(dir, "state.json"),
    rewriteFiles: [join(dir, "rewrites.txt")],
    now: NOW,
  };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Both paths for every name: equal answers; returns where the default one came from. */
async function compareAll(explainOptions: RunMergeOptions = options): Promise<Set<string>> {
  const from = new Set<string>();
  for (const name of NAMES) {
    const fast = await explainOne({ ...explainOptions, readOnly: true }, name);
    const slow = await explainOne({ ...explainOptions, readOnly: true }, name, { index: false });
    expect(slow.from).toBe("merge");
    expect(comparable(fast), name).toEqual(comparable(slow));
    expect(formatExplanation(fast.explanation)).toBe(formatExplanation(slow.explanation));
    from.add(fast.from);
  }
  return from;
}

function comparable(report: BuilderReport): unknown {
  const { from: _from, ...rest } = report;
  return JSON.parse(JSON.stringify(rest));
}

describe("explain from STATE.factories vs from the manifests", () => {
  it("gives the same answer for every builder and unknown names, from the state after a merge", async () => {
    expect(await compareAll()).toEqual(new Set(["merge"]));
    await runMerge(options);
    expect(await compareAll()).toEqual(new Set(["state"]));
    // the answer is a real one: inherited manual watches, rewrite rules, close names
    const report = await explainOne({ ...options, readOnly: true }, "odoo-11.0");
    expect(report.from).toBe("state");
    expect(formatExplanation(report.explanation)).toContain("manual: watch line at");
    expect(formatExplanation(report.explanation)).toContain("https://mirror.example/OCB.git branch 10.0 (rewritten from https://example.com/OCB.git)");
    const unknown = await explainOne({ ...options, readOnly: true }, "odoo-12.0");
    expect(unknown.explanation).toMatchObject({ found: false, suggestions: expect.arrayContaining(["odoo-10.0"]) });
  });

  it("falls back to the manifests when one is edited, and agrees", async () => {
    await runMerge(options);
    appendFileSync(join(dir, "MANIFEST.cfg"), "\n[odoo-12.0]\ninherit = odoo-10.0\n");
    expect(await compareAll()).toEqual(new Set(["merge"]));
    const report = await explainOne({ ...options, readOnly: true }, "odoo-12.0");
    expect(report.explanation.found).toBe(true);
    // the next merge makes the index current again
    await runMerge(options);
    expect(await compareAll()).toEqual(new Set(["state"]));
  });

  it("falls back when the manifest is replaced by one with the same size and time stamps (another inode)", async () => {
    await runMerge(options);
    const text = readFileSync(join(dir, "MANIFEST.cfg"), "utf8").replace("10.0\ntree", "9.00\ntree");
    writeFileSync(join(dir, "MANIFEST.new"), text);
    const { renameSync } = await import("node:fs");
    renameSync(join(dir, "MANIFEST.new"), join(dir, "MANIFEST.cfg"));
    expect(await compareAll()).toEqual(new Set(["merge"]));
  });

  it("stays on the state, and agrees, when a watch file is rewritten or removed (read afresh either way)", async () => {
    await runMerge(options);
    upload("odoo-10.0", watchFileText("odoo-10.0", [git("https://example.com/c.git", "10.0-fix")]));
    upload("odoo-11.0", "{ truncated");
    rmSync(join(dir, "watch", "base.json"));
    expect(await compareAll()).toEqual(new Set(["state"]));
    const report = await explainOne({ ...options, readOnly: true }, "odoo-10.0");
    expect(formatExplanation(report.explanation)).toContain("https://example.com/c.git branch 10.0-fix");
  });

  it("stays on the state, and agrees, when explain's other flags differ from the merge's", async () => {
    await runMerge(options);
    expect(await compareAll({ ...options, rewriteFiles: [], rewrite: ["https://example.com/=https://other.example/"] })).toEqual(new Set(["state"]));
    expect(await compareAll({ ...options, allowHosts: ["mirror.example"] })).toEqual(new Set(["state"]));
    writeFileSync(join(dir, "rewrites.txt"), "https://example.com/ https://third.example/\n");
    expect(await compareAll()).toEqual(new Set(["state"]));
  });

  it("falls back when explain is given other manifests than the merge", async () => {
    await runMerge(options);
    writeFileSync(join(dir, "more.cfg"), "[more]\nbuildout = standalone buildout.cfg\n");
    expect(await compareAll({ ...options, manifests: [join(dir, "MANIFEST.cfg"), join(dir, "more.cfg")] })).toEqual(new Set(["merge"]));
  });

  it("falls back on a torn or forged index: a digest that differs within the racy window, a cut file", async () => {
    await runMerge(options);
    const file = factoryIndexFile(options.output!);
    const text = readFileSync(file, "utf8");
    const head = JSON.parse(text.slice(0, text.indexOf("\n")));
    // the manifest was just written: within the racy window its content is compared
    expect(Number(head.manifests[0].stamp.split(":")[4]) + 2000 >= head.stampedMs).toBe(true);
    head.manifests[0].sha256 = "AAAA";
    writeFileSync(file, `${JSON.stringify(head)}${text.slice(text.indexOf("\n"))}`);
    expect(await compareAll()).toEqual(new Set(["merge"]));
    writeFileSync(file, text.slice(0, text.length - 10));
    expect(await compareAll()).toEqual(new Set(["merge"]));
    writeFileSync(file, text);
    expect(await compareAll()).toEqual(new Set(["state"]));
  });

  it("a merge that refuses the manifests leaves the index, which explain then does not use", async () => {
    await runMerge(options);
    appendFileSync(join(dir, "MANIFEST.cfg"), "[broken\n");
    await expect(runMerge(options)).rejects.toThrow(/ConfigParser would refuse/);
    await expect(explainOne({ ...options, readOnly: true }, "odoo-10.0")).rejects.toThrow(/ConfigParser would refuse/);
  });

  it("finds every builder of a larger farm by its name (binary search of the sorted lines), and none that is not there", async () => {
    // names of every length and some non-ASCII, long sections: lines span several 4 KB reads
    const names = Array.from({ length: 400 }, (_, index) => `${"b".repeat(index % 7)}ü${index.toString(36)}-${index % 3 === 0 ? "é" : "z"}`);
    const long = "x".repeat(5000);
    writeFileSync(
      join(dir, "MANIFEST.cfg"),
      names.map((name, index) => `[${name}]\nbuildout = standalone buildout.cfg\nnote = ${index % 50 === 0 ? long : index}\n`).join("\n"),
    );
    await runMerge(options);
    const file = factoryIndexFile(options.output!);
    for (const name of names) {
      const found = lookupFactory(file, options.manifests as string[], name);
      expect(found?.found && found.manifests.factories[0]!.name, name).toBe(name);
    }
    for (const name of ["", "a", "zzzz", "ü", names[5]!.slice(0, -1)]) {
      const lookup = lookupFactory(file, options.manifests as string[], name);
      expect(lookup, name).toEqual({ found: false, names });
    }
  });
});

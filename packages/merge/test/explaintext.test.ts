import { describe, expect, it } from "vitest";
import { explainBuilder, formatExplanation, type BuilderReport, type MergeInput } from "../src/index.js";
import { NOW, factory, fileInput, git, watchFileText } from "./helpers.js";

const OCB = "https://github.com/OCA/OCB.git";

const input: MergeInput = {
  factories: [factory("odoo-10.0", { manual: [{ vcs: "git", url: OCB, branch: "10.0" }] }), factory("odoo-11.0")],
  watchFiles: new Map([["odoo-10.0", fileInput("odoo-10.0", watchFileText("odoo-10.0", [git(OCB, "10.0-fix", 12)]))]]),
  now: NOW,
};

// `autowatch explain` prints this text through the CLI's style (packages/cli/test/explain.test.ts)
describe("formatExplanation, the one text of explain", () => {
  it("says why a builder watches each branch", () => {
    expect(formatExplanation(explainBuilder(input, "odoo-10.0"))).toBe(
      [
        'builder "odoo-10.0" (MANIFEST.cfg:1): scheduled by commits, auto-watch on',
        "watch file: watch/odoo-10.0.json (accepted)",
        "watches 2 branches:",
        "  git https://github.com/OCA/OCB.git branch 10.0",
        "    manual: watch line at MANIFEST.cfg:10",
        "  git https://github.com/OCA/OCB.git branch 10.0-fix",
        '    auto: watch file watch/odoo-10.0.json, declared at "buildout.cfg":12',
        "",
      ].join("\n"),
    );
  });

  it("adds what a BuilderReport knows, shown through the style", () => {
    const explanation = explainBuilder(input, "odoo-11.0");
    const report: BuilderReport = {
      explanation,
      pinned: [{ vcs: "git", url: OCB, revspec: "v1", why: "tag" }],
      watchFileTime: new Date(NOW.getTime() - 3 * 3600_000),
      problems: [{ level: "warning", code: "merge.rewrite.invalid", message: "bad rule", file: "/farm/rewrite.txt", line: 2 }],
      from: "merge",
    };
    const text = formatExplanation(report, { path: (file) => `<${file}>`, problems: (list) => list.map((p) => `[${p.code}]`), now: NOW });
    expect(text.split("\n")).toEqual([
      'builder "odoo-11.0" (<MANIFEST.cfg>:1): scheduled by commits, but no commit can trigger it, auto-watch on',
      `watch file: <odoo-11.0.json> (not uploaded yet), written ${report.watchFileTime!.toISOString().replace(/\.\d+Z$/, "Z")} (3 hours ago)`,
      "watches nothing:",
      "  - no manual `watch` line and no buildout of its own to watch",
      "  - no watch file yet (odoo-11.0.json)",
      "pinned, not watched (1 source):",
      "  git https://github.com/OCA/OCB.git at v1: a tag (a release never moves)",
      "2 problems:",
      "  [merge.watchfile.missing]",
      "  [merge.rewrite.invalid]",
      "",
    ]);
    // the same explanation alone: no age, no pins, no operator problems
    expect(formatExplanation(explanation).split("\n")).toEqual([
      'builder "odoo-11.0" (MANIFEST.cfg:1): scheduled by commits, but no commit can trigger it, auto-watch on',
      "watch file: odoo-11.0.json (not uploaded yet)",
      "watches nothing:",
      "  - no manual `watch` line and no buildout of its own to watch",
      "  - no watch file yet (odoo-11.0.json)",
      "1 problem:",
      "  info odoo-11.0.json: no watch file yet: only manual and buildout watches",
      "",
    ]);
  });

  it("names close builders for an unknown one", () => {
    expect(formatExplanation(explainBuilder(input, "odoo-12.0"))).toBe('unknown builder "odoo-12.0"; did you mean "odoo-10.0" or "odoo-11.0"?\n');
  });
});

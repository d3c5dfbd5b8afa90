#!/usr/bin/env node
// Runs every test once (vitest, all packages) and ends the output with one plain summary
// line, `tests: N passed, N failed, N skipped`, which CI reads.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import process from "node:process";

const root = new URL("..", import.meta.url).pathname;
const report = `${root}.vitest-results.json`;
rmSync(report, { force: true });
const result = spawnSync("pnpm", ["exec", "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, CI: process.env.CI ?? "true" },
});
let summary = "tests: 0 passed, 1 failed (vitest wrote no report)";
try {
  const json = JSON.parse(readFileSync(report, "utf8"));
  summary = `tests: ${json.numPassedTests} passed, ${json.numFailedTests} failed, ${json.numPendingTests + json.numTodoTests} skipped`;
  // a file can fail outside any test (a hook, an import): say so, the counts alone would not
  const brokenFiles = json.testResults.filter((file) => file.status === "failed" && file.assertionResults.every((test) => test.status !== "failed")).length;
  if (brokenFiles > 0) summary += `, ${brokenFiles} test file${brokenFiles === 1 ? "" : "s"} failed outside tests`;
} catch {
  // keep the failure summary
}
console.log(summary);
process.exit(result.status ?? 1);

// Runs the README's `npm run example` job (examples/farm/run.mjs) on the built CLI, in a
// temporary work directory: every step must run and the farm's own check must pass.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parseState } from "@autowatch/watchfile";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "autowatch-example-"));

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the example farm", () => {
  it("introspects every worker, merges, explains, and watches what the farm says", async () => {
    const cli = join(root, "packages/cli/dist/index.js");
    if (!existsSync(cli)) throw new Error("packages/cli/dist is missing; run `pnpm exec turbo run build` first");
    let stdout = "";
    try {
      ({ stdout } = await run(process.execPath, [join(root, "examples/farm/run.mjs")], {
        cwd: root,
        timeout: 170_000,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, AUTOWATCH_EXAMPLE_WORK: work },
      }));
    } catch (error) {
      const failure = error as { code?: number; stdout?: string; stderr?: string };
      throw new Error(`run.mjs exited ${failure.code}\n${failure.stdout ?? ""}\n${failure.stderr ?? ""}`);
    }
    expect(stdout).toMatch(/ok: 8 builders watch exactly what their buildouts and the manifest say/);
    const state = parseState(readFileSync(join(work, "master/state.json")));
    if (!state.ok) throw new Error(JSON.stringify(state.problems));
    expect(Object.keys(state.value.builders).sort()).toEqual([
      "acme-11.0",
      "acme-11.0-prod",
      "acme-11.0-release",
      "acme-docker-11.0",
      "acme-pip-11.0",
      "odoo-10.0",
      "odoo-11.0",
      "odoo-9.0",
    ]);
    expect(state.value.builders["acme-11.0-release"]?.schedule).toBe(false);
    expect(state.value.builders["acme-11.0-prod"]?.autoWatch).toBe(false);
    // the doodba worker's repos.yaml: the pull request merged on web is watched as such
    expect(state.value.builders["acme-docker-11.0"]?.watches.map((watch) => watch.branch)).toContain("refs/pull/7/head");
    expect(state.value.problems.map((problem) => problem.builder)).toEqual(["odoo-9.0"]);
  }, 180_000);
});

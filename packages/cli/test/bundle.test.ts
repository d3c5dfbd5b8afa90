import { execFile, spawn } from "node:child_process";
import { builtinModules } from "node:module";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The single-file CLI that workers download: it must run from anywhere with Node alone.
const BUNDLE = fileURLToPath(new URL("../dist/autowatch.mjs", import.meta.url));
const HELPER = fileURLToPath(new URL("../dist/autowatch_buildbot.py", import.meta.url));
const { version } = JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8")) as { version: string };

describe("dist/autowatch.mjs, the single-file CLI", () => {
  const root = mkdtempSync(join(tmpdir(), "autowatch-bundle-"));
  const copy = join(root, "autowatch.mjs");
  // nothing to resolve packages from: no node_modules here or above, no NODE_PATH
  const run = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(process.execPath, [copy, ...args], { cwd: root, env: { PATH: process.env.PATH, LANG: "C" }, timeout: 30_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
      );
    });

  beforeAll(() => {
    if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: build the cli package first (pnpm exec turbo run build --filter @autowatch/cli)`);
    copyFileSync(BUNDLE, copy);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("is one ES module that imports only Node built-ins", () => {
    const text = readFileSync(BUNDLE, "utf8");
    const specifiers = [...text.matchAll(/(?:^|\n)\s*import\s[^;]*?from\s+"([^"]+)"/g), ...text.matchAll(/\bimport\("([^"]+)"\)/g)].map((m) => m[1]!);
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((s) => !s.startsWith("node:") && !builtinModules.includes(s))).toEqual([]);
    expect(text).not.toMatch(/require\("(?!node:)[^"]*\/[^"]*"\)/); // no relative or package require left
  });

  it("--version", async () => {
    const result = await run(["--version"]);
    expect(result).toMatchObject({ code: 0, stdout: `autowatch ${version}\n` });
  });

  it("buildbot-helper prints the module inlined at build time", async () => {
    const result = await run(["buildbot-helper"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(readFileSync(HELPER, "utf8"));
  });

  it("merge runs for real: manifests and watch files in, state out", async () => {
    mkdirSync(join(root, "watch"));
    writeFileSync(join(root, "MANIFEST.cfg"), "[app]\nwatch = git https://example.com/core.git main\n");
    writeFileSync(
      join(root, "watch", "app.json"),
      JSON.stringify({ schema: "autowatch.watchfile/2", builder: "app", watches: [{ vcs: "git", url: "https://example.com/dep.git", revspec: "17.0" }] }),
    );
    const result = await run(["merge", "--manifest", "MANIFEST.cfg", "--watch-dir", "watch", "-o", "state.json"]);
    expect(result.code, result.stderr).toBe(0);
    const state = JSON.parse(readFileSync(join(root, "state.json"), "utf8")) as { pollers: { url: string; branches: string[] }[] };
    expect(state.pollers.map((p) => [p.url, p.branches])).toEqual([
      ["https://example.com/core.git", ["main"]],
      ["https://example.com/dep.git", ["17.0"]],
    ]);
  });

  it("merge --follow re-merges on upload, runs the reconfig command, and exits 0 on SIGTERM", async () => {
    mkdirSync(join(root, "follow-watch"));
    writeFileSync(join(root, "FOLLOW.cfg"), "[app]\n");
    const child = spawn(
      process.execPath,
      [
        copy,
        "merge",
        "--follow",
        "--manifest",
        "FOLLOW.cfg",
        "--watch-dir",
        "follow-watch",
        "-o",
        "follow-state.json",
        "--debounce",
        "200",
        "--reconfig",
        "echo reconfig >> reconfigs.log",
      ],
      { cwd: root, env: { PATH: process.env.PATH, LANG: "C" }, stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    const until = async (what: string, probe: () => boolean) => {
      const deadline = Date.now() + 20_000;
      while (!probe()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      await until("the first merge", () => stderr.includes("re-merged:"));
      writeFileSync(
        join(root, "follow-watch", "app.json"),
        JSON.stringify({ schema: "autowatch.watchfile/2", builder: "app", watches: [{ vcs: "git", url: "https://example.com/dep.git", revspec: "main" }] }),
      );
      await until(
        "the reconfig after the upload",
        () => existsSync(join(root, "reconfigs.log")) && readFileSync(join(root, "reconfigs.log"), "utf8").split("\n").filter(Boolean).length === 2,
      );
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(stderr).toMatch(/stopped\n$/);
    } finally {
      child.kill("SIGKILL");
    }
  });
});

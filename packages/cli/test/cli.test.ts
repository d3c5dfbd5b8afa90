import { describe, expect, it } from "vitest";
import { runCli } from "./support.js";

describe("autowatch (top level)", () => {
  it("--help exits 0 and lists the commands", async () => {
    const run = await runCli(["--help"]);
    expect(run.code).toBe(0);
    for (const name of ["introspect", "resolve", "merge", "explain", "check", "buildbot-helper"]) {
      expect(run.stdout).toContain(name);
    }
  });
  it("--version exits 0", async () => {
    const run = await runCli(["--version"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^autowatch \S+/);
  });
  it("an unknown command prints the usage and exits 2", async () => {
    const run = await runCli(["frobnicate"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command");
    expect(run.stderr).toContain("Usage: autowatch");
  });
  it("no command prints the usage and exits 2", async () => {
    const run = await runCli([]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Usage: autowatch");
  });
});

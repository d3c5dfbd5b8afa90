import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { classifySources } from "../src/classify/index.js";
import { introspectFiles } from "../src/introspect.js";
import { tempDir, vcsEnv } from "./support.js";

// Problems whose kind no other test names: each by its code, with the place it points at.

describe("pip and git-aggregator codes", () => {
  const dir = tempDir();
  afterAll(() => dir.remove());
  mkdirSync(path.join(dir.path, "local"));
  const pip = async (text: string) => {
    writeFileSync(path.join(dir.path, "requirements.txt"), text);
    return introspectFiles({ files: [{ format: "pip", file: "requirements.txt" }], cwd: dir.path, env: vcsEnv });
  };

  it("a requirements file that cannot be opened, one that includes itself, a local project, a URL include", async () => {
    const missing = await introspectFiles({ files: [{ format: "pip", file: "nope.txt" }], cwd: dir.path, env: vcsEnv });
    expect(missing.ok || missing.error).toMatchObject({ level: "error", code: "introspect.pip.read" });
    const result = await pip("-r requirements.txt\n-e ./local\n-r https://example.com/more.txt\n-r absent.txt\n");
    if (!result.ok) throw new Error(result.error.message);
    expect(result.problems.map((p) => [p.level, p.code, p.line])).toEqual([
      ["info", "introspect.pip.local", 2],
      ["error", "introspect.pip.recursion", 1],
      ["warning", "introspect.pip.remote", 3],
      ["error", "introspect.pip.read", 4],
    ]);
  });

  it("a git-aggregator file that cannot be read", async () => {
    const result = await introspectFiles({ files: [{ format: "git-aggregator", file: "repos.yaml" }], cwd: dir.path, env: vcsEnv });
    expect(result.ok || result.error).toMatchObject({ level: "error", code: "introspect.aggregator.read" });
  });

  it("an hg tip, classified without a checkout: unverified, and ambiguous", async () => {
    const origin = { file: path.join(dir.path, "buildout.cfg"), line: 3 };
    const result = await classifySources([{ kind: "addons", vcs: "hg", url: "https://hg.example.org/x", revision: "tip", checkout: undefined, origin }], {
      directory: dir.path,
      buildoutRepository: false,
    });
    expect(result.watches.map((w) => w.revspec)).toEqual(["default"]);
    expect(result.problems.map((p) => [p.level, p.code, p.line])).toEqual([
      ["warning", "introspect.revision.unverified", 3],
      ["warning", "introspect.revision.ambiguous", 3],
    ]);
  });
});

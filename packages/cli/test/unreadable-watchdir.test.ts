import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Root reads any directory: the unreadable case runs the built binary as `nobody` (setpriv).
const root = fileURLToPath(new URL("../../../", import.meta.url));
const bin = join(root, "packages/cli/dist/index.js");
const canDrop = process.getuid?.() === 0 && spawnSync("setpriv", ["--version"]).status === 0;

describe("an unreadable watch directory (built binary, run as nobody)", () => {
  it.skipIf(!canDrop)("is a configuration error: exit 1, no state written", () => {
    if (!existsSync(bin)) throw new Error(`not built: ${bin}; run \`pnpm exec turbo run build --filter @autowatch/cli...\` first`);
    const dir = mkdtempSync(join(tmpdir(), "autowatch-unreadable-"));
    try {
      chmodSync(dir, 0o777);
      writeFileSync(join(dir, "MANIFEST.cfg"), "[app]\n", { mode: 0o644 });
      mkdirSync(join(dir, "watch"));
      writeFileSync(join(dir, "watch", "app.json"), "[]");
      chmodSync(join(dir, "watch"), 0o000);
      const run = spawnSync(
        "setpriv",
        ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, bin, "merge", "-m", "MANIFEST.cfg", "--watch-dir", "watch", "-o", "state.json"],
        {
          cwd: dir,
          encoding: "utf8",
          timeout: 30_000,
          env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NO_COLOR: "1", HOME: dir },
        },
      );
      expect([run.status, run.stdout, run.stderr]).toEqual([
        1,
        "",
        "autowatch: watch directory watch cannot be listed (EACCES): nothing written, the previous state is kept\n",
      ]);
      expect(existsSync(join(dir, "state.json"))).toBe(false);
    } finally {
      chmodSync(join(dir, "watch"), 0o755);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

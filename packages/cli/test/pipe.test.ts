/** Standard output closed early (`autowatch merge -o - | head -c 100`): a quiet end, the status a shell expects (issue 16). */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const bin = join(root, "packages/cli/dist/index.js");

describe("autowatch with its standard output closed early", () => {
  const dir = mkdtempSync(join(tmpdir(), "autowatch-pipe-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("merge -o - | head -c 100: exit 141 (128 + SIGPIPE), no stack trace", async () => {
    if (!existsSync(bin)) throw new Error(`not built: ${bin}`);
    mkdirSync(join(dir, "watch"));
    const sections = Array.from({ length: 3000 }, (_, i) => `[b${i}]\nbuildout = standalone b${i}.cfg\nwatch = git https://example.com/r${i}.git main\n`);
    writeFileSync(join(dir, "MANIFEST.cfg"), sections.join(""));
    const child = spawn(process.execPath, [bin, "merge", "--manifest", "MANIFEST.cfg", "--watch-dir", "watch", "-o", "-"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1" },
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    // what `head -c 100` does: read 100 bytes, then close the pipe
    child.stdout.once("data", () => child.stdout.destroy());
    const status = await new Promise<number | null>((done) => child.on("close", (code) => done(code)));
    expect(stderr).not.toMatch(/EPIPE|node:|Error|\n\s+at /);
    expect(status).toBe(141);
  });
});

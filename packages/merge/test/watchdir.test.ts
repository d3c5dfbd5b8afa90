import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MergeSetupError, readWatchDir } from "../src/index.js";
import { readWatchFileSync } from "../src/watchdir.js";

describe("readWatchDir", () => {
  let root: string;
  let dir: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "autowatch-watchdir-"));
    dir = join(root, "watch");
    mkdirSync(dir);
    writeFileSync(join(root, "escape.json"), "[]");
    writeFileSync(join(dir, "ok.json"), "[]");
    writeFileSync(join(dir, "%2E%2E%2Fescape.json"), "[]");
    symlinkSync(join(root, "escape.json"), join(dir, "link.json"));
    writeFileSync(join(dir, "odoo%2D10.0.json"), "[]");
    writeFileSync(join(dir, ".upload.tmp"), "partial");
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("never leaves the directory, follows no symlink, and sorts out the strays", async () => {
    const { files, problems } = await readWatchDir(dir, ["ok", "../escape", "link", "odoo-10.0", "absent"], 1024);
    expect(files.get("ok")).toMatchObject({ bytes: Buffer.from("[]") });
    // "../escape" maps to a name inside the directory, never to the file above it
    expect(files.get("../escape")).toEqual({ file: join(dir, "%2E.%2Fescape.json"), missing: true });
    expect(files.get("link")).toEqual({ file: join(dir, "link.json"), error: "is a symbolic link (refused)", code: "merge.watchfile.symlink" });
    expect(files.get("odoo-10.0")).toEqual({ file: join(dir, "odoo-10.0.json"), missing: true });
    expect(files.get("absent")).toEqual({ file: join(dir, "absent.json"), missing: true });
    // a stray decoding to a known builder is reported here; other strays go to the merge
    expect(problems).toEqual([
      {
        level: "warning",
        code: "merge.watchfile.stray",
        file: join(dir, "%2E%2E%2Fescape.json"),
        message: 'file "%2E%2E%2Fescape.json" is no builder\'s watch file: ignored',
      },
      {
        level: "warning",
        code: "merge.watchfile.stray",
        file: join(dir, "odoo%2D10.0.json"),
        message: 'file "odoo%2D10.0.json" is no builder\'s watch file: ignored',
      },
    ]);
    expect(files.get("../escape")).not.toHaveProperty("bytes");
    expect(files.get("%2E%2E%2Fescape")).toBeUndefined();
  });

  it('a directory that is missing or no directory is a configuration error (issue 11), not "no uploads yet"', async () => {
    await expect(readWatchDir(join(root, "nope"), ["ok"], 1024)).rejects.toThrow(MergeSetupError);
    await expect(readWatchDir(join(root, "nope"), ["ok"], 1024)).rejects.toThrow(/watch directory \S*nope does not exist/);
    await expect(readWatchDir(join(dir, "ok.json"), ["ok"], 1024)).rejects.toThrow(/is not a directory/);
  });

  it("reads at most maxBytes + 1 bytes into a reused buffer, and hands out a copy", () => {
    writeFileSync(join(root, "exact.json"), "x".repeat(16));
    writeFileSync(join(root, "over.json"), "y".repeat(17));
    writeFileSync(join(root, "empty.json"), "");
    const exact = readWatchFileSync(join(root, "exact.json"), 16);
    expect(exact).toEqual({ file: join(root, "exact.json"), bytes: Buffer.from("x".repeat(16)) });
    expect(readWatchFileSync(join(root, "over.json"), 16)).toEqual({
      file: join(root, "over.json"),
      error: "file over the size limit (more than 16 bytes)",
      code: "merge.watchfile.size",
    });
    // the next read reuses the scratch buffer: the first file's bytes must not change
    expect(Buffer.from((exact as { bytes: Uint8Array }).bytes).toString()).toBe("x".repeat(16));
    expect(readWatchFileSync(join(root, "empty.json"), 16)).toEqual({ file: join(root, "empty.json"), bytes: Buffer.alloc(0) });
  });

  it("refuses what was swapped in after the listing: directory, FIFO, symlink", () => {
    mkdirSync(join(root, "dir.json"));
    execFileSync("mkfifo", [join(root, "fifo.json")]);
    symlinkSync(join(root, "exact.json"), join(root, "swapped.json"));
    expect(readWatchFileSync(join(root, "dir.json"), 16)).toMatchObject({ error: "is a directory, not a file", code: "merge.watchfile.not-regular" });
    // O_NONBLOCK: no writer, no wait
    expect(readWatchFileSync(join(root, "fifo.json"), 16)).toMatchObject({
      error: "is not a regular file (FIFO, socket or device)",
      code: "merge.watchfile.not-regular",
    });
    expect(readWatchFileSync(join(root, "swapped.json"), 16)).toMatchObject({ error: "is a symbolic link (refused)", code: "merge.watchfile.symlink" });
    expect(readWatchFileSync(join(root, "gone.json"), 16)).toMatchObject({ missing: true });
  });
});

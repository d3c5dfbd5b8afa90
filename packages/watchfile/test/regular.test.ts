import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openRegularFileSync, readRegularFileSync } from "../src/text.js";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "autowatch-regular-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("regular-file reads", () => {
  it("read or open a regular file; refuse a missing one, a directory and a FIFO nobody writes, with the same reasons", () => {
    const file = join(dir, "MANIFEST.cfg");
    writeFileSync(file, "[b01]\n");
    expect(readRegularFileSync(file)).toEqual({ bytes: Buffer.from("[b01]\n") });
    const opened = openRegularFileSync(file);
    if (!("fd" in opened)) throw new Error(opened.error);
    const bytes = Buffer.alloc(3);
    expect(readSync(opened.fd, bytes, 0, 3, 1)).toBe(3);
    closeSync(opened.fd);
    expect([opened.size, bytes.toString()]).toEqual([6, "b01"]);

    mkdirSync(join(dir, "a-directory"));
    execFileSync("mkfifo", [join(dir, "a-fifo")]);
    for (const [name, code] of [
      ["missing", "ENOENT"],
      ["a-directory", "EISDIR"],
      ["a-fifo", "ENOTREG"],
    ]) {
      const read = readRegularFileSync(join(dir, name!));
      expect(read, name).toMatchObject({ code });
      expect(openRegularFileSync(join(dir, name!)), name).toEqual(read);
    }
    expect(readRegularFileSync(file, 3)).toMatchObject({ code: "EFBIG" });
  });
});

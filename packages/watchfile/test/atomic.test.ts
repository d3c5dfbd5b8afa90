import { execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { overwriteFileSync, writeFileAtomicSync } from "../src/text.js";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "autowatch-atomic-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("writeFileAtomicSync", () => {
  it("replaces the file atomically and keeps its mode; a failed write leaves the old file and no temporary one", () => {
    const file = join(dir, "state.json");
    writeFileSync(file, "old");
    chmodSync(file, 0o640);
    writeFileAtomicSync(file, (write) => ["a", "b", "c"].forEach(write));
    expect(readFileSync(file, "utf8")).toBe("abc");
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(() =>
      writeFileAtomicSync(file, () => {
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(readFileSync(file, "utf8")).toBe("abc");
    expect(readdirSync(dir)).toEqual(["state.json"]);
  });

  it("writes a string; a new file gets the mode asked for", () => {
    const file = join(dir, "autowatch_buildbot.py");
    writeFileAtomicSync(file, "print('é')\n", { mode: 0o600, fsync: false });
    expect(readFileSync(file, "utf8")).toBe("print('é')\n");
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it("follows a symlinked target: the link stays, its target is replaced", () => {
    const real = join(dir, "real.json");
    const link = join(dir, "link.json");
    writeFileSync(real, "old");
    symlinkSync(real, link);
    writeFileAtomicSync(link, "new");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, "utf8")).toBe("new");
  });

  it("with preserve: false, replaces the file where it is named, with the mode asked for: a symlink is replaced, not followed", () => {
    const real = join(dir, "real.json");
    const link = join(dir, "link.json");
    writeFileSync(real, "old");
    chmodSync(real, 0o640);
    symlinkSync(real, link);
    writeFileAtomicSync(link, "new", { preserve: false, mode: 0o600, fsync: false });
    expect(lstatSync(link).isSymbolicLink()).toBe(false);
    expect(readFileSync(link, "utf8")).toBe("new");
    expect(readFileSync(real, "utf8")).toBe("old");
    writeFileAtomicSync(real, "newer", { preserve: false, mode: 0o600, fsync: false });
    expect(statSync(real).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(["link.json", "real.json"]);
  });

  it("streams pieces of any size, across its buffer, and shows every byte to onBytes in order", () => {
    const file = join(dir, "big.json");
    const pieces = ["x".repeat(300_000), "é".repeat(400_000), "y", "z".repeat(2_000_000), "\n"];
    const seen: Buffer[] = [];
    writeFileAtomicSync(file, (write) => pieces.forEach(write), { onBytes: (bytes) => seen.push(Buffer.from(bytes)) });
    const expected = Buffer.from(pieces.join(""));
    expect(readFileSync(file).equals(expected)).toBe(true);
    expect(Buffer.concat(seen).equals(expected)).toBe(true);
  });
});

describe("overwriteFileSync", () => {
  it("writes over a longer file and cuts it to the new length; makes a missing one; refuses a symlink", () => {
    const file = join(dir, "state.json.cache");
    overwriteFileSync(file, (write) => write("x".repeat(8 << 20)));
    const inode = statSync(file).ino;
    // pieces larger and smaller than the write buffer, text and bytes
    overwriteFileSync(file, (write) => ["ab", Buffer.from("cd"), "é".repeat(1 << 19), Buffer.alloc(1 << 21, 0x79)].forEach(write));
    const expected = Buffer.concat([Buffer.from("abcd"), Buffer.from("é".repeat(1 << 19)), Buffer.alloc(1 << 21, 0x79)]);
    expect(readFileSync(file).equals(expected)).toBe(true);
    expect(statSync(file).ino).toBe(inode);
    const target = join(dir, "elsewhere");
    writeFileSync(target, "kept");
    const link = join(dir, "link.cache");
    symlinkSync(target, link);
    expect(() => overwriteFileSync(link, (write) => write("new"))).toThrow(/ELOOP/);
    expect(readFileSync(target, "utf8")).toBe("kept");
  });

  it("refuses a FIFO at once instead of waiting for a reader", () => {
    const fifo = join(dir, "state.json.cache");
    execFileSync("mkfifo", [fifo]);
    // from 2 s on a reader comes and goes (opened read-write): an open that waited for one then ends, after the marker is made
    const marker = join(dir, "let-go");
    const unblocker = spawn("sh", ["-c", 'sleep 2; : > "$1"; while :; do exec 3<>"$0"; sleep 0.1; exec 3>&-; done', fifo, marker], { stdio: "ignore" });
    try {
      expect(() => overwriteFileSync(fifo, (write) => write("new"))).toThrow();
      expect(existsSync(marker), "the open waited for a reader").toBe(false);
    } finally {
      unblocker.kill("SIGKILL");
    }
  });
});

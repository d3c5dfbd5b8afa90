import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { MAX_CONFIG_BYTES } from "@autowatch/watchfile/text";
import { readManifests } from "../src/index.js";

describe("readManifests", () => {
  const dir = mkdtempSync(join(tmpdir(), "autowatch-manifest-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it("reads files in the order given and reports the unreadable ones by name", async () => {
    const a = write("a.cfg", "[a]\nwatch = git u b\n");
    const b = write("b.cfg", "[b]\ninherit = a\n");
    const missing = join(dir, "missing.cfg");
    const directory = join(dir, "sub.cfg");
    mkdirSync(directory);
    const result = await readManifests([b, missing, a, directory]);
    expect(result.factories.map((f) => f.name)).toEqual(["b", "a"]);
    expect(result.factories[0]?.watches).toMatchObject([{ url: "u", file: a }]);
    expect(result.problems).toEqual([
      { level: "error", code: "manifest.read.failed", file: missing, message: "cannot read manifest: no such file" },
      { level: "error", code: "manifest.read.failed", file: directory, message: "cannot read manifest: is a directory" },
    ]);
  });

  it("rejects bytes that are not UTF-8 and skips a byte order mark", async () => {
    const latin1 = write("latin1.cfg", Buffer.from("[caf\xe9]\na = 1\n", "latin1"));
    const bom = write("bom.cfg", `\ufeff[bom]\na = 1\n`);
    const result = await readManifests([latin1, bom]);
    expect(result.problems).toEqual([{ level: "error", code: "manifest.encoding.invalid", file: latin1, message: "manifest is not valid UTF-8" }]);
    expect(result.factories.map((f) => f.name)).toEqual(["bom"]);
  });

  it("refuses a FIFO or a device at once, without blocking or reading it", async () => {
    const fifo = join(dir, "fifo.cfg");
    execFileSync("mkfifo", [fifo]);
    const started = Date.now();
    const result = await readManifests([fifo, "/dev/zero"]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.problems).toEqual([
      { level: "error", code: "manifest.read.failed", file: fifo, message: "cannot read manifest: is not a regular file (a FIFO, socket or device): refused" },
      {
        level: "error",
        code: "manifest.read.failed",
        file: "/dev/zero",
        message: "cannot read manifest: is not a regular file (a FIFO, socket or device): refused",
      },
    ]);
  });

  it("refuses a manifest over the size limit", async () => {
    const big = write("big.cfg", Buffer.alloc(MAX_CONFIG_BYTES + 1, 0x20));
    const result = await readManifests([big]);
    expect(result.problems).toEqual([
      {
        level: "error",
        code: "manifest.read.failed",
        file: big,
        message: `cannot read manifest: is larger than the ${MAX_CONFIG_BYTES}-byte limit for configuration files`,
      },
    ]);
  });

  it("gives nothing, and no problem, for no paths", async () => {
    expect(await readManifests([])).toEqual({ factories: [], problems: [] });
  });
});

describe("readManifests with a working directory", () => {
  it("reads relative paths from cwd and names them as given", async () => {
    const dir = mkdtempSync(join(tmpdir(), "autowatch-manifest-cwd-"));
    try {
      writeFileSync(join(dir, "m.cfg"), "[a]\nauto-watch = ?\n");
      const result = await readManifests(["m.cfg", "gone.cfg"], { cwd: dir });
      expect(result.factories.map((f) => [f.name, f.file])).toEqual([["a", "m.cfg"]]);
      expect(result.problems.map((p) => `${p.file}:${p.line ?? ""}`)).toEqual(["gone.cfg:", "m.cfg:2"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

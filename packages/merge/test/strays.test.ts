/** Stray .json files in the watch directory (issue 16): counted and summarised past a cap, in linear time. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ManifestResult } from "@autowatch/manifest";
import { runMerge } from "../src/index.js";
import { MAX_STRAYS_REPORTED } from "../src/watchdir.js";
import { expectLinear } from "../../../tests/support/scaling.js";

const root = mkdtempSync(join(tmpdir(), "autowatch-strays-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** 10 builders, their watch files, and `strays` files for no builder. */
function farm(strays: number): { dir: string; manifests: ManifestResult } {
  const dir = join(root, `farm-${strays}`);
  mkdirSync(dir);
  const factories = Array.from({ length: 10 }, (_, i) => ({
    name: `b${i}`,
    file: "MANIFEST.cfg",
    line: i + 1,
    options: {},
    optionOrigins: {},
    watches: [],
    schedule: true,
    autoWatch: true,
    autoWatchExplicit: false,
    inherits: [],
  }));
  for (const factory of factories)
    writeFileSync(join(dir, `${factory.name}.json`), JSON.stringify({ schema: "autowatch.watchfile/2", builder: factory.name, watches: [] }));
  for (let i = 0; i < strays; i++) writeFileSync(join(dir, `ghost-${String(i).padStart(6, "0")}.json`), "[]");
  return { dir, manifests: { factories, problems: [] } };
}

describe("stray files in the watch directory", () => {
  it("past the cap: one problem line with the count and the first names", async () => {
    const { dir, manifests } = farm(MAX_STRAYS_REPORTED + 1);
    const { result } = await runMerge({ manifests, watchDir: dir, readOnly: true });
    const strays = result.problems.filter((p) => p.code === "merge.watchfile.stray");
    expect(strays).toHaveLength(1);
    expect(strays[0]).toMatchObject({ level: "warning", file: dir });
    expect(strays[0]!.message).toBe(
      `${MAX_STRAYS_REPORTED + 1} .json files in the watch directory are the watch file of no builder in the manifests, e.g. "ghost-000000.json", "ghost-000001.json", "ghost-000002.json", "ghost-000003.json", "ghost-000004.json": ignored`,
    );
    expect(Object.keys(result.state.builders)).toHaveLength(10);
  });

  it("up to the cap: each is reported", async () => {
    const { dir, manifests } = farm(3);
    const { result } = await runMerge({ manifests, watchDir: dir, readOnly: true });
    const orphans = result.problems.filter((p) => p.code === "merge.watchfile.orphan");
    expect(orphans.map((p) => p.file)).toEqual([0, 1, 2].map((i) => join(dir, `ghost-00000${i}.json`)));
    expect(result.problems.filter((p) => p.code === "merge.watchfile.stray")).toEqual([]);
  });

  it("time linear in the number of strays", async () => {
    const farms = new Map<number, ReturnType<typeof farm>>();
    await expectLinear("strays", 300, (n) => {
      const built = farms.get(n) ?? farm(n);
      farms.set(n, built);
      return async () => {
        const { result } = await runMerge({ manifests: built.manifests, watchDir: built.dir, readOnly: true });
        expect(result.problems.length).toBeLessThan(50);
      };
    });
  });
});

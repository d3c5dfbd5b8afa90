import { parseManifests, type BuildFactory, type ManifestInput } from "../src/index.js";

/** The texts as manifests m1.cfg, m2.cfg, ... read together. */
export function parse(...texts: string[]) {
  const inputs: ManifestInput[] = texts.map((text, index) => ({ file: `m${index + 1}.cfg`, text }));
  return parseManifests(inputs);
}

export function factory(result: { factories: BuildFactory[] }, name: string): BuildFactory {
  const found = result.factories.find((f) => f.name === name);
  if (!found) throw new Error(`no factory ${name}`);
  return found;
}

export const errors = (result: ReturnType<typeof parse>) => result.problems.filter((p) => p.level === "error");

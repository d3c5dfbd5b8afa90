import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { interpolate, parseManifests, rawValue, readConfig, type InterpolationErrorKind } from "../src/index.js";
import { pythonReadError } from "../src/dialect.js";
import { pythonConfigParser, type PythonValue, type PythonView } from "./python.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const corpus = `${here}fixtures/configparser/`;
const files = readdirSync(corpus)
  .filter((name) => name.endsWith(".cfg"))
  .sort();

function pythonViews(): Record<string, PythonView> {
  const byPath = pythonConfigParser(files.map((name) => `${corpus}${name}`));
  return Object.fromEntries(files.map((name) => [name, byPath[`${corpus}${name}`] as PythonView]));
}

const PYTHON_INTERPOLATION_ERRORS: Record<InterpolationErrorKind, string> = {
  missing: "InterpolationMissingOptionError",
  syntax: "InterpolationSyntaxError",
  depth: "InterpolationDepthError",
  size: "(none)",
};

/** What our reader gives for the same `{section: dict(parser[section])}` dump. */
function ourView(name: string): PythonView {
  const document = readConfig(name, readFileSync(`${corpus}${name}`, "utf8"));
  const error = pythonReadError(document);
  if (error) return { error };
  const sections: Record<string, Record<string, PythonValue>> = {};
  for (const section of [document.defaults, ...document.sections]) {
    const raw = new Map<string, string>();
    for (const [key, option] of document.defaults.options) raw.set(key, rawValue(option));
    for (const [key, option] of section.options) raw.set(key, rawValue(option));
    const values: Record<string, PythonValue> = {};
    for (const [key, value] of raw) {
      const result = interpolate(value, (ref) => raw.get(ref));
      values[key] = result.error ? { error: PYTHON_INTERPOLATION_ERRORS[result.error.kind] } : result.value;
    }
    sections[section.name] = values;
  }
  return { sections };
}

describe("the reader agrees with Python's configparser", () => {
  const python = pythonViews();

  it("has a corpus of at least 15 files, some of which Python rejects", () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
    const rejected = Object.values(python).filter((view) => "error" in view);
    expect(rejected.length).toBeGreaterThanOrEqual(5);
    expect(rejected.length).toBeLessThan(files.length);
  });

  it.each(files)("%s: same sections, options and interpolated values (or the same error)", (name) => {
    expect(ourView(name)).toEqual(python[name]);
  });

  it.each(files)("%s: parseManifests rejects what Python rejects and keeps Python's values", (name) => {
    const text = readFileSync(`${corpus}${name}`, "utf8");
    const result = parseManifests([{ file: name, text }]);
    const view = python[name] as PythonView;
    if ("error" in view) {
      expect(result.problems.some((p) => p.level === "error" && p.file === name)).toBe(true);
      return;
    }
    for (const factory of result.factories) {
      const expected = view.sections[factory.name] ?? {};
      // Where Python reads a value, the factory has the same one (inherit only adds options).
      for (const [key, value] of Object.entries(expected)) {
        if (typeof value === "string" && !factory.options.inherit) expect(factory.options[key], `${factory.name}.${key}`).toBe(value);
      }
    }
    expect(result.factories.map((f) => f.name)).toEqual(Object.keys(view.sections).filter((s) => s !== "DEFAULT"));
  });
});

import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (file: string) => fileURLToPath(new URL(`./packages/${file}`, import.meta.url));
/** `@autowatch/NAME` and its subpaths, each matched exactly (`@autowatch/watchfile/text` is not `@autowatch/watchfile` + "/text"). */
const entries: Record<string, string> = {
  "@autowatch/watchfile": "watchfile/src/index.ts",
  "@autowatch/watchfile/text": "watchfile/src/text.ts",
  "@autowatch/manifest": "manifest/src/index.ts",
  "@autowatch/introspect": "introspect/src/index.ts",
  "@autowatch/introspect/resolve": "introspect/src/resolver.ts",
  "@autowatch/merge": "merge/src/index.ts",
};

// Tests import sibling packages from source; tests of the built artefacts (CLI, tarballs)
// spawn them as processes, where these aliases do not apply.
export default defineConfig({
  resolve: {
    alias: Object.entries(entries).map(([name, file]) => ({ find: new RegExp(`^${name}$`), replacement: source(file) })),
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});

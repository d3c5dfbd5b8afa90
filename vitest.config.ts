import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

// Tests import sibling packages from source; tests of the built artefacts (CLI, tarballs)
// spawn them as processes, where these aliases do not apply.
export default defineConfig({
  resolve: {
    alias: {
      "@autowatch/watchfile": source("watchfile"),
      "@autowatch/manifest": source("manifest"),
      "@autowatch/introspect": source("introspect"),
      "@autowatch/merge": source("merge"),
    },
  },
  test: {
    include: ["packages/*/test/**/*.test.ts", "tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});

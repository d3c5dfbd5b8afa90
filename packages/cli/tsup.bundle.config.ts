import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };
const buildbotHelper = readFileSync(new URL("./assets/autowatch_buildbot.py", import.meta.url), "utf8");

// The single-file CLI for workers: one ESM file with every dependency inlined, so that a
// build step can download it from the master and run it with a bare Node 20.
export default defineConfig({
  entry: { autowatch: "src/index.ts" },
  format: ["esm"],
  outExtension: () => ({ js: ".mjs" }),
  dts: false,
  clean: false,
  sourcemap: false,
  splitting: false,
  minify: false,
  target: "node20",
  platform: "node",
  noExternal: [/.*/],
  // CommonJS dependencies (simple-git, write-file-atomic, cli-progress) call `require` for
  // Node built-ins and read `__filename`, which an ES module does not have.
  banner: {
    js: [
      'import { createRequire as __autowatchCreateRequire } from "node:module";',
      'import { fileURLToPath as __autowatchFileURLToPath } from "node:url";',
      'import { dirname as __autowatchDirname } from "node:path";',
      "const require = __autowatchCreateRequire(import.meta.url);",
      "const __filename = __autowatchFileURLToPath(import.meta.url);",
      "const __dirname = __autowatchDirname(__filename);",
    ].join("\n"),
  },
  // the bundle travels without its package: `buildbot-helper` prints an inlined copy
  define: {
    __AUTOWATCH_VERSION__: JSON.stringify(version),
    __AUTOWATCH_BUILDBOT_HELPER__: JSON.stringify(buildbotHelper),
  },
});

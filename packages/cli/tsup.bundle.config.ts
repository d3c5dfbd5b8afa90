import { readFileSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { defineConfig, type Options } from "tsup";
import { base } from "../../tsup.base.js";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };
// built just before by scripts/bundle-helper.mjs (package.json's build script)
const buildbotHelper = readFileSync(new URL("./dist/autowatch_buildbot.py", import.meta.url), "utf8");

type EsbuildPlugin = NonNullable<Options["esbuildPlugins"]>[number];
const OUTPUT = "dist/autowatch.mjs";

// esbuild hoists every `import ... from "node:x"` of the bundle to its top, so each start would load
// child_process, crypto, stream... for commands that do not run. Imported as CommonJS instead, a
// built-in is required only when the module that needs it is first initialised.
const lazyBuiltins: EsbuildPlugin = {
  name: "lazy-builtins",
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z_]+(\/[a-z_]+)?$/ }, (args) =>
      args.kind === "import-statement" && isBuiltin(args.path) ? { path: args.path.replace(/^node:/, ""), namespace: "lazy-builtin" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`node:${args.path}`)});`,
      loader: "js",
    }));
  },
};

/**
 * A source that is ASCII only is decoded and parsed as one-byte text, faster than the two-byte
 * text a single `—` in a kept comment makes of the whole file (esbuild escapes it everywhere else).
 */
function asciiOnly(file: string): void {
  const text = readFileSync(file, "utf8");
  const ascii = text.replace(/[^\x00-\x7f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (ascii !== text) writeFileSync(file, ascii);
}

// The single-file CLI for workers: one ESM file with every dependency inlined, so that a
// build step can download it from the master and run it with a bare Node 20.
export default defineConfig({
  ...base,
  entry: { autowatch: "src/index.ts" },
  outExtension: () => ({ js: ".mjs" }),
  dts: false,
  clean: false,
  sourcemap: false,
  splitting: false,
  minify: false,
  noExternal: [/.*/],
  esbuildPlugins: [lazyBuiltins],
  removeNodeProtocol: false, // else tsup marks `node:` imports external before lazyBuiltins sees them
  onSuccess: async () => asciiOnly(OUTPUT),
  // CommonJS dependencies (simple-git, cli-progress) call `require` for
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

import { readFileSync } from "node:fs";
import { packageConfig } from "../../tsup.base.js";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

export default packageConfig({
  entry: { index: "src/index.ts", api: "src/api.ts" },
  // types for the programmatic entry only; the bin has no API
  dts: { entry: { api: "src/api.ts" } },
  splitting: true,
  define: { __AUTOWATCH_VERSION__: JSON.stringify(version) },
  // commander is CommonJS spread over seven files: inlined, each start skips their resolution, the
  // CommonJS loader and the export scan (~20 ms of CPU); it needs a `require` for its built-ins.
  noExternal: ["commander"],
  banner: {
    js: ['import { createRequire as __autowatchCreateRequire } from "node:module";', "const require = __autowatchCreateRequire(import.meta.url);"].join("\n"),
  },
});

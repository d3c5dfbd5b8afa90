import { defineConfig } from "tsup";

export default defineConfig({
  // text: the zod-free subpath `@autowatch/watchfile/text`
  // json-schema: internal, for scripts/schema.mjs (not in the exports map)
  entry: ["src/index.ts", "src/text.ts", "src/json-schema.ts"],
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  platform: "node",
});

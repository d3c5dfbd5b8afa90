import { defineConfig } from "tsup";

export default defineConfig({
  // text: the zod-free subpath `@autowatch/watchfile/text`
  entry: ["src/index.ts", "src/text.ts"],
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  platform: "node",
});

import { defineConfig } from "tsup";

export default defineConfig({
  // resolve: the subpath `@autowatch/introspect/resolve` (the resolver without git, zod or file writing)
  entry: { index: "src/index.ts", resolve: "src/resolver.ts" },
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  platform: "node",
});

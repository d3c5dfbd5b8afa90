import { defineConfig, type Options } from "tsup";

/** What every package's build shares: ES modules for Node 20, declarations, source maps, a clean dist/. */
export const base = {
  format: ["esm"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  platform: "node",
} satisfies Options;

/** A package's tsup config: its own entries (and whatever else it needs) over the shared base. */
export function packageConfig(options: Options): ReturnType<typeof defineConfig> {
  return defineConfig({ ...base, ...options });
}

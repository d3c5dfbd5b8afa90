import { defineConfig, type Options } from "tsup";

type EsbuildPlugin = NonNullable<Options["esbuildPlugins"]>[number];

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

// zod's namespaces re-export every locale (400 kB, a quarter of the bundle, parsed at each start);
// autowatch only ever uses English, the default zod installs by itself.
export const englishZodLocales: EsbuildPlugin = {
  name: "english-zod-locales",
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/]/.test(args.importer) ? { path: "zod/v4/locales/index.js", namespace: "english-only", pluginData: args.resolveDir } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "english-only" }, (args) => ({
      contents: 'export { default as en } from "../locales/en.js";',
      resolveDir: args.pluginData as string,
      loader: "js",
    }));
  },
};

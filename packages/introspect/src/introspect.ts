import path from "node:path";
import type { Problem, WatchFile } from "@autowatch/watchfile";
import { classifySources, type ClassifyProgress } from "./classify/index.js";
import { extractSources } from "./extract/index.js";
import { buildWatchFile } from "./output.js";
import { resolveBuildout } from "./resolve/index.js";
import type { ResolvedSections } from "./types.js";

export interface IntrospectSectionsOptions {
  /** The configuration file as given (`-c`); relative to `cwd`. */
  config: string;
  part?: string | undefined;
  builder?: string | undefined;
  cwd?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** Problems met before (resolution), carried into the watch file. */
  problems?: Problem[] | undefined;
  onProgress?: ((progress: ClassifyProgress) => void) | undefined;
  /** Report the buildout's own repository when the buildout directory is a checkout (default true). */
  buildoutRepository?: boolean | undefined;
  now?: Date | undefined;
}

export type IntrospectResult =
  | { ok: true; watchFile: WatchFile; problems: Problem[] }
  | { ok: false; error: Problem; problems: Problem[] };

/** From resolved sections to the watch file: extract, look at the checkouts, assemble. */
export async function introspectSections(sections: ResolvedSections, options: IntrospectSectionsOptions): Promise<IntrospectResult> {
  const env = options.env ?? process.env;
  const configPath = path.resolve(options.cwd ?? process.cwd(), options.config);
  const earlier = options.problems ?? [];
  const extracted = extractSources(sections, configPath, {
    ...(options.part === undefined ? {} : { part: options.part }),
    directory: path.dirname(configPath),
    ...(env.HOME ? { home: env.HOME } : {}),
  });
  if (!extracted.ok) return { ok: false, error: extracted.error, problems: [...earlier, ...extracted.problems] };
  const classified = await classifySources(extracted.sources, {
    directory: extracted.directory,
    config: configPath,
    env,
    ...(options.buildoutRepository === undefined ? {} : { buildoutRepository: options.buildoutRepository }),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const problems = [...earlier, ...extracted.problems, ...classified.problems];
  const watchFile = buildWatchFile({
    config: options.config,
    part: extracted.part,
    builder: options.builder,
    directory: extracted.directory,
    watches: classified.watches,
    pinned: classified.pinned,
    problems,
    ...(options.now ? { now: options.now } : {}),
  });
  return { ok: true, watchFile, problems: watchFile.problems };
}

export interface IntrospectOptions extends Omit<IntrospectSectionsOptions, "problems"> {
  /** Command-line overrides `section:option=value` (also `+=`, `-=`). */
  overrides?: string[] | undefined;
  /** Skip `~/.buildout/default.cfg` (zc.buildout's `-U`). */
  noUserDefaults?: boolean | undefined;
}

/** Resolves the buildout configuration the way zc.buildout does, then introspects it. */
export async function introspect(options: IntrospectOptions): Promise<IntrospectResult> {
  const cwd = options.cwd ?? process.cwd();
  const resolved = await resolveBuildout({
    config: options.config,
    cwd,
    ...(options.overrides ? { overrides: options.overrides } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.noUserDefaults ? { noUserDefaults: true } : {}),
  });
  if (!resolved.ok) return { ok: false, error: resolved.error, problems: resolved.problems };
  return introspectSections(resolved.sections, { ...options, cwd, problems: resolved.problems });
}

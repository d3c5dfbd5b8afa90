import path from "node:path";
import type { Problem, WatchFile } from "@autowatch/watchfile";
import { classifySources, type ClassifyProgress } from "./classify/index.js";
import type { SourceSpec } from "./extract/types.js";
import { extractBuildoutSections } from "./formats/buildout/index.js";
import { FORMATS } from "./formats/index.js";
import type { FormatId, FormatInput, FormatResult } from "./formats/types.js";
import { buildWatchFile } from "./output.js";
import type { ResolvedSections } from "./types.js";

/** One file to introspect, and the format it is read with. */
export interface SourceFile {
  format: FormatId;
  /** Relative to `cwd`, or absolute. */
  file: string;
}

export interface CommonOptions {
  builder?: string | undefined;
  cwd?: string | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  onProgress?: ((progress: ClassifyProgress) => void) | undefined;
  /** Report the buildout's own repository when the buildout directory is a checkout (default true). */
  buildoutRepository?: boolean | undefined;
  now?: Date | undefined;
}

export interface IntrospectSectionsOptions extends CommonOptions {
  /** The configuration file as given (`-c`); relative to `cwd`. */
  config: string;
  part?: string | undefined;
  /** Problems met before (resolution), carried into the watch file. */
  problems?: Problem[] | undefined;
}

export type IntrospectResult = { ok: true; watchFile: WatchFile; problems: Problem[] } | { ok: false; error: Problem; problems: Problem[] };

/** From resolved sections to the watch file: extract, look at the checkouts, assemble. */
export async function introspectSections(sections: ResolvedSections, options: IntrospectSectionsOptions): Promise<IntrospectResult> {
  const input = formatInput(options.config, options, { part: options.part });
  return assemble([extractBuildoutSections(sections, input, options.problems ?? [])], options);
}

export interface IntrospectOptions extends Omit<IntrospectSectionsOptions, "problems"> {
  /** Command-line overrides `section:option=value` (also `+=`, `-=`). */
  overrides?: string[] | undefined;
  /** Skip `~/.buildout/default.cfg` (zc.buildout's `-U`). */
  noUserDefaults?: boolean | undefined;
}

/** Resolves the buildout configuration the way zc.buildout does, then introspects it. */
export async function introspect(options: IntrospectOptions): Promise<IntrospectResult> {
  return introspectFiles({ ...options, files: [{ format: "buildout", file: options.config }] });
}

export interface IntrospectFilesOptions extends CommonOptions {
  /** Files in any formats; all their sources go into one watch file. */
  files: SourceFile[];
  /** Buildout only: `--part`, command-line overrides, `-U`. */
  part?: string | undefined;
  overrides?: string[] | undefined;
  noUserDefaults?: boolean | undefined;
}

/**
 * Every file read with its format, then every source classified together (one look at each
 * checkout) into one watch file. A file that cannot be read at all fails the whole run: a watch
 * file without its sources would silently drop their watches on the master.
 */
export async function introspectFiles(options: IntrospectFilesOptions): Promise<IntrospectResult> {
  const results: FormatResult[] = [];
  for (const { format, file } of options.files) {
    const input = formatInput(file, options, { part: options.part, overrides: options.overrides, noUserDefaults: options.noUserDefaults });
    results.push(await FORMATS[format].extract(input));
  }
  return assemble(results, options);
}

function formatInput(file: string, options: CommonOptions, buildout: FormatInput["buildout"]): FormatInput {
  return { file, cwd: options.cwd ?? process.cwd(), env: options.env ?? process.env, buildout };
}

async function assemble(results: FormatResult[], options: CommonOptions): Promise<IntrospectResult> {
  const env = options.env ?? process.env;
  const earlier = results.flatMap((result) => result.problems);
  const failed = results.find((result) => !result.ok);
  if (failed && !failed.ok) {
    const others = results.flatMap((result) => (result.ok || result === failed ? [] : [result.error]));
    return { ok: false, error: failed.error, problems: [...earlier, ...others] };
  }
  const found = results.filter((result): result is Extract<FormatResult, { ok: true }> => result.ok);
  const buildout = found.find((result) => result.buildout)?.buildout;
  const directory = buildout?.directory ?? found[0]?.directory ?? path.resolve(options.cwd ?? process.cwd());
  const sources: SourceSpec[] = found.flatMap((result) => result.sources);
  const classified = await classifySources(sources, {
    directory,
    env,
    // the buildout's own repository is a buildout notion: other formats do not report theirs
    buildoutRepository: buildout !== undefined && options.buildoutRepository !== false,
    ...(buildout ? { config: path.resolve(options.cwd ?? process.cwd(), buildout.config) } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const watchFile = buildWatchFile({
    ...(buildout ? { config: buildout.config, part: buildout.part } : {}),
    builder: options.builder,
    directory,
    watches: classified.watches,
    pinned: classified.pinned,
    problems: [...earlier, ...classified.problems],
    ...(options.now ? { now: options.now } : {}),
  });
  // made here, each with a code this version knows (a watch file's type also reads other workers' problems)
  return { ok: true, watchFile, problems: watchFile.problems as Problem[] };
}

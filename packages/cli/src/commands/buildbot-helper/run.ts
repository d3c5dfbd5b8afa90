// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomicSync } from "@autowatch/watchfile/text";
import type { CliContext } from "../../context.js";
import { CliError } from "../../errors.js";

declare const __AUTOWATCH_BUILDBOT_HELPER__: string | undefined;

// built from assets/autowatch_buildbot/ by scripts/bundle-helper.mjs
const ASSET = join("dist", "autowatch_buildbot.py");

/**
 * The helper's text: inlined at build time in the single-file CLI (which travels without
 * its package), read from the package's dist/ folder otherwise (from dist/ or src/ at any depth).
 */
export function buildbotHelperSource(): string {
  if (typeof __AUTOWATCH_BUILDBOT_HELPER__ === "string") return __AUTOWATCH_BUILDBOT_HELPER__;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 5; depth += 1) {
    const candidate = join(dir, ASSET);
    if (existsSync(candidate)) return readFileSync(candidate, "utf8");
    dir = dirname(dir);
  }
  throw new CliError(`buildbot-helper: ${ASSET} is missing from this installation (in a source checkout: build @autowatch/cli)`, 1);
}

export async function run(options: Record<string, unknown>, _args: string[], context: CliContext): Promise<number> {
  const source = buildbotHelperSource();
  const output = typeof options.output === "string" && options.output !== "-" ? options.output : undefined;
  if (output === undefined) {
    context.stdout.write(source);
    return 0;
  }
  const target = resolve(context.cwd, output);
  try {
    // a master reading the module mid-write would fail its reconfig
    writeFileAtomicSync(target, source, { mode: 0o644 });
  } catch (error) {
    throw new CliError(`${output}: cannot write: ${(error as Error).message}`, 1);
  }
  if (!options.quiet) context.stderr.write(`autowatch buildbot-helper: wrote ${output}\n`);
  return 0;
}

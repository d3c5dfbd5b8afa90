import type { Command } from "commander";
import type { CliContext } from "./context.js";

/** What a command module (loaded lazily) exports. */
export interface CommandModule {
  run(options: Record<string, unknown>, args: string[], context: CliContext): Promise<number>;
}

/**
 * A command as the top level sees it: its options are declared eagerly (for `--help`),
 * its implementation is imported only when it runs, which keeps start-up cheap.
 */
export interface CommandSpec {
  name: string;
  summary: string;
  configure(command: Command): void;
  load(): Promise<CommandModule>;
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

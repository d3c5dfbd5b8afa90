import { InvalidArgumentError, type Command } from "commander";
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
  /** Reads the operator's autowatch.ini (or `--config FILE`) for options not given as flags. */
  config?: boolean;
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Parses a positive whole number for commander: a bad one is a usage error naming the option. */
export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(number) || number <= 0) throw new InvalidArgumentError("expected a positive whole number.");
  return number;
}

/** The help's closing section, the same in every command. */
export function exitStatusHelp(lines: readonly string[]): string {
  return `\nExit status:\n${lines.map((line) => `  ${line}`).join("\n")}\n`;
}

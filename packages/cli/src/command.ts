// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
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

const DURATION_UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses a duration such as `90m`, `36h`, `7d` or `2w` for commander (a unit is required: a bare
 * `7` would be ambiguous). Returns milliseconds and the text as written, for messages.
 */
export function duration(value: string): { milliseconds: number; text: string } {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$/.exec(value);
  const milliseconds = match ? Number(match[1]) * DURATION_UNITS[match[2]!]! : Number.NaN;
  if (!match || !(milliseconds > 0) || !Number.isSafeInteger(Math.round(milliseconds))) {
    throw new InvalidArgumentError("expected a duration with a unit: m (minutes), h (hours), d (days) or w (weeks), e.g. 36h or 7d.");
  }
  return { milliseconds: Math.round(milliseconds), text: value.trim() };
}

/** The help's closing section, the same in every command. */
export function exitStatusHelp(lines: readonly string[]): string {
  return `\nExit status:\n${lines.map((line) => `  ${line}`).join("\n")}\n`;
}

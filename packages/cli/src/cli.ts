import { Command, CommanderError } from "commander";
import { commands } from "./commands/index.js";
import { CliError, UsageError } from "./errors.js";
import { processContext, type CliContext } from "./context.js";
import { VERSION } from "./version.js";
import type { CommandSpec } from "./command.js";

/**
 * Usage errors in one style, commander's and ours alike: `autowatch: [COMMAND: ]what is wrong`,
 * then where to look (commander's own `error: ` prefix never shows).
 */
function usageText(message: string, command: string | undefined): string {
  const text = message
    .trim()
    .replace(/^error: /, "")
    .replace(/\n\(Did you mean (.*)\?\)$/, " (did you mean $1?)");
  const name = command === undefined ? "autowatch" : `autowatch ${command}`;
  return `autowatch: ${command === undefined || text.startsWith(`${command}:`) ? "" : `${command}: `}${text}\nTry '${name} --help'.\n`;
}

/** Runs the CLI and returns the exit code; never throws. */
export async function main(argv: string[], context: CliContext = processContext()): Promise<number> {
  let exitCode = 0;
  // the command being parsed, for usage errors (commander reports them before any action runs)
  const first = argv.find((arg) => !arg.startsWith("-"));
  const current = commands.some((spec: CommandSpec) => spec.name === first) ? first : undefined;
  const program = new Command("autowatch")
    .description("Keep a Buildbot farm's watch lists true: introspect buildouts on workers, merge on the master.")
    .version(`autowatch ${VERSION}`, "-V, --version", "print the version and exit")
    .helpOption("-h, --help", "show help and exit")
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => context.stdout.write(text),
      writeErr: (text) => context.stderr.write(text),
      outputError: (text, write) => write(usageText(text, current)),
    })
    .exitOverride();
  program.command("help [command]", { hidden: true }).action((name?: string) => {
    const target = name ? program.commands.find((c) => c.name() === name) : undefined;
    (target ?? program).outputHelp();
  });
  for (const spec of commands) {
    const command = program.command(spec.name).description(spec.summary).exitOverride();
    if (spec.config) command.option("--config <file>", "the operator's settings (default: ./autowatch.ini when there is one); flags override it");
    spec.configure(command);
    command.action(async (...actionArgs: unknown[]) => {
      const self = actionArgs[actionArgs.length - 1] as Command;
      const module = await spec.load();
      exitCode = await module.run(spec.config ? await withConfig(self, context) : self.opts(), self.args, context);
    });
  }
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return 2;
    }
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version exit 0; usage errors (unknown command/option) exit 2
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") {
        return 0;
      }
      if (error.code === "commander.unknownCommand") {
        context.stderr.write(`\n${program.helpInformation()}`);
      }
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof UsageError) {
      context.stderr.write(usageText(error.message, current));
      return error.exitCode;
    }
    if (error instanceof CliError) {
      context.stderr.write(`autowatch: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    context.stderr.write(`autowatch: internal error: ${message}\n`);
    if (context.env.AUTOWATCH_DEBUG && error instanceof Error && error.stack) context.stderr.write(`${error.stack}\n`);
    return 70;
  }
}

/** The command's options, those not given as flags taken from the config file when it has them. */
async function withConfig(command: Command, context: CliContext): Promise<Record<string, unknown>> {
  const options = command.opts();
  const { loadConfig } = await import("./config.js");
  const config = loadConfig(typeof options.config === "string" ? options.config : undefined, context);
  if (config === undefined) return options;
  const declared = new Set(command.options.map((option) => option.attributeName()));
  const merged: Record<string, unknown> = { ...options };
  for (const [name, value] of Object.entries(config.options)) {
    if (!declared.has(name)) continue;
    const source = command.getOptionValueSource(name);
    if (source === undefined || source === "default") merged[name] = value;
  }
  return merged;
}

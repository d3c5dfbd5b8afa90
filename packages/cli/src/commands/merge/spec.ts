import { Option, type Command } from "commander";
import { collect, type CommandSpec } from "../../command.js";

/** Inputs shared by `merge` and `explain`: the same options give the same merge. */
export function mergeInputOptions(command: Command): Command {
  return command
    .requiredOption("--manifest <file>", "a MANIFEST.cfg (repeatable)", collect)
    .requiredOption("--watch-dir <dir>", "directory of uploaded watch files (<builder>.json)")
    .option("-o, --output <state>", "state file to write atomically (without it, the state goes to stdout)")
    .option("--last-good <dir>", "store of each builder's last good watches (default: <state>.lastgood)")
    .option("--rewrite <from=to>", "URL prefix rewrite rule, applied in order after --rewrite-file rules (repeatable)", collect)
    .option("--rewrite-file <file>", "file of rewrite rules, one `FROM=TO` or `FROM TO` a line, # comments (repeatable)", collect)
    .option("--allow-host <host>", "only poll these hosts for worker-sent URLs (repeatable; default: any)", collect)
    .option("--allow-scheme <scheme>", "only these schemes for worker-sent URLs (repeatable; default: https http ssh git file)", collect)
    .option("--max-bytes <n>", "largest watch file accepted, in bytes", "1048576")
    .option("--max-entries <n>", "most entries accepted in one watch file", "1000");
}

export const merge: CommandSpec = {
  name: "merge",
  summary: "Merge manifests and uploaded watch files into the pollers and change filters state (master side).",
  configure(command) {
    mergeInputOptions(command)
      .option("--json", "print the state on stdout (also written to -o)")
      .option("--strict", "exit 1 when any error or warning was reported (for CI of the manifests)")
      .option("--follow", "stay up and re-merge when the watch directory or a manifest changes")
      .option("--reconfig <cmd>", "with --follow: shell command run when pollers or change filters changed")
      .addOption(new Option("--debounce <ms>", "with --follow: quiet time before a re-merge").hideHelp());
  },
  load: () => import("./run.js"),
};

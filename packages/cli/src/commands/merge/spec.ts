// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import { Option, type Command } from "commander";
import { LIMITS } from "@autowatch/watchfile/text";
import { duration, exitStatusHelp, positiveInteger, type CommandSpec } from "../../command.js";

/**
 * Inputs shared by `merge` and `explain`: the same options give the same merge. Lists are
 * spelled the same in every command: `--manifest A B` or `--manifest A --manifest B`. None is
 * required by commander: they may come from autowatch.ini, and an unknown option is reported first.
 */
export function mergeInputOptions(command: Command): Command {
  return command
    .option("-m, --manifest <file...>", "MANIFEST.cfg file(s), together (repeatable; required, here or in autowatch.ini)")
    .option("--watch-dir <dir>", "directory of uploaded watch files (<builder>.json; required, here or in autowatch.ini)")
    .option("--last-good <dir>", "store of each builder's last good watches (default: <state>.lastgood)")
    .option("--rewrite <from=to...>", "URL prefix rewrite rule(s), applied in order after --rewrite-file rules (repeatable)")
    .option("--rewrite-file <file...>", "file(s) of rewrite rules, one `FROM=TO` or `FROM TO` a line, # comments (repeatable)")
    .option("--allow-host <host...>", "only poll these hosts for worker-sent URLs (repeatable; default: any)")
    .option("--allow-scheme <scheme...>", "only these schemes for worker-sent URLs (repeatable; default: https http ssh git file)")
    .option("--max-bytes <n>", "largest watch file accepted, in bytes", positiveInteger, LIMITS.watchFileBytes)
    .option("--max-entries <n>", "most entries accepted in one watch file", positiveInteger, LIMITS.watchFileEntries);
}

export const merge: CommandSpec = {
  name: "merge",
  summary: "Merge manifests and uploaded watch files into the pollers and change filters state (master side).",
  config: true,
  configure(command) {
    mergeInputOptions(command)
      .option("-o, --output <state>", "state file to write atomically (without it, or with `-o -`, the state goes to stdout)")
      .option("--json", "print the state on stdout (also written to -o)")
      .option("--strict", "exit 1 when any error or warning was reported (for CI of the manifests)")
      .option("-q, --quiet", "print nothing when nothing needs attention; otherwise only the errors and warnings (for cron)")
      .option("--exit-code", "exit 3 when the state was written and its pollers or change filters changed, 0 when unchanged (needs -o FILE)")
      .option("--max-age <duration>", "warn about watch files not rewritten for longer than this, e.g. 36h or 7d (default: off)", duration)
      .option("--follow", "stay up and re-merge when the watch directory or a manifest changes")
      .option("--reconfig <cmd>", "with --follow: shell command run when pollers or change filters changed")
      .addOption(new Option("--debounce <ms>", "with --follow: quiet time before a re-merge").hideHelp())
      .addHelpText(
        "after",
        exitStatusHelp([
          "0  the state was written (whatever the problems, unless --strict); with --exit-code: and it is unchanged",
          "1  nothing written: an input the operator gave cannot be used (unreadable manifest, or one Python's ConfigParser",
          "   refuses; missing or unreadable watch directory; unreadable rewrite file); with --strict, any error or warning",
          "2  bad usage (unknown option, missing --manifest or --watch-dir, bad config file)",
          "3  with --exit-code: the state was written and its pollers or change filters changed (reconfigure Buildbot)",
        ]),
      );
  },
  load: () => import("./run.js"),
};

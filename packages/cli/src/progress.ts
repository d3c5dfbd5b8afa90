// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import type cliProgress from "cli-progress";
import type { CliContext } from "./context.js";
import { progressAllowed } from "./context.js";

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

const NONE: Progress = { update: () => undefined, stop: () => undefined };

/**
 * A bar on stderr for work that can take more than a second, shown only on a terminal that
 * allows it (not with NO_COLOR or TERM=dumb, never in a pipe or a log), and only once there is
 * at least `threshold` to do. Cleared when done: it leaves no line behind. cli-progress is
 * loaded only then: a cron job or a pipe never pays its start-up time (8 ms).
 */
export async function progressBar(context: CliContext, label: string, threshold = 1): Promise<Progress> {
  if (!progressAllowed(context)) return NONE;
  const { default: bars } = await import("cli-progress");
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(done, total) {
      if (total < threshold) return;
      if (!bar) {
        bar = new bars.SingleBar(
          { stream: context.stderr, format: `${label} [{bar}] {value}/{total}`, clearOnComplete: true, hideCursor: true, noTTYOutput: true },
          bars.Presets.shades_classic,
        );
        bar.start(total, done);
      } else {
        bar.setTotal(total);
        bar.update(done);
      }
    },
    stop: () => bar?.stop(),
  };
}

import process from "node:process";

/** What a command may touch of the outside world; tests pass their own. */
export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** stderr is a terminal. */
  isTTY: boolean;
  /** Colour allowed on stderr: a TTY, NO_COLOR unset or empty, TERM not `dumb`. */
  color: boolean;
  /** Progress bars allowed on stderr: the same conditions as colour (default: `color`). */
  progress?: boolean;
}

/** Colour and progress bars: only on a terminal, never with NO_COLOR (non-empty) or TERM=dumb. */
export function terminalAllows(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  return isTTY && (env.NO_COLOR ?? "") === "" && env.TERM !== "dumb";
}

export function processContext(): CliContext {
  const isTTY = Boolean(process.stderr.isTTY);
  const allowed = terminalAllows(isTTY, process.env);
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY,
    color: allowed,
    progress: allowed,
  };
}

/** Whether a command may draw a progress bar. */
export function progressAllowed(context: CliContext): boolean {
  return context.progress ?? context.color;
}

import process from "node:process";

/** What a command may touch of the outside world; tests pass their own. */
export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** stderr is a terminal: progress bars and colour are allowed. */
  isTTY: boolean;
  /** Colour allowed: a TTY and NO_COLOR unset or empty. */
  color: boolean;
}

export function processContext(): CliContext {
  const isTTY = Boolean(process.stderr.isTTY);
  const noColor = (process.env.NO_COLOR ?? "") !== "";
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY,
    color: isTTY && !noColor && process.env.TERM !== "dumb",
  };
}

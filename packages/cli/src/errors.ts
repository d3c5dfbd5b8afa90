// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
/** An error meant for the operator: printed as one line, exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Bad usage (unknown option, missing argument): exit 2, like commander. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = "UsageError";
  }
}

import { PassThrough } from "node:stream";
import type { CliContext } from "../src/context.js";
import { main } from "../src/cli.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process (from source) with captured output; no build needed. */
export async function runCli(argv: string[], overrides: Partial<CliContext> = {}): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
  const context: CliContext = {
    cwd: process.cwd(),
    env: { ...process.env, NO_COLOR: "1" },
    stdout,
    stderr,
    isTTY: false,
    color: false,
    ...overrides,
  };
  const code = await main(argv, context);
  return { code, stdout: out, stderr: err };
}

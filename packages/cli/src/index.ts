#!/usr/bin/env node
import process from "node:process";
import { main } from "./cli.js";

/** What a shell sees from a process a closed pipe killed (128 + SIGPIPE): `cmd | head` ends quietly. */
export const CLOSED_PIPE_STATUS = 128 + 13;

// Node ignores SIGPIPE and reports a write to a closed pipe as an 'error' event, which would end
// the process with a stack trace: the reader went away, so stop at once, quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(CLOSED_PIPE_STATUS);
    throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));

// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
import type { CommandSpec } from "../command.js";
import { check } from "./check/spec.js";
import { resolve } from "./resolve/spec.js";
import { introspect } from "./introspect/spec.js";
import { merge } from "./merge/spec.js";
import { explain } from "./explain/spec.js";
import { buildbotHelper } from "./buildbot-helper/spec.js";

/** Every command, in the order `--help` lists them. */
export const commands: CommandSpec[] = [introspect, resolve, merge, explain, check, buildbotHelper];

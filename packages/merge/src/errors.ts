import type { Problem } from "@autowatch/watchfile";

/**
 * Operator-side trouble (a manifest Python's ConfigParser would refuse, a watch directory that
 * is missing or unreadable, a rewrite file that cannot be read): the merge refuses and writes
 * nothing, since a state computed without these inputs would unschedule builders. `problems`
 * says where (file:line), when there is more to say than the message.
 */
export class MergeSetupError extends Error {
  constructor(
    message: string,
    readonly problems: readonly Problem[] = [],
  ) {
    super(message);
    this.name = "MergeSetupError";
  }
}

import type { CliContext } from "../../context.js";
import { CliError } from "../../errors.js";

export async function run(_options: Record<string, unknown>, _args: string[], _context: CliContext): Promise<number> {
  throw new CliError("merge: not implemented yet", 1);
}

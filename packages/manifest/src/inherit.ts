// Internal to @autowatch/manifest: not exported (the public API is what README.md documents).
/** The `inherit` option: a section's chain of parents, cut at cycles and at MAX_INHERIT_CHAIN. */

import { type ProblemCode, type ProblemLevel } from "@autowatch/watchfile";
import { LIMITS, quoteValue, pyStrip } from "@autowatch/watchfile/text";
import { rawValue, type ConfigDocument, type RawSection } from "./dialect.js";

/** A section as first defined, with the document it is in. */
export interface Definition {
  document: ConfigDocument;
  section: RawSection;
}

/**
 * How many sections one section's options may come from (itself and its inherit parents): a
 * longer chain is cut there, with an error. Each section of a chain of thousands would
 * otherwise read (and list in `inherits`) thousands of parents: quadratic work and output.
 */
export const MAX_INHERIT_CHAIN = LIMITS.inheritChain;

/** A section's inherit parent, when it names a known one. */
function parentOf(definition: Definition, definitions: Map<string, Definition>): Definition | undefined {
  const link = definition.section.options.get("inherit");
  return link && definitions.get(pyStrip(rawValue(link)));
}

/**
 * The sections on an inherit cycle, with the cycle's length: each section has at most one
 * parent, so one walk from each section not yet seen finds every cycle, in linear time.
 */
export function inheritCycles(definitions: Map<string, Definition>): Map<Definition, number> {
  const cycles = new Map<Definition, number>();
  const walked = new Map<Definition, number>();
  let walk = 0;
  for (const start of definitions.values()) {
    if (walked.has(start)) continue;
    walk++;
    const path: Definition[] = [];
    let current: Definition | undefined = start;
    while (current && !walked.has(current)) {
      walked.set(current, walk);
      path.push(current);
      current = parentOf(current, definitions);
    }
    // back at a section of this walk: the path from it on is a cycle
    if (current && walked.get(current) === walk) {
      const members = path.slice(path.indexOf(current));
      for (const member of members) cycles.set(member, members.length);
    }
  }
  return cycles;
}

/** Section names of a chain for a message: the first few and a count of the others. */
function chainText(chain: readonly Definition[]): string {
  const names = chain.map((d) => quoteValue(d.section.name));
  return names.length <= 8 ? names.join(" -> ") : `${names.slice(0, 8).join(" -> ")} -> ... (${names.length - 8} more)`;
}

/** The section itself, then its `inherit` parents, nearest first (stops at an unknown parent, a cycle or MAX_INHERIT_CHAIN). */
export function inheritChain(
  definition: Definition,
  definitions: Map<string, Definition>,
  report: (level: ProblemLevel, code: ProblemCode, message: string, line: number) => void,
  cut: (message: string, line: number) => void,
  cycles: ReadonlyMap<Definition, number>,
): Definition[] {
  const chain = [definition];
  // Most chains are short: a list search then costs less than a Set per section.
  let visited: Set<Definition> | undefined;
  for (let current = definition; ;) {
    const link = current.section.options.get("inherit");
    if (!link) return chain;
    // Problems of a link are reported once, for the section that writes it.
    const own = current === definition;
    const parentName = pyStrip(rawValue(link));
    if (parentName === "") {
      if (own) report("warning", "manifest.inherit.empty", "inherit is empty: nothing is inherited", link.line);
      return chain;
    }
    const parent = definitions.get(parentName);
    if (!parent) {
      if (own) report("error", "manifest.inherit.unknown", `inherits from unknown section ${quoteValue(parentName)}`, link.line);
      return chain;
    }
    if (chain.length < 8 ? chain.includes(parent) : (visited ??= new Set(chain)).has(parent)) {
      if (parent === definition) {
        report(
          "error",
          "manifest.inherit.cycle",
          `inherit cycle ${chainText([...chain, parent])}: each section of the cycle is used once`,
          definition.section.options.get("inherit")?.line ?? link.line,
        );
      }
      return chain;
    }
    if (chain.length >= MAX_INHERIT_CHAIN) {
      const first = definition.section.options.get("inherit")!;
      const cycle = cycles.get(definition);
      const what = cycle === undefined ? `inherit chain longer than ${MAX_INHERIT_CHAIN} sections` : `inherit cycle of ${cycle} sections`;
      cut(`${what} (${chainText(chain)} -> ...): options are inherited from the first ${MAX_INHERIT_CHAIN} only`, first.line);
      return chain;
    }
    chain.push(parent);
    visited?.add(parent);
    current = parent;
  }
}

import { createHash } from "node:crypto";
import type { Problem, Vcs } from "@autowatch/watchfile";
import { makeProblem } from "@autowatch/watchfile/text";

/** `from` prefix replaced by `to`. */
export interface RewriteRule {
  from: string;
  to: string;
}

const LAUNCHPAD = "https://bazaar.launchpad.net/+branch/";

/**
 * Parses `FROM=TO` (the first `=` splits) or `FROM TO` (whitespace splits). Returns the
 * rule or the reason it is malformed.
 */
export function parseRewriteRule(text: string): RewriteRule | string {
  const trimmed = text.trim();
  const eq = trimmed.indexOf("=");
  const space = trimmed.search(/\s/);
  let from: string;
  let to: string;
  if (eq > 0 && (space < 0 || eq < space)) {
    from = trimmed.slice(0, eq).trim();
    to = trimmed.slice(eq + 1).trim();
  } else if (space > 0) {
    from = trimmed.slice(0, space);
    to = trimmed.slice(space).trim();
  } else {
    return "expected FROM=TO or FROM TO";
  }
  if (from === "") return "empty FROM prefix";
  if (/\s/.test(to)) return "TO must not contain whitespace";
  return { from, to };
}

/** Parses a rewrite file: one rule a line, `#` starts a comment line, blank lines ignored. */
export function parseRewriteFile(text: string, file: string): { rules: RewriteRule[]; problems: Problem[] } {
  const rules: RewriteRule[] = [];
  const problems: Problem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const rule = parseRewriteRule(line);
    if (typeof rule === "string") problems.push(makeProblem("error", "merge.rewrite.invalid", `bad rewrite rule: ${rule}`, { file, line: index + 1 }));
    else rules.push(rule);
  });
  return { rules, problems };
}

/**
 * Applies the rules in order, each to the result of the previous ones (so rules chain).
 * A bzr `lp:` location that no rule turned into something else becomes its Launchpad URL.
 */
export function rewriteUrl(vcs: Vcs, url: string, rules: readonly RewriteRule[]): string {
  let result = url;
  for (const rule of rules) {
    if (result.startsWith(rule.from)) result = rule.to + result.slice(rule.from.length);
  }
  if (vcs === "bzr" && result.startsWith("lp:")) result = LAUNCHPAD + result.slice(3).replace(/^\/+/, "");
  return result;
}

/** A poller's work directory: stable for its original URL, whatever the rewrite rules. */
export function pollerWorkdir(vcs: Vcs, originalUrl: string): string {
  const digest = createHash("sha256").update(originalUrl, "utf8").digest("hex").slice(0, 10);
  return `${vcs}poller-${digest}`;
}

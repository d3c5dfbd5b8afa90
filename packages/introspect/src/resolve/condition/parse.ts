// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
/** The syntax tree of a condition expression, parsed as Python's grammar does and held to its depth limit. */

import { quoteValue } from "@autowatch/watchfile/text";
import { MAX_TREE_DEPTH, tokenize, type Token } from "./tokenize.js";
import { ConditionError, type PyValue } from "./values.js";

export type Node =
  | { type: "literal"; value: PyValue }
  | { type: "name"; name: string }
  | { type: "attr"; target: Node; name: string }
  | { type: "call"; target: Node; args: Node[] }
  | { type: "index"; target: Node; index: Node }
  | { type: "seq"; kind: "tuple" | "list"; items: Node[] }
  | { type: "not"; operand: Node }
  | { type: "neg"; operand: Node }
  | { type: "pos"; operand: Node }
  | { type: "bool"; op: "and" | "or"; operands: Node[] }
  | { type: "compare"; first: Node; rest: { op: string; operand: Node }[] };

const KEYWORDS = new Set(["and", "or", "not", "in", "is", "True", "False", "None", "if", "else", "lambda", "for"]);

/** How deep each node's tree goes (a leaf is 1): what Python's compiler recurses through. */
const depths = new WeakMap<Node, number>();

function depthOf(node: Node): number {
  return depths.get(node) ?? 1;
}

/** Records the depth of a new node from its children; past MAX_TREE_DEPTH, refused as Python refuses it. */
function made<T extends Node>(node: T, children: readonly Node[]): T {
  let deepest = 0;
  for (const child of children) deepest = Math.max(deepest, depthOf(child));
  if (deepest + 1 > MAX_TREE_DEPTH) {
    throw new ConditionError(
      `the expression nests more than ${MAX_TREE_DEPTH} levels deep (Python refuses it: maximum recursion depth exceeded during compilation)`,
    );
  }
  if (deepest > 0) depths.set(node, deepest + 1);
  return node;
}

class Parser {
  private position = 0;
  /** Recursion of the prefix operators (`not`, `-`, `+`), checked before the stack runs out. */
  private prefixes = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.position]!;
  }
  private next(): Token {
    return this.tokens[this.position++]!;
  }
  private accept(text: string): boolean {
    const token = this.peek();
    if ((token.kind === "op" || token.kind === "name") && token.text === text) {
      this.position++;
      return true;
    }
    return false;
  }
  private expect(text: string): void {
    if (!this.accept(text)) throw new ConditionError(`expected ${quoteValue(text)}, found ${quoteValue(this.peek().text)}`);
  }

  parseAll(): Node {
    const node = this.test();
    if (this.peek().kind !== "end") throw new ConditionError(`unsupported syntax at ${quoteValue(this.peek().text)}`);
    return node;
  }

  /** A comma-separated list up to a closing bracket; `single` says whether it was one bare expression. */
  private list(close: string): { items: Node[]; single: boolean } {
    const items: Node[] = [];
    let single = true;
    while (!this.accept(close)) {
      items.push(this.test());
      if (this.accept(",")) {
        single = false;
        continue;
      }
      this.expect(close);
      break;
    }
    return { items, single: single && items.length === 1 };
  }

  /** `or` and `and` chains are flat, as in Python's tree: 50,000 terms are one level. */
  private test(): Node {
    const first = this.andTest();
    let node = first;
    if (this.peek().text === "or") {
      const operands = [first];
      while (this.accept("or")) operands.push(this.andTest());
      node = made({ type: "bool", op: "or", operands }, operands);
    }
    if (this.peek().text === "if" || this.peek().text === "for") throw new ConditionError(`unsupported syntax at ${quoteValue(this.peek().text)}`);
    return node;
  }
  private andTest(): Node {
    const first = this.notTest();
    if (this.peek().text !== "and") return first;
    const operands = [first];
    while (this.accept("and")) operands.push(this.notTest());
    return made({ type: "bool", op: "and", operands }, operands);
  }
  private prefix<T>(parse: () => T): T {
    if (++this.prefixes > MAX_TREE_DEPTH) {
      throw new ConditionError(
        `the expression nests more than ${MAX_TREE_DEPTH} levels deep (Python refuses it: maximum recursion depth exceeded during compilation)`,
      );
    }
    try {
      return parse();
    } finally {
      this.prefixes--;
    }
  }
  private notTest(): Node {
    if (this.accept("not"))
      return this.prefix(() => {
        const operand = this.notTest();
        return made({ type: "not", operand }, [operand]);
      });
    return this.comparison();
  }
  private comparison(): Node {
    const first = this.unary();
    const rest: { op: string; operand: Node }[] = [];
    for (;;) {
      const token = this.peek();
      let op: string | undefined;
      if (token.kind === "op" && ["==", "!=", "<", "<=", ">", ">="].includes(token.text)) op = this.next().text;
      else if (this.accept("in")) op = "in";
      else if (token.text === "not" && this.tokens[this.position + 1]?.text === "in") {
        this.position += 2;
        op = "not in";
      } else if (this.accept("is")) op = this.accept("not") ? "is not" : "is";
      if (!op) break;
      rest.push({ op, operand: this.unary() });
    }
    return rest.length ? made({ type: "compare", first, rest }, [first, ...rest.map((r) => r.operand)]) : first;
  }
  private unary(): Node {
    if (this.accept("-"))
      return this.prefix(() => {
        const operand = this.unary();
        return made({ type: "neg", operand }, [operand]);
      });
    // unary plus is a node of Python's tree too (it only leaves a number as it is)
    if (this.accept("+"))
      return this.prefix(() => {
        const operand = this.unary();
        return made({ type: "pos", operand }, [operand]);
      });
    let node = this.atom();
    for (;;) {
      if (this.accept(".")) {
        const name = this.next();
        if (name.kind !== "name") throw new ConditionError(`expected an attribute name, found ${quoteValue(name.text)}`);
        node = made({ type: "attr", target: node, name: name.text }, [node]);
      } else if (this.accept("(")) {
        const args = this.list(")").items;
        node = made({ type: "call", target: node, args }, [node, ...args]);
      } else if (this.accept("[")) {
        const index = this.test();
        this.expect("]");
        node = made({ type: "index", target: node, index }, [node, index]);
      } else {
        return node;
      }
    }
  }
  private atom(): Node {
    const token = this.next();
    if (token.kind === "number") return { type: "literal", value: token.value! };
    if (token.kind === "string") {
      const parts = [token.value as string];
      while (this.peek().kind === "string") parts.push(this.next().value as string);
      return { type: "literal", value: parts.join("") };
    }
    if (token.kind === "name") {
      if (token.text === "True") return { type: "literal", value: true };
      if (token.text === "False") return { type: "literal", value: false };
      if (token.text === "None") return { type: "literal", value: null };
      if (KEYWORDS.has(token.text)) throw new ConditionError(`unsupported syntax at ${quoteValue(token.text)}`);
      return { type: "name", name: token.text };
    }
    if (token.text === "(") {
      const { items, single } = this.list(")");
      return single ? items[0]! : made({ type: "seq", kind: "tuple", items }, items);
    }
    if (token.text === "[") {
      const items = this.list("]").items;
      return made({ type: "seq", kind: "list", items }, items);
    }
    throw new ConditionError(`unexpected ${quoteValue(token.text)}`);
  }
}

/** The tree of `source`, or a ConditionError saying what Python would refuse. */
export function parseExpression(source: string): Node {
  return new Parser(tokenize(source)).parseAll();
}

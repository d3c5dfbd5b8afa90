/** What the resolver works on: zc.buildout's annotated sections (`SectionKey`). */

/** How a value got its current content (zc.buildout's `HistoryItem.operation`). */
export type KeyOperation = "SET" | "OVERRIDE" | "ADD" | "REMOVE" | "DIRECTORY";

/** Sources that are not files, as zc.buildout names them in `annotate`. */
export const DEFAULT_VALUE = "DEFAULT_VALUE";
export const COMPUTED_VALUE = "COMPUTED_VALUE";
export const COMMAND_LINE_VALUE = "COMMAND_LINE_VALUE";
export const IMPLICIT_VALUE = "IMPLICIT_VALUE";

/** A value and where it was last set: zc.buildout's `SectionKey`, keeping the latest history item only. */
export class Key {
  constructor(
    public value: string,
    public source: string,
    public line?: number,
    public operation: KeyOperation = "SET",
  ) {}

  clone(): Key {
    return new Key(this.value, this.source, this.line, this.operation);
  }

  overrideValue(other: Key): void {
    this.value = other.value;
    if (other.operation !== "ADD" && other.operation !== "REMOVE") {
      this.source = other.source;
      this.line = other.line;
      this.operation = "OVERRIDE";
    }
  }

  setDirectory(value: string): void {
    this.value = value;
    this.operation = "DIRECTORY";
  }

  addToValue(added: Key): void {
    this.value = `${this.value}\n${added.value}`;
    this.setSource(added, "ADD");
  }

  removeFromValue(removed: Key): void {
    const lines = removed.value.split("\n");
    this.value = this.value
      .split("\n")
      .filter((line) => !lines.includes(line))
      .join("\n");
    this.setSource(removed, "REMOVE");
  }

  private setSource(from: Key, operation: KeyOperation): void {
    this.source = from.source;
    this.line = from.line;
    this.operation = operation;
  }
}

/** Options of a section in file order (Python dicts keep insertion order). */
export type Section = Map<string, Key>;
export type Sections = Map<string, Section>;

export function cloneSection(section: Section): Section {
  return new Map([...section].map(([name, key]) => [name, key.clone()]));
}

/** A failure zc.buildout would stop on; caught at the API boundary and turned into a Problem. */
export class BuildoutError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = "BuildoutError";
  }
}

// Internal to @autowatch/manifest: not exported (the public API is what README.md documents).
/** The options a section sees through its inherit chain and the `[DEFAULT]` sections, and where each was written. */

import { quoteValue } from "@autowatch/watchfile/text";
import { DEFAULT_SECTION, type ConfigDocument, type RawOption, type RawSection } from "./dialect.js";
import type { Definition } from "./inherit.js";
import type { BuildFactory } from "./types.js";

export /** Where an option of a section's merged set was written. */
interface OptionSource {
  file: string;
  /** The section that supplied it; undefined for `[DEFAULT]`. */
  section?: RawSection;
}

export type Origin = BuildFactory["optionOrigins"][string];

/** A `[DEFAULT]` option with its origin, made once per file and shared by every section that takes the option. */
interface DefaultOption {
  option: RawOption;
  origin: Origin;
}

export class DefaultsCache {
  private readonly byDocument = new Map<ConfigDocument, DefaultOption[]>();

  of(document: ConfigDocument): DefaultOption[] {
    let entries = this.byDocument.get(document);
    if (entries === undefined) {
      entries = [];
      for (const option of document.defaults.options.values())
        if (option.name !== "inherit") entries.push({ option, origin: { file: document.file, line: option.line } });
      this.byDocument.set(document, entries);
    }
    return entries;
  }
}

/**
 * The options a section sees, the first found winning: its own, its inherit parents', then the
 * `[DEFAULT]` of each file of the chain (DEFAULT comes last: a parent's explicit value beats a default).
 * Read through the sections' own maps: most sections have no inherit, and a merged copy would cost more than it saves.
 */
export class MergedOptions {
  /** The documents of the chain, each once, in chain order. */
  readonly documents: ConfigDocument[];

  constructor(
    private readonly chain: Definition[],
    private readonly defaults: DefaultsCache,
  ) {
    this.documents = chain.length === 1 ? [chain[0]!.document] : [...new Set(chain.map((d) => d.document))];
  }

  get(name: string): RawOption | undefined {
    for (const { section } of this.chain) {
      const option = section.options.get(name);
      if (option) return option;
    }
    if (name === "inherit") return undefined;
    for (const document of this.documents) {
      const option = document.defaults.options.get(name);
      if (option) return option;
    }
    return undefined;
  }

  /** Visits each option that wins, in the order its name first appears (the section's own first); a default comes with its shared origin. */
  forEach(visit: (option: RawOption, defaultOrigin?: Origin) => void): void {
    const { chain } = this;
    if (chain.length === 1) {
      for (const option of chain[0]!.section.options.values()) visit(option);
      for (const document of this.documents) {
        for (const { option, origin } of this.defaults.of(document)) if (this.get(option.name) === option) visit(option, origin);
      }
      return;
    }
    // the first of a name in chain order wins (what get() finds): one pass, names remembered
    const seen = new Set<string>();
    for (const { section } of chain) {
      for (const option of section.options.values()) {
        if (seen.has(option.name)) continue;
        seen.add(option.name);
        visit(option);
      }
    }
    for (const document of this.documents) {
      for (const { option, origin } of this.defaults.of(document)) {
        if (seen.has(option.name)) continue;
        seen.add(option.name);
        visit(option, origin);
      }
    }
  }

  /** Where an option was written: looked up only when a message or a chain across files needs it. */
  sourceOf(option: RawOption): OptionSource {
    for (const { section, document } of this.chain) if (section.options.get(option.name) === option) return { file: document.file, section };
    const document = this.documents.find((d) => d.defaults.options.get(option.name) === option) ?? this.documents[0]!;
    return { file: document.file };
  }

  fileOf(option: RawOption): string {
    return this.documents.length === 1 ? this.documents[0]!.file : this.sourceOf(option).file;
  }
}

/** Where a merged option came from, for messages. */
export function origin({ section, file }: OptionSource): string {
  return section ? quoteValue(section.name) : `[${DEFAULT_SECTION}] of ${quoteValue(file)}`;
}

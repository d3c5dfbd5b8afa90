export * from "./schema.js";
export { safeBuilderFileName, watchFileNameFor } from "./names.js";
export { quoteValue, escapeControls, hasControlCharacters } from "./quote.js";

export type * from "./types.js";
export * from "./resolve/index.js";
export * from "./extract/index.js";
export * from "./classify/index.js";
export * from "./output.js";

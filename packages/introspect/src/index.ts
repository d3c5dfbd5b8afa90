export type * from "./types.js";
export * from "./resolve/index.js";
export * from "./extract/index.js";
export * from "./classify/index.js";
export * from "./output.js";
export * from "./introspect.js";
export * from "./formats/index.js";
export { INTROSPECT_VERSION, GENERATOR } from "./version.js";

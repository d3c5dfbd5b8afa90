// `@autowatch/introspect/resolve`: the buildout resolver alone. It loads neither simple-git,
// p-limit nor zod, so a program that only resolves starts fast.
export { resolveBuildout, parseBuildoutFile, pythonEnvironment, nodeResolveFileSystem, resolveSections } from "./resolve/index.js";
export type { BuildoutParseResult, BuildoutParsedOption, PythonEnvironment, ResolveCoreOptions, ResolveFileSystem } from "./resolve/index.js";
export type { ValueOrigin, ResolvedOption, ResolvedSections, ResolveOptions, ResolveResult } from "./types.js";

// `@autowatch/introspect`: what its README documents, nothing more. The resolver is
// `@autowatch/introspect/resolve` (src/resolver.ts); every other module is internal.
export { introspect, introspectFiles, introspectSections } from "./introspect.js";
export type { CommonOptions, IntrospectOptions, IntrospectFilesOptions, IntrospectSectionsOptions, IntrospectResult, SourceFile } from "./introspect.js";
export { buildWatchFile, writeWatchFile, type WatchFileParts } from "./output.js";
export { extractSources } from "./extract/index.js";
export type { ExtractOptions, ExtractResult, SourceKind, SourceSpec } from "./extract/index.js";
export { classifyRevision, type Verdict } from "./classify/rules.js";
export { classifyGitRef, classifyHgName, classifySources } from "./classify/index.js";
export type { ClassifyOptions, ClassifyProgress, Classification, GitRefs, HgNames } from "./classify/index.js";
export { FORMATS, detectSourceFiles, sourceFileFor } from "./formats/index.js";
export type { FormatId, FormatInput, FormatResult, SourceFormat } from "./formats/index.js";
export { parseRequirementsText, type RequirementLine, type ParsedRequirements, type Include } from "./formats/pip/parse.js";
export type { PipVcsUrl } from "./formats/pip/url.js";
export { extractRepos, type ReposExtraction } from "./formats/git-aggregator/extract.js";
export type { ResolvedSections, ResolvedOption, ValueOrigin } from "./types.js";

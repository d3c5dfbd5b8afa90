// Internal to @autowatch/cli: not exported (the public API is what README.md documents).
declare const __AUTOWATCH_VERSION__: string | undefined;

/** Injected at build time by tsup (`define`); the fallback only shows in unbuilt test runs. */
export const VERSION: string = typeof __AUTOWATCH_VERSION__ === "string" ? __AUTOWATCH_VERSION__ : "0.0.0-dev";

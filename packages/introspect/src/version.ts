// Internal to @autowatch/introspect: not exported (the public API is what README.md documents).
/** This package's version, as written in watch files (a test keeps it equal to package.json's). */
export const INTROSPECT_VERSION = "0.1.0";

export const GENERATOR = `@autowatch/introspect ${INTROSPECT_VERSION}`;

#!/usr/bin/env node
// Writes the JSON Schemas (generated from the zod schemas by the freshly built dist/) into
// schema/, which is shipped in the package. Run by `build` after tsup.
import { mkdirSync, writeFileSync } from "node:fs";
import { jsonSchemaFiles } from "../dist/json-schema.js";

const directory = new URL("../schema/", import.meta.url);
mkdirSync(directory, { recursive: true });
for (const [name, generate] of Object.entries(jsonSchemaFiles)) {
  writeFileSync(new URL(name, directory), `${JSON.stringify(generate(), null, 2)}\n`);
}

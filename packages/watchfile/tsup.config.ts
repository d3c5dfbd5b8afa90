import { packageConfig } from "../../tsup.base.js";

export default packageConfig({
  // text: the zod-free subpath `@autowatch/watchfile/text`
  // json-schema: internal, for scripts/schema.mjs (not in the exports map)
  entry: ["src/index.ts", "src/text.ts", "src/json-schema.ts"],
  // zod and jsonc-parser inlined: as ~60 separate ES modules they took 60-80 ms to load at each
  // start of a command, against ~25 ms as part of one file. The declarations still name zod's
  // types, so zod stays a dependency; the schemas are zod 4 schemas either way (its instanceof
  // checks look at traits, not at which copy made them). zod is imported as a namespace
  // (`import * as z`): esbuild then leaves out what the package never uses, its locales too
  noExternal: ["zod", "jsonc-parser"],
});

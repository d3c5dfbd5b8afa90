import { packageConfig } from "../../tsup.base.js";

export default packageConfig({
  // text: the zod-free subpath `@autowatch/watchfile/text`
  // json-schema: internal, for scripts/schema.mjs (not in the exports map)
  entry: ["src/index.ts", "src/text.ts", "src/json-schema.ts"],
});

import { packageConfig } from "../../tsup.base.js";

export default packageConfig({
  // resolve: the subpath `@autowatch/introspect/resolve` (the resolver without git, zod or file writing)
  entry: { index: "src/index.ts", resolve: "src/resolver.ts" },
});

import { packageConfig } from "../../tsup.base.js";

export default packageConfig({ entry: ["src/index.ts"] });

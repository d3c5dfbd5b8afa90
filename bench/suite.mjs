// The benchmarks `pnpm bench` knows, in the order they run.
import { classifyBench } from "./classify.mjs";
import { explainBench } from "./explain.mjs";
import { mergeBench } from "./merge.mjs";
import { resolveBench } from "./resolve.mjs";
import { startupBench } from "./startup.mjs";

export const benchmarks = [mergeBench, explainBench, resolveBench, classifyBench, startupBench];

// A full GC before each measured run keeps one variant's garbage from being collected on the
// next variant's time (in-process comparisons).
import v8 from "node:v8";
import vm from "node:vm";

v8.setFlagsFromString("--expose-gc");
const collect = vm.runInNewContext("gc");

export function fullGc() {
  collect();
}

// What the numbers were measured on: results.json and docs/performance.md show it next to them.
import { spawnSync } from "node:child_process";
import os from "node:os";
import { ROOT } from "./paths.mjs";

function output(command, args) {
  const result = spawnSync(command, args, { encoding: "utf8", cwd: ROOT });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

export const PYTHON = "/usr/bin/python3";
export const ZC_BUILDOUT_PRELUDE = "import collections, collections.abc; collections.MutableMapping = collections.abc.MutableMapping";

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? "unknown",
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    git: output("git", ["--version"])?.replace(/^git version /, ""),
    python: output(PYTHON, ["-c", "import platform; print(platform.python_version())"]),
    zcBuildout: output(PYTHON, ["-c", "from importlib.metadata import version; print(version('zc.buildout'))"]),
    commit: output("git", ["rev-parse", "--short", "HEAD"]),
    loadAverage: os.loadavg().map((value) => Math.round(value * 100) / 100),
    date: new Date().toISOString(),
  };
}

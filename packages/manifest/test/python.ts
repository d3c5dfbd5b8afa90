import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("./configparser_dump.py", import.meta.url));

function findPython(): string {
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    try {
      execFileSync(candidate, ["-c", "import configparser"], { stdio: "ignore" });
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error("python3 is needed for the differential tests");
}

export type PythonValue = string | { error: string };
export type PythonView = { error: string } | { sections: Record<string, Record<string, PythonValue>> };

/** What Python 3's `configparser.ConfigParser()` reads from each file (see configparser_dump.py), by path. */
export function pythonConfigParser(paths: string[]): Record<string, PythonView> {
  const output = execFileSync(findPython(), [script, ...paths], { encoding: "utf8", env: { ...process.env, PYTHONIOENCODING: "utf-8" } });
  return JSON.parse(output) as Record<string, PythonView>;
}

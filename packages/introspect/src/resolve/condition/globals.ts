/** What a condition expression can name: zc.buildout's default globals, emulated for the buildout's interpreter. */

import { PY_INT_SPACE, quoteValue } from "@autowatch/watchfile/text";
import { ConditionError, fn, numeric, str, truthy, typeName, type PyDict, type PyObject, type PySequence, type PyValue } from "./values.js";

/** What `int(text)` accepts (ASCII digits only here), and the whitespace it skips: not `\s` (no U+FEFF, no U+001C..U+001F). */
const INT_TEXT = new RegExp(`^[${PY_INT_SPACE}]*[+-]?\\d+[${PY_INT_SPACE}]*$`);
const INT_SPACES = new RegExp(`[${PY_INT_SPACE}]`, "g");

export interface PythonEnvironment {
  /** `platform.python_version()` of the buildout's interpreter, e.g. "3.11.2". */
  pythonVersion: string;
  /** `sys.executable`. */
  executable: string;
  /** Node's `process.platform` and `process.arch` of this machine. */
  platform: string;
  arch: string;
  littleEndian: boolean;
  env: Record<string, string | undefined>;
}

const MINOR_VERSIONS = ["24", "25", "26", "27", "30", "31", "32", "33", "34", "35", "36"];

/** What Python itself would report about the interpreter and the machine it runs on. */
interface Interpreter {
  major: number;
  minor: number;
  micro: number;
  /** `sys.platform`. */
  sysPlatform: string;
  /** `os.name`. */
  osName: string;
  bits: 32 | 64;
  /** `platform.machine()`. */
  machine: string;
}

function interpreterOf(python: PythonEnvironment): Interpreter {
  const version = python.pythonVersion.split(".").concat(["0", "0"]).slice(0, 3);
  const [major, minor, micro] = version.map((part) => Number.parseInt(part, 10) || 0) as [number, number, number];
  const sysPlatform =
    python.platform === "win32"
      ? "win32"
      : python.platform === "darwin"
        ? "darwin"
        : python.platform === "cygwin"
          ? "cygwin"
          : python.platform === "sunos"
            ? "sunos5"
            : python.platform;
  const machine =
    python.arch === "x64"
      ? python.platform === "win32"
        ? "AMD64"
        : "x86_64"
      : python.arch === "arm64"
        ? python.platform === "linux"
          ? "aarch64"
          : "arm64"
        : python.arch === "ia32"
          ? "i686"
          : python.arch;
  return { major, minor, micro, sysPlatform, osName: python.platform === "win32" ? "nt" : "posix", bits: /64/.test(python.arch) ? 64 : 32, machine };
}

function sysModule(python: PythonEnvironment, { major, minor, micro, sysPlatform, bits }: Interpreter): PyObject {
  const versionInfo: PySequence = {
    kind: "tuple",
    items: [major, minor, micro, "final", 0],
    attrs: { major, minor, micro, releaselevel: "final", serial: 0 },
  };
  return {
    kind: "module",
    name: "sys",
    attrs: {
      platform: sysPlatform,
      version_info: versionInfo,
      version: `${major}.${minor}.${micro} (emulated by autowatch)`,
      byteorder: python.littleEndian ? "little" : "big",
      maxsize: bits === 64 ? 2 ** 63 - 1 : 2 ** 31 - 1,
      executable: python.executable,
    },
  };
}

function osModule(python: PythonEnvironment, { osName }: Interpreter): PyObject {
  const environ: PyDict = { kind: "dict", entries: new Map(Object.entries(python.env).filter((e): e is [string, string] => e[1] !== undefined)) };
  const getenv = fn("get", (args) => {
    const key = args[0];
    if (typeof key !== "string") throw new ConditionError("os.environ.get() needs a string");
    return environ.entries.get(key) ?? args[1] ?? null;
  });
  return { kind: "module", name: "os", attrs: { name: osName, sep: osName === "nt" ? "\\" : "/", environ, getenv } };
}

function platformModule(python: PythonEnvironment, { major, minor, micro, machine }: Interpreter): PyObject {
  const system = { linux: "Linux", darwin: "Darwin", win32: "Windows", freebsd: "FreeBSD", sunos: "SunOS" }[python.platform] ?? python.platform;
  const pythonVersion = `${major}.${minor}.${micro}`;
  return {
    kind: "module",
    name: "platform",
    attrs: {
      system: fn("system", () => system),
      machine: fn("machine", () => machine),
      python_version: fn("python_version", () => pythonVersion),
      python_version_tuple: fn("python_version_tuple", () => ({ kind: "tuple", items: [String(major), String(minor), String(micro)] })),
      python_implementation: fn("python_implementation", () => "CPython"),
    },
  };
}

/** The builtins conditions call: `len`, `str`, `bool`, `int`. */
const BUILTINS: [string, PyValue][] = [
  [
    "len",
    fn("len", (args) => {
      const value = args[0] ?? null;
      if (typeof value === "string") return Array.from(value).length;
      if (value && typeof value === "object" && (value.kind === "tuple" || value.kind === "list")) return value.items.length;
      throw new ConditionError(`object of type '${typeName(value)}' has no len()`);
    }),
  ],
  ["str", fn("str", (args) => str(args[0] ?? ""))],
  ["bool", fn("bool", (args) => truthy(args[0] ?? false))],
  [
    "int",
    fn("int", (args) => {
      const value = args[0] ?? 0;
      if (typeof value === "string" && INT_TEXT.test(value)) return Number.parseInt(value.replace(INT_SPACES, ""), 10);
      const n = numeric(value);
      if (n === undefined) throw new ConditionError(`invalid literal for int(): ${quoteValue(str(value))}`);
      return Math.trunc(n);
    }),
  ],
];

/** The globals of `zc.buildout.buildout._default_globals()` plus the builtins expressions use. */
export function defaultGlobals(python: PythonEnvironment): Map<string, PyValue> {
  const interpreter = interpreterOf(python);
  const { major, minor, sysPlatform, osName, bits } = interpreter;
  const globals = new Map<string, PyValue>([
    ["sys", sysModule(python, interpreter)],
    ["os", osModule(python, interpreter)],
    ["platform", platformModule(python, interpreter)],
    ["re", { kind: "module", name: "re", attrs: {} }],
    ["python2", major === 2],
    ["python3", major === 3],
    ["cpython", true],
    ["pypy", false],
    ["jython", false],
    ["ironpython", false],
    ["linux", sysPlatform.includes("linux")],
    ["windows", sysPlatform.includes("win32")],
    ["cygwin", sysPlatform.includes("cygwin")],
    ["solaris", sysPlatform.includes("sunos")],
    ["macosx", sysPlatform.includes("darwin")],
    ["posix", osName === "posix"],
    ["bits32", bits === 32],
    ["bits64", bits === 64],
    ["little_endian", python.littleEndian],
    ["big_endian", !python.littleEndian],
    ...BUILTINS,
  ]);
  for (const v of MINOR_VERSIONS) globals.set(`python${v}`, `${major}${minor}` === v);
  return globals;
}

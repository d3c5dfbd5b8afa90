/**
 * What `Buildout.__init__` merges before it resolves anything: zc.buildout's defaults, the
 * user's default.cfg, the configuration and its extends, the command-line options, the
 * versions section and the cache directories made absolute.
 */
import { comparePyStrings, quoteValue, pyStrip } from "@autowatch/watchfile/text";
import { defaultGlobals, type PythonEnvironment, type PyValue } from "./condition/index.js";
import { type ResolveFileSystem, openConfig, updateSections } from "./load.js";
import { BuildoutError, COMMAND_LINE_VALUE, COMPUTED_VALUE, DEFAULT_VALUE, Key, type Section, type Sections, cloneSection } from "./model.js";
import { dirname, isUrl, normpath, pathJoin, trimSlashes } from "./posixpath.js";

export interface ResolveCoreOptions {
  /** The `-c` file as given (relative to `cwd`) or a URL. */
  config: string;
  cwd: string;
  overrides: string[];
  /** Read `$BUILDOUT_HOME/default.cfg` or `~/.buildout/default.cfg`. */
  userDefaults: boolean;
  env: Record<string, string | undefined>;
  python: PythonEnvironment;
  /** Version of zc.buildout for the `zc.buildout = >=VERSION` pin it adds to [versions]; none when unknown. */
  buildoutVersion?: string;
  fs: ResolveFileSystem;
}

/** zc.buildout 2.13's `_buildout_default_options` (`executable` is the interpreter's). */
export function buildoutDefaults(executable: string): [string, string][] {
  return [
    ["allow-hosts", "*"],
    ["allow-picked-versions", "true"],
    ["bin-directory", "bin"],
    ["develop-eggs-directory", "develop-eggs"],
    ["eggs-directory", "eggs"],
    ["executable", executable],
    ["find-links", ""],
    ["install-from-cache", "false"],
    ["installed", ".installed.cfg"],
    ["log-format", ""],
    ["log-level", "INFO"],
    ["newest", "true"],
    ["offline", "false"],
    ["parts-directory", "parts"],
    ["prefer-final", "true"],
    ["python", "buildout"],
    ["show-picked-versions", "false"],
    ["socket-timeout", ""],
    ["update-versions-file", ""],
    ["use-dependency-links", "true"],
    ["allow-unknown-extras", "false"],
  ];
}

export const STANDARD_DIRECTORIES = ["bin", "parts", "eggs", "develop-eggs"];
export const NOT_A_FILE = new Set([DEFAULT_VALUE, COMPUTED_VALUE, COMMAND_LINE_VALUE]);

/** `section:option=value` as zc.buildout's `main` reads it (also `option+=value`, `option-=value`). */
export function parseOverride(text: string): [string, string, string] {
  const equals = text.indexOf("=");
  if (equals < 0) throw new BuildoutError("buildout.override.invalid", `invalid override ${quoteValue(text)}: expected section:option=value`);
  const names = text.slice(0, equals).split(":");
  if (names.length > 2) throw new BuildoutError("buildout.override.invalid", `invalid override ${quoteValue(text)}: too many colons`);
  const [section, option] = names.length === 1 ? ["buildout", names[0]!] : [names[0]!, names[1]!];
  return [pyStrip(section), pyStrip(option), pyStrip(text.slice(equals + 1))];
}

function expandUser(path: string, env: Record<string, string | undefined>): string {
  if (path !== "~" && !path.startsWith("~/")) return path;
  const home = env.HOME;
  return home === undefined ? path : (home.slice(0, trimSlashes(home)) || "/") + path.slice(1);
}
/** The files (user defaults, configuration, extends) and the command line, merged as `Buildout.__init__` merges them. */
export function loadSections(options: ResolveCoreOptions): Sections {
  const { fs, env } = options;
  const data: Sections = new Map([["buildout", new Map(buildoutDefaults(options.python.executable).map(([n, v]) => [n, new Key(v, DEFAULT_VALUE)]))]]);
  let globals: Map<string, PyValue> | undefined;
  const context = { fs, globals: () => (globals ??= defaultGlobals(options.python)) };

  let config = options.config;
  if (config && !isUrl(config)) {
    config = normpath(pathJoin(options.cwd, config));
    if (!fs.exists(config)) throw new BuildoutError("buildout.read.failed", `couldn't open ${quoteValue(config)}`);
    data.get("buildout")!.set("directory", new Key(dirname(config), COMPUTED_VALUE));
  }

  const commandLine: Sections = new Map();
  const sortedOverrides = options.overrides
    .map(parseOverride)
    .sort((a, b) => comparePyStrings(a[0], b[0]) || comparePyStrings(a[1], b[1]) || comparePyStrings(a[2], b[2]));
  for (const [section, option, value] of sortedOverrides) {
    if (!commandLine.has(section)) commandLine.set(section, new Map());
    commandLine.get(section)!.set(option, new Key(value, COMMAND_LINE_VALUE));
  }
  const override = cloneSection(commandLine.get("buildout") ?? new Map());

  if (options.userDefaults) {
    const home = env.BUILDOUT_HOME ? env.BUILDOUT_HOME : pathJoin(expandUser("~", env), ".buildout");
    const userConfig = pathJoin(home, "default.cfg");
    if (fs.exists(userConfig)) {
      updateSections(data, openConfig(dirname(userConfig), userConfig, [], cloneSection(data.get("buildout")!), override, context, { file: userConfig }));
    }
  }
  if (config) {
    updateSections(
      data,
      openConfig(isUrl(config) ? "" : dirname(config), config, [], cloneSection(data.get("buildout")!), override, context, { file: config }),
    );
  }
  return updateSections(data, commandLine);
}

/** The versions section (created when [buildout] names none) and the pins zc.buildout adds; returns its name. */
export function addVersions(data: Sections, buildoutVersion: string | undefined): string {
  const buildout = data.get("buildout")!;
  if (!buildout.has("versions")) {
    buildout.set("versions", new Key("versions", DEFAULT_VALUE));
    if (!data.has("versions")) data.set("versions", new Map());
  }
  const key = buildout.get("versions")!;
  if (!key.value) return "";
  const versions = data.get(key.value);
  if (!versions)
    throw new BuildoutError(
      "buildout.section.missing",
      `the versions section ${quoteValue(key.value)} named by [buildout] versions does not exist`,
      key.source,
      key.line,
    );
  const pins: [string, string | undefined][] = [
    ["zc.buildout", buildoutVersion && `>=${buildoutVersion}`],
    ["zc.recipe.egg", ">=2.0.6"],
  ];
  for (const [name, pin] of pins) if (pin && !versions.has(name)) versions.set(name, new Key(pin, DEFAULT_VALUE));
  return key.value;
}

/** download-cache, eggs-directory and extends-cache are relative to the file that set them. */
export function absolutizeCaches(buildout: Section, options: ResolveCoreOptions): void {
  for (const name of ["download-cache", "eggs-directory", "extends-cache"]) {
    const key = buildout.get(name);
    if (!key || key.value.includes("${") || key.value.startsWith("/")) continue;
    let base: string;
    if (NOT_A_FILE.has(key.source)) {
      base = buildout.get("directory")?.value ?? options.cwd;
    } else {
      if (isUrl(key.source)) {
        throw new BuildoutError(
          "buildout.option.invalid",
          `setting ${quoteValue(name)} to a non absolute location (${quoteValue(key.value)}) within a remote configuration file (${quoteValue(key.source)}) is ambiguous`,
          key.source,
          key.line,
        );
      }
      base = dirname(key.source);
    }
    let absolute = expandUser(key.value, options.env);
    if (!absolute.startsWith("/")) absolute = pathJoin(base, absolute);
    key.setDirectory(normpath(pathJoin(options.cwd, absolute)));
  }
}

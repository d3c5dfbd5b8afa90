// Installs the five packages the way a user gets them (pnpm pack → npm install of the
// tarballs in a fresh project outside the workspace) and uses their public API from plain
// Node ESM and from TypeScript (NodeNext). Needs the packages built beforehand
// (`pnpm exec turbo run build`, which `npm test` does) and the npm registry for third-party deps.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const names = ["watchfile", "manifest", "introspect", "merge", "cli"] as const;
type Name = (typeof names)[number];
/** What each tarball may hold besides package.json and README.md. */
const shipped: Record<Name, string[]> = {
  watchfile: ["dist/", "schema/"],
  manifest: ["dist/"],
  introspect: ["dist/"],
  merge: ["dist/"],
  // the cli ships the operators guide and the contract (prepack copies them from docs/)
  cli: ["dist/", "docs/operators.md", "docs/spec.md"],
};
const INSTALL_TIMEOUT = 240_000;

let work = "";
let project = "";
const tarballs = {} as Record<Name, string>;

async function sh(command: string, args: string[], cwd: string, timeout = 60_000): Promise<string> {
  try {
    const { stdout } = await run(command, args, {
      cwd,
      timeout,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, npm_config_update_notifier: "false", NO_COLOR: "1" },
    });
    return stdout;
  } catch (error) {
    const { stdout = "", stderr = "", message } = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}: ${message}\n${stdout}\n${stderr}`);
  }
}

beforeAll(async () => {
  const missing = names.filter((name) => !existsSync(join(root, "packages", name, "dist", "index.js")));
  if (missing.length > 0) {
    throw new Error(`not built: ${missing.map((name) => `packages/${name}/dist`).join(", ")}; run \`pnpm exec turbo run build\` first`);
  }
  work = mkdtempSync(join(tmpdir(), "autowatch-consumer-"));
  const packs = join(work, "packs");
  mkdirSync(packs);
  for (const name of names) {
    const before = new Set(readdirSync(packs));
    await sh("pnpm", ["pack", "--pack-destination", packs], join(root, "packages", name));
    const created = readdirSync(packs).filter((file) => !before.has(file) && file.endsWith(".tgz"));
    if (created.length !== 1) throw new Error(`pnpm pack of ${name} made ${created.length} tarballs`);
    tarballs[name] = join(packs, created[0]!);
  }

  project = join(work, "project");
  mkdirSync(project);
  // `overrides` sends the packages' own dependencies on each other to the tarballs too.
  const local = Object.fromEntries(names.map((name) => [`@autowatch/${name}`, `file:${tarballs[name]}`]));
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module", dependencies: local, overrides: local }, null, 2),
  );
  await sh("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"], project, INSTALL_TIMEOUT - 30_000);
}, INSTALL_TIMEOUT);

afterAll(() => {
  if (work !== "") rmSync(work, { recursive: true, force: true });
});

describe("published packages", () => {
  it.each(names)("the @autowatch/%s tarball holds only package.json, README.md, CHANGELOG.md, LICENSE and its build", async (name) => {
    const entries = (await sh("tar", ["-tzf", tarballs[name]], work)).split("\n").filter(Boolean);
    const files = entries.map((entry) => entry.replace(/^package\//, ""));
    expect(files).toContain("package.json");
    expect(files).toContain("README.md");
    expect(files).toContain("CHANGELOG.md");
    expect(files).toContain("dist/index.js");
    // the Buildbot helper, built into one file (`autowatch buildbot-helper` prints it)
    if (name === "cli") expect(files).toContain("dist/autowatch_buildbot.py");
    const unexpected = files.filter(
      (file) => !["package.json", "README.md", "CHANGELOG.md", "LICENSE"].includes(file) && !shipped[name].some((prefix) => file.startsWith(prefix)),
    );
    expect(unexpected).toEqual([]);
    const manifest = JSON.parse(await sh("tar", ["-xzOf", tarballs[name], "package/package.json"], work)) as {
      dependencies?: Record<string, string>;
    };
    const workspaceRefs = Object.entries(manifest.dependencies ?? {}).filter(([, range]) => range.startsWith("workspace:"));
    expect(workspaceRefs).toEqual([]);
  });

  it("the watchfile tarball ships the JSON Schemas", async () => {
    const files = (await sh("tar", ["-tzf", tarballs.watchfile], work)).split("\n");
    for (const schema of ["watchfile.json", "watchfile-legacy.json", "state.json"]) {
      expect(files).toContain(`package/schema/${schema}`);
    }
  });

  it("installs every @autowatch package from the tarballs, none from the registry", () => {
    const lock = JSON.parse(readFileSync(join(project, "package-lock.json"), "utf8")) as {
      packages: Record<string, { resolved?: string; version?: string }>;
    };
    const ours = Object.entries(lock.packages).filter(([path]) => /(^|\/)node_modules\/@autowatch\//.test(path));
    expect(ours.map(([path]) => path).sort()).toEqual(names.map((name) => `node_modules/@autowatch/${name}`).sort());
    for (const [path, entry] of ours) expect(`${path} ${entry.resolved}`).toMatch(/ file:/);
  });

  it("works from plain Node ESM", async () => {
    const script = `
      import * as watchfile from "@autowatch/watchfile";
      import * as manifest from "@autowatch/manifest";
      import * as introspect from "@autowatch/introspect";
      import * as merge from "@autowatch/merge";
      import * as cli from "@autowatch/cli";
      import schema from "@autowatch/watchfile/schema/watchfile.json" with { type: "json" };
      const where = (name) => import.meta.resolve(name);
      const parsed = watchfile.parseWatchFile('[{"vcs": "git", "url": "https://example.org/a.git", "revspec": "10.0"}]');
      const broken = watchfile.parseWatchFile('{"schema": "autowatch.watchfile/2", "watches": [');
      console.log(JSON.stringify({
        resolved: ["@autowatch/watchfile", "@autowatch/manifest", "@autowatch/introspect", "@autowatch/merge"].map(where),
        legacy: parsed.ok && parsed.legacy,
        watches: parsed.ok && parsed.value.watches.length,
        broken: broken.ok ? "accepted" : broken.problems[0].message,
        brokenCode: broken.ok ? "accepted" : broken.problems[0].code,
        serialized: watchfile.serializeWatchFile(parsed.value).endsWith("}\\n"),
        schemaId: schema.properties.schema.const,
        functions: {
          watchfile: ["parseWatchFile", "parseState", "serializeWatchFile", "serializeState", "watchFileJsonSchema"].filter((n) => typeof watchfile[n] !== "function"),
          manifest: ["parseManifests", "readManifests"].filter((n) => typeof manifest[n] !== "function"),
          introspect: Object.keys(introspect).filter((n) => typeof introspect[n] === "function").length,
          merge: ["mergeFarm", "runMerge", "explainBuilder"].filter((n) => typeof merge[n] !== "function"),
          cli: ["main"].filter((n) => typeof cli[n] !== "function"),
        },
      }));
    `;
    const output = await sh("node", ["--no-warnings", "--input-type=module", "-e", script], project);
    const result = JSON.parse(output) as {
      resolved: string[];
      legacy: boolean;
      watches: number;
      broken: string;
      brokenCode: string;
      serialized: boolean;
      schemaId: string;
      functions: { watchfile: string[]; manifest: string[]; introspect: number; merge: string[]; cli: string[] };
    };
    for (const url of result.resolved) expect(fileURLToPath(url).startsWith(join(project, "node_modules"))).toBe(true);
    expect(result.legacy).toBe(true);
    expect(result.watches).toBe(1);
    expect(result.broken).toMatch(/^not valid JSON \(truncated at byte \d+\)/);
    expect(result.brokenCode).toBe("watchfile.json.invalid");
    expect(result.serialized).toBe(true);
    expect(result.schemaId).toBe("autowatch.watchfile/2");
    expect(result.functions.watchfile).toEqual([]);
    expect(result.functions.manifest).toEqual([]);
    expect(result.functions.introspect).toBeGreaterThan(0);
    expect(result.functions.merge).toEqual([]);
    expect(result.functions.cli).toEqual([]);
  });

  it("the zod-free subpaths load neither zod, jsonc-parser, simple-git, p-limit nor write-file-atomic", async () => {
    // hooks that refuse the heavy dependencies, as packages (resolve) or inlined in a chunk of
    // @autowatch/watchfile's dist (load: zod's global config, jsonc-parser's scanner): loading one fails the script
    writeFileSync(
      join(project, "deny-heavy.mjs"),
      `const heavy = /\\/node_modules\\/(zod|jsonc-parser|secure-json-parse|simple-git|p-limit|write-file-atomic)\\//;
const inlined = /__zod_globalConfig|function createScanner\\(/;
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  if (heavy.test(result.url)) throw new Error("loaded " + result.url);
  return result;
}
export async function load(url, context, next) {
  const result = await next(url, context);
  if (result.source != null && inlined.test(String(result.source))) throw new Error("loaded /zod/ inlined in " + url);
  return result;
}
`,
    );
    writeFileSync(join(project, "buildout.cfg"), "[buildout]\nparts =\nname = a${:x}\nx = b\n");
    const script = `
      import { register } from "node:module";
      register("./deny-heavy.mjs", import.meta.url);
      const text = await import("@autowatch/watchfile/text");
      const resolver = await import("@autowatch/introspect/resolve");
      const result = await resolver.resolveBuildout({ config: "buildout.cfg", cwd: process.cwd(), noUserDefaults: true });
      console.log(JSON.stringify({
        resolved: [import.meta.resolve("@autowatch/watchfile/text"), import.meta.resolve("@autowatch/introspect/resolve")],
        name: result.ok && result.sections.buildout.name.value,
        quoted: text.quoteValue("a\\nb"),
        file: text.watchFileNameFor("odoo-10.0"),
        missing: [
          ...["quoteValue", "escapeControls", "hasControlCharacters", "watchFileNameFor", "safeBuilderFileName"].filter((n) => typeof text[n] !== "function"),
          ...["resolveBuildout", "parseBuildoutFile", "resolveSections"].filter((n) => typeof resolver[n] !== "function"),
        ],
      }));
      try {
        await import("@autowatch/watchfile");
        console.log("zod loaded anyway");
      } catch (error) {
        console.log(String(error.message).includes("/zod/") ? "zod refused" : error.message);
      }
    `;
    const output = await sh("node", ["--no-warnings", "--input-type=module", "-e", script], project);
    const [first = "", second] = output.trim().split("\n");
    const result = JSON.parse(first) as { resolved: string[]; name: string; quoted: string; file: string; missing: string[] };
    for (const url of result.resolved) expect(fileURLToPath(url).startsWith(join(project, "node_modules"))).toBe(true);
    expect(result.name).toBe("ab");
    expect(result.quoted).toBe('"a\\nb"');
    expect(result.file).toBe("odoo-10.0.json");
    expect(result.missing).toEqual([]);
    // the hook does refuse the main entry, which needs zod: the check above can fail
    expect(second).toBe("zod refused");
  });

  it("type-checks a TypeScript consumer with moduleResolution NodeNext", async () => {
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          module: "NodeNext",
          moduleResolution: "NodeNext",
          target: "ES2022",
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: ["node"],
          typeRoots: [join(root, "node_modules", "@types")],
        },
        files: ["consumer.ts"],
      }),
    );
    writeFileSync(
      join(project, "consumer.ts"),
      `import { parseWatchFile, serializeWatchFile, type Problem, type WatchFile } from "@autowatch/watchfile";
import * as manifest from "@autowatch/manifest";
import * as introspect from "@autowatch/introspect";
import * as merge from "@autowatch/merge";
import { quoteValue } from "@autowatch/watchfile/text";
import { resolveBuildout, type ResolveResult } from "@autowatch/introspect/resolve";
import { main, type CliContext } from "@autowatch/cli";

const exitCode: Promise<number> = main(["--version"]);
const context: CliContext | undefined = undefined;
const resolved: Promise<ResolveResult> = resolveBuildout({ config: "buildout.cfg" });
const quoted: string = quoteValue("x");
const result = parseWatchFile(new Uint8Array([0x5b, 0x5d]), { maxBytes: 1024, file: "w.json" });
const problems: Problem[] = result.ok ? result.warnings : result.problems;
const file: WatchFile | undefined = result.ok ? result.value : undefined;
const text: string | undefined = file && serializeWatchFile(file);
const used: unknown[] = [problems, text, manifest.parseManifests, introspect, merge.mergeFarm, resolved, quoted, exitCode, context];
export { used };
`,
    );
    const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
    await sh("node", [tsc, "-p", "tsconfig.json"], project, 170_000);
  }, 180_000); // skipLibCheck is off: the shipped .d.ts files and what they import are checked too

  it("runs the installed autowatch bin", async () => {
    const { version } = JSON.parse(readFileSync(join(root, "packages", "cli", "package.json"), "utf8")) as { version: string };
    const output = await sh(join(project, "node_modules", ".bin", "autowatch"), ["--version"], project);
    expect(output.trim()).toBe(`autowatch ${version}`);
  });
});

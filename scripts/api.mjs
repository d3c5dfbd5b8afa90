#!/usr/bin/env node
// API reports: one API Extractor run per typed entry point of each package's `exports` map, on the
// built declarations (dist/*.d.ts), written to packages/<pkg>/etc/<name>[-<subpath>].api.md.
//   node scripts/api.mjs [--check] [packages/<pkg> ...]
// Without --check the reports are rewritten (`pnpm api`); with --check a report that differs from
// what the declarations give fails (`pnpm lint` runs it through each package's lint script).
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import { Extractor, ExtractorConfig, ExtractorLogLevel } from "@microsoft/api-extractor";

const root = resolve(import.meta.dirname, "..");
const args = process.argv.slice(2);
const check = args.includes("--check");
const dirs = args.filter((a) => !a.startsWith("--")).map((a) => resolve(a));
const packageDirs = dirs.length > 0 ? dirs : readdirSync(join(root, "packages")).map((d) => join(root, "packages", d));

/** The declaration file an `exports` target gives TypeScript, or null (JSON files, package.json). */
function typesOf(target) {
  return target && typeof target === "object" && typeof target.types === "string" ? target.types : null;
}

// Messages that are not about the surface: no release tags (@public/@beta) are used, and comments
// are plain JSDoc, not TSDoc. A type that is used but not exported is kept in the report.
const messages = {
  compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
  extractorMessageReporting: {
    default: { logLevel: ExtractorLogLevel.Warning },
    "ae-missing-release-tag": { logLevel: ExtractorLogLevel.None },
    "ae-undocumented": { logLevel: ExtractorLogLevel.None },
    "ae-forgotten-export": { logLevel: ExtractorLogLevel.None, addToApiReportFile: true },
  },
  tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
};

/**
 * The members of each `z.ZodEnum<{ a: "a"; ... }>` in declarations, sorted: TypeScript prints
 * them in the order the program first met each string literal, which any unrelated change can
 * move; sorted, a report changes only when an enum does.
 */
function sortEnumMembers(text) {
  return text.replace(
    /(ZodEnum<\{\n)((?:[ \t]+[^\n{}]*;\n)+?)([ \t]*\}>)/g,
    (_, open, body, close) => `${open}${body.split("\n").filter(Boolean).sort().join("\n")}\n${close}`,
  );
}

/** Copies a package's built declarations, enums sorted, beside them (dist/.api/) for API Extractor. */
function stableDeclarations(dir, types) {
  const dist = join(dir, dirname(types));
  const copy = join(dist, ".api");
  rmSync(copy, { recursive: true, force: true });
  mkdirSync(copy);
  for (const file of readdirSync(dist).filter((f) => f.endsWith(".d.ts")))
    writeFileSync(join(copy, file), sortEnumMembers(readFileSync(join(dist, file), "utf8")));
  return join(copy, basename(types));
}

let failed = 0;
const temp = join(tmpdir(), `autowatch-api-${process.pid}`);
for (const dir of packageDirs) {
  const pkgFile = join(dir, "package.json");
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8"));
  const unscoped = pkg.name.replace(/^@[^/]+\//, "");
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    const types = typesOf(target);
    if (types === null) continue;
    const reportFileName = subpath === "." ? unscoped : `${unscoped}-${subpath.slice(2).replaceAll("/", "-")}`;
    const config = ExtractorConfig.prepare({
      configObject: {
        projectFolder: dir,
        mainEntryPointFilePath: stableDeclarations(dir, types),
        compiler: {
          overrideTsconfig: {
            compilerOptions: {
              module: "NodeNext",
              moduleResolution: "NodeNext",
              target: "ES2022",
              lib: ["ES2023"],
              types: ["node"],
              strict: true,
              skipLibCheck: true,
            },
          },
        },
        apiReport: { enabled: true, reportFolder: join(dir, "etc"), reportTempFolder: join(temp, unscoped), reportFileName: `${reportFileName}.api.md` },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        newlineKind: "lf",
        messages,
      },
      configObjectFullPath: join(dir, "api-extractor.json"),
      packageJsonFullPath: pkgFile,
    });
    mkdirSync(join(dir, "etc"), { recursive: true });
    let result;
    try {
      result = Extractor.invoke(config, { localBuild: !check, showVerboseMessages: false, messageCallback: quiet });
    } finally {
      rmSync(join(dir, dirname(types), ".api"), { recursive: true, force: true }); // never packed with dist
    }
    const report = relative(root, join(dir, "etc", `${reportFileName}.api.md`));
    if (result.succeeded) {
      if (!check && result.apiReportChanged) console.log(`api: ${report} updated`);
      continue;
    }
    failed++;
    if (result.apiReportChanged) {
      console.error(`api: ${report} is out of date with ${pkg.name}${subpath === "." ? "" : subpath.slice(1)}: run \`pnpm api\` and commit it`);
      const diff = spawnSync("diff", ["-u", join(dir, "etc", `${reportFileName}.api.md`), join(temp, unscoped, `${reportFileName}.api.md`)], {
        encoding: "utf8",
      });
      console.error(diff.stdout.split("\n").slice(2, 60).join("\n"));
    } else console.error(`api: ${basename(dir)} ${subpath}: ${result.errorCount} errors, ${result.warningCount} warnings`);
  }
}
rmSync(temp, { recursive: true, force: true });
process.exitCode = failed > 0 ? 1 : 0;

/** Keeps API Extractor's own banner and "report changed" chatter out; problems still print. */
function quiet(message) {
  if (message.logLevel === ExtractorLogLevel.Info || message.logLevel === ExtractorLogLevel.Verbose) message.handled = true;
  if (String(message.messageId).startsWith("console-api-report-")) message.handled = true;
}

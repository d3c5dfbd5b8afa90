#!/usr/bin/env node
// Brings a fresh machine (Node 20 + npm) to the point where the workspace builds and its
// tests run: pnpm (through npm), the workspace's dependencies, and the Debian packages the
// tests drive for real (Mercurial, Breezy, zc.buildout, pip, Buildbot 3.7, and 4.2 in the trixie
// chroot of scripts/buildbot-chroot.sh). Idempotent and quiet
// when everything is already there. `--no-debian` skips the Debian part (the example needs git only).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import process from "node:process";

const root = new URL("..", import.meta.url).pathname;
const withDebian = !process.argv.includes("--no-debian");
const { packageManager } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

function has(command, args = ["--version"]) {
  const result = spawnSync(command, args, { stdio: "ignore" });
  return result.status === 0;
}

function run(command, args, options = {}) {
  console.error(`setup: ${command} ${args.join(" ")}`);
  execFileSync(command, args, { stdio: ["ignore", "inherit", "inherit"], cwd: root, ...options });
}

// Debian packages and how to tell that each one is installed.
const debian = [
  { name: "git", present: () => has("git") },
  { name: "mercurial", present: () => has("hg", ["--version", "--quiet"]) },
  { name: "brz", present: () => has("brz", ["--version"]) },
  { name: "python3-zc.buildout", present: () => has("/usr/bin/python3", ["-c", "import zc.buildout"]) },
  // pip's own requirement-file parser and VCS backends judge the pip format's tests
  { name: "python3-pip", present: () => has("/usr/bin/python3", ["-c", "import pip._internal.req.req_file"]) },
  { name: "buildbot", present: () => existsSync("/usr/bin/buildbot") },
  { name: "buildbot-worker", present: () => existsSync("/usr/bin/buildbot-worker") },
];

if (withDebian) {
  const missing = debian.filter((pkg) => !pkg.present()).map((pkg) => pkg.name);
  if (missing.length > 0) {
    const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
    if (!isRoot || !has("apt-get", ["--version"])) {
      console.error(`setup: missing Debian packages: ${missing.join(" ")}\nsetup: install them with: sudo apt-get install ${missing.join(" ")}`);
      process.exit(1);
    }
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    run("apt-get", ["update", "-qq"], { env });
    run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], { env });
  }
  // Buildbot 4.2 for the e2e tests: Debian trixie's package in a chroot cached outside the
  // clone (about a minute once per machine; nothing when cached)
  const chroot = new URL("./buildbot-chroot.sh", import.meta.url).pathname;
  if (spawnSync(chroot, ["path"], { stdio: "ignore" }).status !== 0) {
    const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
    if (isRoot) run(chroot, ["ensure"], { stdio: ["ignore", "ignore", "inherit"] });
    else console.error(`setup: the Buildbot 4.2 chroot is missing; build it as root: sudo ${chroot} ensure`);
  }
} else if (!has("git")) {
  console.error("setup: git is required (apt-get install git)");
  process.exit(1);
}

if (!has("pnpm")) {
  const version = packageManager.split("@")[1];
  run("npm", ["install", "-g", `pnpm@${version}`]);
}
run("pnpm", ["install", "--frozen-lockfile", "--reporter=silent"]);

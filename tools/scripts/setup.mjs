#!/usr/bin/env node
// Sets the workspace up from a fresh clone with only Node 20 and npm: installs pnpm through
// corepack (the version pinned in package.json), installs dependencies, and optionally builds
// every package (--build), makes sure Chromium and a CJK font are there for the browser tests (--browser), and
// makes sure Debian's Jupyter executor is there and writes the Deno kernelspec (--notebooks).
// Safe to run again: each step is quick when there is nothing to do.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { JUPYTER, JUPYTER_PACKAGES, writeDenoKernelspec } from "./notebook-kernel.mjs";
import { root, workspaceEnv } from "./workspace-env.mjs";

const env = workspaceEnv();
const args = new Set(process.argv.slice(2));

function run(cmd, cmdArgs, what) {
  const r = spawnSync(cmd, cmdArgs, { cwd: root, env, stdio: ["ignore", "inherit", "inherit"] });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : `exit status ${r.status}`;
    console.error(`setup: ${what} failed (${cmd} ${cmdArgs.join(" ")}: ${why})`);
    process.exit(1);
  }
}

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`setup: Node ${process.versions.node} is too old; bp needs Node 20.19 or newer.`);
  process.exit(1);
}

console.error("setup: installing dependencies (pnpm via corepack)...");
run("corepack", ["pnpm", "install", "--frozen-lockfile", "--reporter=append-only"], "installing dependencies");

/** Installs Debian packages with apt-get (through sudo unless root). */
function aptInstall(packages, why) {
  console.error(`setup: installing Debian's ${packages.join(", ")} for ${why}...`);
  const sudo = process.getuid?.() === 0 ? [] : ["sudo"];
  const apt = (a) => (sudo.length ? run("sudo", ["apt-get", ...a], "apt-get") : run("apt-get", a, "apt-get"));
  apt(["update", "-qq"]);
  env.DEBIAN_FRONTEND = "noninteractive";
  apt(["install", "-y", "-qq", ...packages]);
}

/** The Debian packages of `packages` that dpkg does not list as installed (asks dpkg, not PATH). */
function notInstalled(packages) {
  return packages.filter(
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's format field, not JavaScript.
    (p) => spawnSync("dpkg-query", ["-W", "-f=${Status}", p], { encoding: "utf8" }).stdout !== "install ok installed",
  );
}

if (args.has("--browser")) {
  const chromium = process.env.BP_CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(chromium)) aptInstall(["chromium"], `the browser tests (${chromium} is missing)`);
  // The web app speaks Korean, Japanese and Chinese; without a CJK font Chromium draws tofu boxes
  // and lays the text out with fallback metrics. Only where dpkg exists (Debian and its kin).
  const dpkg = spawnSync("dpkg-query", ["--version"], { encoding: "utf8" });
  if (!dpkg.error && notInstalled(["fonts-noto-cjk"]).length > 0) {
    aptInstall(["fonts-noto-cjk"], "the web app's Korean, Japanese and Chinese text in the browser tests");
  }
}

if (args.has("--notebooks")) {
  // nbconvert and nbclient import cleanly only when every package is there; ask dpkg, not PATH.
  const missing = notInstalled(JUPYTER_PACKAGES);
  if (missing.length > 0 || !existsSync(JUPYTER)) aptInstall(JUPYTER_PACKAGES, "executing the notebooks");
  if (writeDenoKernelspec()) console.error("setup: wrote the Deno kernelspec (node_modules/.jupyter/kernels/deno)");
}

if (args.has("--build")) {
  console.error("setup: building packages...");
  run("corepack", ["pnpm", "exec", "turbo", "run", "build", "--output-logs=errors-only"], "building");
}

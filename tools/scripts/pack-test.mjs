#!/usr/bin/env node
// Proves "install one package on its own" works: packs every publishable workspace package with
// `pnpm pack` (which turns workspace:* into real versions and applies publishConfig), installs the
// tarballs with plain npm into fresh projects in a temp folder outside the workspace, and runs
// tools/scripts/pack-smoke.mjs there, which imports each package and uses it.
//   1. @bp/tensor alone, in a project of its own;
//   2. all packages together (plus the optional tfjs peer for the gradcheck cross-check).
// Prints one line per check and a JSON summary on the last line.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const work = mkdtempSync(join(tmpdir(), "bp-pack-"));
const env = { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: "0", npm_config_update_notifier: "false" };
let passed = 0;
let failed = 0;

function sh(cmd, args, cwd, what) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: 600_000 });
  if (r.status !== 0) {
    throw new Error(
      `${what} failed (${cmd} ${args.join(" ")} in ${cwd}): ${(r.stderr || r.stdout || String(r.error)).trim().slice(-2000)}`,
    );
  }
  return r.stdout;
}

function check(name, fn) {
  try {
    fn();
    console.log(`ok   ${name}`);
    passed++;
  } catch (e) {
    console.log(`FAIL ${name}: ${e instanceof Error ? e.message : String(e)}`);
    failed++;
  }
}

try {
  // Publishable packages: packages/* and apps/* that are not private.
  const pkgs = ["packages", "apps"].flatMap((d) =>
    existsSync(join(root, d))
      ? readdirSync(join(root, d))
          .map((p) => join(root, d, p))
          .filter((p) => existsSync(join(p, "package.json")))
          .map((p) => ({ dir: p, json: JSON.parse(readFileSync(join(p, "package.json"), "utf8")) }))
          .filter((p) => !p.json.private)
      : [],
  );
  const tarballs = new Map();
  const packDir = join(work, "tarballs");
  for (const p of pkgs) {
    check(`pack ${p.json.name}`, () => {
      const out = sh("corepack", ["pnpm", "pack", "--pack-destination", packDir], p.dir, "pnpm pack");
      const file = out.trim().split("\n").pop().trim();
      if (!existsSync(file)) throw new Error(`pnpm pack printed ${JSON.stringify(file)}, which is not a file`);
      const listing = sh("tar", ["-tzf", file], p.dir, "listing the tarball");
      if (/\.test\.|\/src\/|tsbuildinfo/.test(listing))
        throw new Error(`tarball holds files it should not:\n${listing}`);
      if (!/package\/dist\/.*\.d\.ts/.test(listing)) throw new Error("tarball has no type declarations under dist/");
      tarballs.set(p.json.name, file);
    });
    // Packaging lint of the very tarball that gets installed: publint (warnings are errors) and
    // "are the types wrong" with the ESM-only profile (bp ships no CommonJS; require() from CJS
    // and node10 resolution are out of scope by design, which that profile encodes).
    const tgz = tarballs.get(p.json.name);
    if (tgz) {
      check(`publint --strict ${p.json.name}`, () => {
        sh(join(root, "node_modules", ".bin", "publint"), ["run", "--strict", tgz], work, "publint");
      });
      check(`attw --profile esm-only ${p.json.name}`, () => {
        sh(
          join(root, "node_modules", ".bin", "attw"),
          [tgz, "--profile", "esm-only", "--format", "ascii", "--no-color"],
          work,
          "attw",
        );
      });
    }
  }

  const project = (name, deps) => {
    const dir = join(work, name);
    sh("mkdir", ["-p", dir], work, "mkdir");
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name, private: true, type: "module", version: "0.0.0" }, null, 2),
    );
    sh("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", ...deps], dir, `npm install in ${name}`);
    copyFileSync(join(root, "tools", "scripts", "pack-smoke.mjs"), join(dir, "smoke.mjs"));
    return dir;
  };
  const runSmoke = (dir, only) => {
    const r = spawnSync(process.execPath, ["smoke.mjs", ...only], {
      cwd: dir,
      env,
      encoding: "utf8",
      timeout: 300_000,
    });
    for (const line of (r.stdout ?? "").trim().split("\n")) {
      if (!line) continue;
      if (line.startsWith("ok ")) passed++;
      else if (line.startsWith("FAIL ")) failed++;
      console.log(line.startsWith("ok ") ? `ok   ${line.slice(3)}` : line);
    }
    if (r.status !== 0) {
      console.log(
        `FAIL smoke script in ${dir} exited with ${r.status ?? r.signal}: ${(r.stderr ?? "").trim().slice(-1500)}`,
      );
      failed++;
    }
  };

  const tensorTgz = tarballs.get("@bp/tensor");
  if (tensorTgz) {
    let dir;
    check("install @bp/tensor alone from its tarball", () => {
      dir = project("alone", [tensorTgz]);
    });
    if (dir) runSmoke(dir, ["@bp/tensor"]);
  }
  if (tarballs.size > 0) {
    let dir;
    const peers = ["@tensorflow/tfjs-core@4.22.0", "@tensorflow/tfjs-backend-cpu@4.22.0"];
    check(`install ${tarballs.size} tarballs together (+ tfjs peers)`, () => {
      dir = project("all", [...tarballs.values(), ...peers]);
    });
    if (dir) runSmoke(dir, [...tarballs.keys()]);
  }
} finally {
  // biome-ignore lint/suspicious/noUndeclaredEnvVars: a developer's switch to inspect the packed projects, not CI config
  if (!process.env.BP_KEEP_PACK) rmSync(work, { recursive: true, force: true });
  else console.log(`kept ${work}`);
}
console.log(JSON.stringify({ passed, failed }));
process.exitCode = failed > 0 ? 1 : 0;

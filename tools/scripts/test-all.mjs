#!/usr/bin/env node
// Everything CI runs, in order, after `setup.mjs --build --browser`:
//   1. type-check every package (turbo run typecheck), then `biome ci` (format and lint);
//   2. every package's vitest suites, Node and browser (turbo run test; each writes reports/*.json);
//   3. every package README's opening example, against the built packages; the guides' code; the
//      notebooks (executed in a Deno kernel, values checked); the runtime matrix (Node, Deno, Bun);
//   4. pack every publishable package, lint each tarball (publint --strict, attw --profile esm-only),
//      and install/use the tarballs outside the workspace.
// Ends with one line "N passed, N failed" (every test, example and pack check counted once);
// exits non-zero when anything failed.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { root, workspaceEnv } from "./workspace-env.mjs";

const env = workspaceEnv();
const sections = [];

function step(name, cmd, args) {
  const t0 = Date.now();
  console.log(`\n=== ${name}`);
  const r = spawnSync(cmd, args, {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  process.stdout.write(r.stdout ?? "");
  const seconds = (Date.now() - t0) / 1000;
  return { status: r.status ?? 1, stdout: r.stdout ?? "", seconds };
}

/** The {passed, failed} JSON summary a script prints on its last line. */
function lastJson(stdout) {
  const line = stdout.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}

const workspaceDirs = ["packages", "apps", "tools"].flatMap((d) =>
  existsSync(join(root, d)) ? readdirSync(join(root, d)).map((p) => join(root, d, p)) : [],
);

// 1. Type-check.
{
  const r = step("type-check", "corepack", [
    "pnpm",
    "exec",
    "turbo",
    "run",
    "typecheck",
    "--continue",
    "--output-logs=errors-only",
  ]);
  sections.push({
    name: "type-check (all packages)",
    passed: r.status === 0 ? 1 : 0,
    failed: r.status === 0 ? 0 : 1,
    seconds: r.seconds,
  });
}

// 1b. Format and lint: `biome ci` over the whole tree (one check; a finding fails it).
{
  const r = step("biome ci (format and lint)", "corepack", ["pnpm", "exec", "biome", "ci", "--colors=off", "."]);
  sections.push({
    name: "biome ci (format and lint)",
    passed: r.status === 0 ? 1 : 0,
    failed: r.status === 0 ? 0 : 1,
    seconds: r.seconds,
  });
}

// 2. Unit, oracle and browser tests: every vitest JSON report under <package>/reports/.
{
  for (const dir of workspaceDirs) rmSync(join(dir, "reports"), { recursive: true, force: true });
  const r = step("tests", "corepack", [
    "pnpm",
    "exec",
    "turbo",
    "run",
    "test",
    "--continue",
    "--concurrency=1",
    "--output-logs=new-only",
  ]);
  let passed = 0;
  let failed = 0;
  const perPackage = [];
  for (const dir of workspaceDirs) {
    const reports = join(dir, "reports");
    if (!existsSync(reports)) continue;
    for (const f of readdirSync(reports).filter((f) => f.endsWith(".json"))) {
      const rep = JSON.parse(readFileSync(join(reports, f), "utf8"));
      const p = rep.numPassedTests ?? 0;
      // Suites that failed to load count as failures even when no test inside them ran.
      const fl =
        (rep.numFailedTests ?? 0) +
        (rep.testResults ?? []).filter(
          (t) => t.status === "failed" && (t.assertionResults ?? []).every((a) => a.status !== "failed"),
        ).length;
      passed += p;
      failed += fl;
      perPackage.push(`${relative(root, join(reports, f))}: ${p} passed, ${fl} failed`);
    }
  }
  if (r.status !== 0 && failed === 0) failed = 1; // a test task failed without a report saying why
  console.log(perPackage.join("\n"));
  sections.push({ name: "vitest (Node and browser)", passed, failed, seconds: r.seconds });
}

// 3. README examples.
{
  const r = step("README examples", process.execPath, ["tools/scripts/readme-examples.mjs"]);
  const s = lastJson(r.stdout) ?? { passed: 0, failed: 1 };
  sections.push({ name: "README examples", ...s, seconds: r.seconds });
}

// 3a. The API reference: TypeDoc over every package's export paths (typedoc.json), warnings as
//     errors (every export documented, every {@link} resolved, no internal type leaking).
{
  const r = step("API reference (typedoc)", "corepack", ["pnpm", "exec", "typedoc", "--logLevel", "Warn"]);
  sections.push({
    name: "API reference (typedoc)",
    passed: r.status === 0 ? 1 : 0,
    failed: r.status === 0 ? 0 : 1,
    seconds: r.seconds,
  });
}

// 3b. The guides' code (docs/guides), against the built packages.
{
  const r = step("guide examples", process.execPath, ["tools/scripts/guide-examples.mjs"]);
  const s = lastJson(r.stdout) ?? { passed: 0, failed: 1 };
  sections.push({ name: "guide examples", ...s, seconds: r.seconds });
}

// 3c. The notebooks, executed in a fresh Deno kernel into .tmp/notebooks, and their values checked.
{
  const r = step("notebooks (Deno kernel)", process.execPath, [
    "tools/scripts/notebooks.mjs",
    "--out",
    ".tmp/notebooks",
  ]);
  const s = lastJson(r.stdout) ?? { passed: 0, failed: 1 };
  sections.push({ name: "notebooks", ...s, seconds: r.seconds });
}

// 3d. The runtime matrix: training on Node, Deno and Bun (wasm, worker) and the README examples.
{
  const r = step("runtimes (Node, Deno, Bun)", process.execPath, ["tools/scripts/runtimes.mjs"]);
  const s = lastJson(r.stdout) ?? { passed: 0, failed: 1 };
  sections.push({ name: "runtime matrix", ...s, seconds: r.seconds });
}

// 4. Packed tarballs installed outside the workspace.
{
  const r = step("pack and install outside the workspace", process.execPath, ["tools/scripts/pack-test.mjs"]);
  const s = lastJson(r.stdout) ?? { passed: 0, failed: 1 };
  sections.push({ name: "packed tarballs", ...s, seconds: r.seconds });
}

console.log("\n| section | passed | failed | seconds |\n| --- | ---: | ---: | ---: |");
for (const s of sections) console.log(`| ${s.name} | ${s.passed} | ${s.failed} | ${s.seconds.toFixed(0)} |`);
const passed = sections.reduce((a, s) => a + s.passed, 0);
const failed = sections.reduce((a, s) => a + s.failed, 0);
console.log(`\n${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;

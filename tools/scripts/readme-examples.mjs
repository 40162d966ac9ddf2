#!/usr/bin/env node
// Runs the opening example of every package README against the built packages, the way a user
// who installed them would: the first ```ts block is written next to the package (so its imports
// resolve through node_modules) and run with tsx; if a ```text block follows it, stdout must
// equal that block. Prints one line per README and a JSON summary on the last line.
// `--runtime deno` or `--runtime bun` runs the same examples under Deno or Bun (node_modules/.bin)
// instead of Node with tsx: the runtime matrix of tools/scripts/runtimes.mjs.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** How each runtime runs a TypeScript file (Deno and Bun run TypeScript themselves). */
export const RUNTIMES = {
  node: (file) => [process.execPath, ["--import", "tsx", file]],
  deno: (file) => [join(root, "node_modules", ".bin", "deno"), ["run", "-A", "--quiet", file]],
  bun: (file) => [join(root, "node_modules", ".bin", "bun"), ["run", file]],
};

/** Every fenced block of a Markdown text: its language, body and where it starts and ends. */
export function fencedBlocks(markdown) {
  const fence = /^```([a-z]*)[^\n]*\n([\s\S]*?)^```\s*$/gm;
  const blocks = [];
  for (let m = fence.exec(markdown); m; m = fence.exec(markdown)) {
    blocks.push({ lang: m[1], body: m[2], end: m.index + m[0].length, start: m.index });
  }
  return blocks;
}

/** The first ```ts (or ```typescript) block of a README and the ```text block right after it. */
export function openingExample(markdown) {
  const blocks = fencedBlocks(markdown);
  const i = blocks.findIndex((b) => b.lang === "ts" || b.lang === "typescript");
  if (i === -1) return null;
  const code = blocks[i];
  const next = blocks[i + 1];
  const between = next ? markdown.slice(code.end, next.start) : "";
  const expected = next && next.lang === "text" && !/^#/m.test(between) ? next.body : null;
  return { code: code.body, expected };
}

/**
 * Whether an example printed what its README shows. Node's output must equal it; Deno's and Bun's
 * console.log format nested arrays and objects their own way (double quotes, other line breaks, a
 * trailing comma), so for them the comparison ignores whitespace, quote style and trailing commas:
 * the values must still be the same characters.
 */
function sameOutput(out, want) {
  if (runtime === "node") return out === want;
  const loose = (s) =>
    s
      .replace(/\s+/g, "")
      .replaceAll('"', "'")
      .replace(/,([}\]])/g, "$1");
  return loose(out) === loose(want);
}

const runtimeArg = process.argv.indexOf("--runtime");
const runtime = runtimeArg === -1 ? "node" : process.argv[runtimeArg + 1];
const isMain = process.argv[1] === fileURLToPath(import.meta.url);
if (isMain && !(runtime in RUNTIMES)) {
  console.log(`FAIL --runtime must be one of ${Object.keys(RUNTIMES).join(", ")}, got ${runtime}`);
  console.log(JSON.stringify({ passed: 0, failed: 1 }));
  process.exit(1);
}
const dirs = !isMain
  ? []
  : ["packages", "apps"].flatMap((d) =>
      existsSync(join(root, d)) ? readdirSync(join(root, d)).map((p) => join(root, d, p)) : [],
    );
let passed = 0;
let failed = 0;
for (const dir of dirs) {
  const readme = join(dir, "README.md");
  const pkgFile = join(dir, "package.json");
  if (!existsSync(readme) || !existsSync(pkgFile)) continue;
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8"));
  const example = openingExample(readFileSync(readme, "utf8"));
  const name = relative(root, readme);
  if (!example) {
    if (pkg.private) continue;
    console.log(`FAIL ${name}: no \`\`\`ts example (every package README opens with one)`);
    failed++;
    continue;
  }
  const file = join(dir, `.readme-example-${process.pid}.mts`);
  writeFileSync(file, example.code);
  try {
    const [cmd, cmdArgs] = RUNTIMES[runtime](file);
    const r = spawnSync(cmd, cmdArgs, {
      cwd: dir,
      encoding: "utf8",
      timeout: 120_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    const out = (r.stdout ?? "").replace(/\s+$/, "");
    const want = example.expected?.replace(/\s+$/, "");
    if (r.status !== 0) {
      console.log(`FAIL ${name}: example exited with ${r.status ?? r.signal}\n${(r.stderr ?? "").trim()}`);
      failed++;
    } else if (want !== undefined && sameOutput(out, want) === false) {
      console.log(`FAIL ${name}: output differs from the README\n--- README\n${want}\n--- actual\n${out}`);
      failed++;
    } else {
      console.log(
        `ok   ${name}${runtime === "node" ? "" : ` (${runtime})`}${want === undefined ? " (ran; no expected output given)" : ""}`,
      );
      passed++;
    }
  } finally {
    rmSync(file, { force: true });
  }
}
if (isMain) {
  console.log(JSON.stringify({ passed, failed }));
  process.exitCode = failed > 0 ? 1 : 0;
}

#!/usr/bin/env node
// Runs the code of every guide in docs/guides, as readme-examples.mjs runs the README examples: all
// ```ts blocks of a guide, in order, make one module (later blocks use what earlier ones defined),
// written into docs/ so its imports resolve through node_modules to the built packages, and run with
// tsx. Its stdout must equal the ```text blocks that follow ts blocks, joined in order. Then one tsc
// run type-checks every guide's module (strict, against the packages' published .d.ts files).
// Prints one line per guide and for the type-check, and a JSON summary {passed, failed} last.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fencedBlocks } from "./readme-examples.mjs";
import { typecheckModules } from "./typecheck-snippets.mjs";
import { root } from "./workspace-env.mjs";

const dir = join(root, "docs", "guides");
let passed = 0;
let failed = 0;
const modules = [];
for (const name of existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith(".md"))
      .sort()
  : []) {
  const path = join(dir, name);
  const blocks = fencedBlocks(readFileSync(path, "utf8"));
  const code = [];
  const expected = [];
  blocks.forEach((b, i) => {
    if (b.lang !== "ts" && b.lang !== "typescript") return;
    code.push(b.body);
    const next = blocks[i + 1];
    if (next?.lang === "text") expected.push(next.body.replace(/\s+$/, ""));
  });
  const label = relative(root, path);
  if (code.length === 0) {
    console.log(`ok   ${label} (no ts blocks)`);
    passed++;
    continue;
  }
  const file = join(root, "docs", `.guide-${process.pid}-${name.replace(/\.md$/, "")}.mts`);
  writeFileSync(file, code.join("\n"));
  modules.push(file);
  {
    const r = spawnSync(process.execPath, ["--import", "tsx", file], {
      cwd: join(root, "docs"),
      encoding: "utf8",
      timeout: 300_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    const out = (r.stdout ?? "").replace(/\s+$/, "");
    const want = expected.join("\n");
    if (r.status !== 0) {
      console.log(`FAIL ${label}: exited with ${r.status ?? r.signal}\n${(r.stderr ?? "").trim()}`);
      failed++;
    } else if (out !== want) {
      console.log(`FAIL ${label}: output differs from the guide\n--- guide\n${want}\n--- actual\n${out}`);
      failed++;
    } else {
      console.log(`ok   ${label} (${code.length} ts blocks)`);
      passed++;
    }
  }
}

// The type-check (typecheck-snippets.mjs): the packages' strictness, against their .d.ts files.
if (modules.length > 0) {
  const r = typecheckModules(modules);
  if (r.ok) {
    console.log(`ok   docs/guides: ${modules.length} guides type-check (tsc, strict)`);
    passed++;
  } else {
    console.log(`FAIL docs/guides: tsc found type errors\n${r.output}`);
    failed++;
  }
}
for (const file of modules) rmSync(file, { force: true });
console.log(JSON.stringify({ passed, failed }));
process.exitCode = failed > 0 ? 1 : 0;

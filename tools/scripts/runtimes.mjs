#!/usr/bin/env node
// The runtime matrix: the same 600-iteration training (`bp train --iters 600 --save FILE`, the book's
// TwoLayerNet, seed 0) on Node, Deno and Bun (both from node_modules/.bin) with the wasm and worker
// backends, then every package README's opening example under Deno and Bun (readme-examples.mjs).
// Checks: every run prints the README's epoch 1 (train 0.9041, test 0.9074) and the same numbers as
// Node; every run, on every runtime and backend, saves a model byte-identical to Node's. (The
// engines' own Math.exp, log, sin and cos differ in the last bit between Node 20's V8, Deno's V8 and
// Bun's JavaScriptCore; bp computes them itself, in @bp/tensor's kernels/libm.ts, so they cannot.)
// Prints one line per check and a JSON summary {passed, failed} on the last line.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { root } from "./workspace-env.mjs";

const bin = (name) => join(root, "node_modules", ".bin", name);
const RUNTIMES = {
  node: [process.execPath],
  deno: [bin("deno"), "run", "-A"],
  bun: [bin("bun")],
};
const BACKENDS = ["wasm", "worker"];
const out = join(root, ".tmp", "runtimes");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

let passed = 0;
let failed = 0;
function report(ok, what, detail = "") {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok || !detail ? "" : `\n${detail}`}`);
  if (ok) passed++;
  else failed++;
}

/** The safetensors file's tensors as float64 arrays, by name. */
function weights(file) {
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + n).toString("utf8"));
  const tensors = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const [a, b] = info.data_offsets;
    const raw = bytes.subarray(8 + n + a, 8 + n + b);
    tensors[name] = new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  }
  return tensors;
}

const runs = {};
for (const [runtime, cmd] of Object.entries(RUNTIMES)) {
  for (const backend of BACKENDS) {
    const file = join(out, `${runtime}-${backend}.safetensors`);
    const t0 = Date.now();
    const r = spawnSync(
      cmd[0],
      [...cmd.slice(1), "apps/cli/dist/bin.js", "train", "--iters", "600", "--backend", backend, "--save", file],
      { cwd: root, encoding: "utf8", timeout: 300_000, env: { ...process.env, NO_COLOR: "1" } },
    );
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    const stdout = r.stdout ?? "";
    // Everything but the timing line and the saved path.
    const numbers = stdout
      .split("\n")
      .filter((l) => !/^time:|^saved:|backend$/.test(l.trim()))
      .join("\n")
      .trim();
    const ok = r.status === 0 && /^\s+1\s+600\s+0\.7312\s+0\.9041\s+0\.9074$/m.test(stdout);
    report(
      ok,
      `${runtime} ${backend}: bp train --iters 600 prints epoch 1 train 0.9041, test 0.9074 (${seconds} s)`,
      `${stdout}${r.stderr ?? ""}`,
    );
    if (ok)
      runs[`${runtime} ${backend}`] = {
        numbers,
        file,
        sha: createHash("sha256").update(readFileSync(file)).digest("hex"),
      };
  }
}

const node = runs["node wasm"];
for (const [name, run] of Object.entries(runs)) {
  if (name !== "node wasm" && node)
    report(run.numbers === node.numbers, `${name}: printed numbers equal Node's`, run.numbers);
}
for (const runtime of Object.keys(RUNTIMES)) {
  const [a, b] = BACKENDS.map((be) => runs[`${runtime} ${be}`]);
  if (a && b)
    report(a.sha === b.sha, `${runtime}: wasm and worker save byte-identical models (sha256 ${a.sha.slice(0, 12)})`);
}
for (const key of Object.keys(runs).filter((k) => !k.startsWith("node "))) {
  const run = runs[key];
  if (!node || !run) continue;
  const x = weights(node.file);
  const y = weights(run.file);
  let differing = 0;
  let maxDiff = 0;
  let total = 0;
  for (const [name, a] of Object.entries(x)) {
    const b = y[name] ?? new Float64Array(a.length).fill(Number.NaN);
    for (let i = 0; i < a.length; i++) {
      total++;
      if (a[i] !== b[i]) {
        differing++;
        maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      }
    }
  }
  report(
    run.sha === node.sha,
    `${key} vs node wasm: byte-identical models (sha256 ${run.sha.slice(0, 12)})${run.sha === node.sha ? "" : `: ${differing} of ${total} weights differ, by at most ${maxDiff.toExponential(2)}`}`,
  );
}

for (const runtime of ["deno", "bun"]) {
  const r = spawnSync(process.execPath, ["tools/scripts/readme-examples.mjs", "--runtime", runtime], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const lines = (r.stdout ?? "").trim().split("\n");
  let summary = null;
  try {
    summary = JSON.parse(lines.pop() ?? "");
  } catch {}
  console.log(lines.join("\n"));
  passed += summary?.passed ?? 0;
  failed += summary ? summary.failed : 1;
}
console.log(JSON.stringify({ passed, failed }));
process.exitCode = failed > 0 ? 1 : 0;

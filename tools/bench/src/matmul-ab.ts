// The matmul A/B bench: the large matrix products of one training step (conv-matmul.ts's operands:
// SimpleConvNet's products of 40 M multiply-adds or more, or the book run's TwoLayerNet products with
// `--net two-layer`) timed with several builds of the wasm kernels in one process, round by round in
// turn, so that load from other processes hits them alike; each keeps its fastest call. Each build's
// product is first checked against the cpu backend's bits. Prints per product each build's best ms and
// its ratio to the first build's.
//
// A build is the unshared kernels module compiled from a tree's assembly/ (as scripts/build-wasm.mjs
// compiles it, without base64), e.g. for the starting commit and a branch:
//
//   (cd packages/tensor && npx asc assembly/index.ts --enable simd -O3 --runtime stub --noAssert \
//      --importMemory --initialMemory 1 -o /tmp/after.wasm)
//   node tools/bench/dist/matmul-ab.js [--dtype float64|float32] [--net conv|two-layer] [--rounds N] \
//      /tmp/before.wasm /tmp/after.wasm
import { readFileSync } from "node:fs";
import { cpu, type FloatDType, type Tensor, tensor } from "@bp/tensor";
import { createWasmBackend, type WasmBackend } from "@bp/tensor/wasm";
import { capture, type Product } from "./step-products.js";

const USAGE =
  "usage: node tools/bench/dist/matmul-ab.js [--dtype float64|float32] [--net conv|two-layer] [--rounds N] A.wasm [B.wasm ...]";

/** The step whose products are timed (conv-matmul.ts's default). */
const STEP = 30;
/** Calls per build per product in a round. */
const CALLS = 5;

interface Args {
  dtype: FloatDType;
  net: "conv" | "two-layer";
  rounds: number;
  files: string[];
}

function parseArgs(args: readonly string[]): Args {
  const parsed: Args = { dtype: "float32", net: "conv", rounds: 8, files: [] };
  const fail = (why: string): never => {
    console.error(`matmul-ab: ${why}\n${USAGE}`);
    process.exit(2);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith("--")) {
      parsed.files.push(a);
      continue;
    }
    const v = args[++i];
    if (a === "--dtype") {
      if (v !== "float64" && v !== "float32") fail(`--dtype needs float64 or float32, got ${JSON.stringify(v)}`);
      parsed.dtype = v as FloatDType;
    } else if (a === "--net") {
      if (v !== "conv" && v !== "two-layer") fail(`--net needs conv or two-layer, got ${JSON.stringify(v)}`);
      parsed.net = v as Args["net"];
    } else if (a === "--rounds") {
      if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1) fail(`--rounds needs a positive integer, got ${v}`);
      parsed.rounds = Number(v);
    } else fail(`unknown argument ${JSON.stringify(a)}`);
  }
  if (parsed.files.length === 0) fail("name at least one kernels .wasm file");
  return parsed;
}

function operands(p: Product, backend: typeof cpu | WasmBackend): { a: Tensor; b: Tensor } {
  const dtype: FloatDType = p.a instanceof Float32Array ? "float32" : "float64";
  return {
    a: tensor(p.a, { backend, dtype, shape: p.transA ? [p.k, p.m] : [p.m, p.k] }),
    b: tensor(p.b, { backend, dtype, shape: p.transB ? [p.n, p.k] : [p.k, p.n] }),
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const wasm = await createWasmBackend();
  const products = capture({ ...args, step: STEP }, wasm);
  const { wasmBackendOf } = (await import(
    new URL("../../../packages/tensor/dist/wasm/backend.js", import.meta.url).href
  )) as { wasmBackendOf: (module: WebAssembly.Module) => WasmBackend };
  const builds = args.files.map((f) => wasmBackendOf(new WebAssembly.Module(readFileSync(f))));
  const same = products.map((p) => {
    const options = { transposeA: p.transA, transposeB: p.transB };
    const host = operands(p, cpu);
    const want = host.a.matmul(host.b, options).data;
    return builds.map((backend) => {
      const { a, b } = operands(p, backend);
      const got = a.matmul(b, options);
      let equal = got.data.length === want.length;
      for (let i = 0; equal && i < want.length; i++) equal = Object.is(got.data[i], want[i]);
      got.dispose();
      a.dispose();
      b.dispose();
      return equal;
    });
  });
  const best = products.map(() => builds.map(() => Number.POSITIVE_INFINITY));
  for (let round = 0; round < args.rounds; round++) {
    products.forEach((p, pi) => {
      const options = { transposeA: p.transA, transposeB: p.transB };
      builds.forEach((backend, bi) => {
        const { a, b } = operands(p, backend);
        for (let c = 0; c < CALLS; c++) {
          const t0 = performance.now();
          a.matmul(b, options).dispose();
          best[pi]![bi] = Math.min(best[pi]![bi]!, performance.now() - t0);
        }
        a.dispose();
        b.dispose();
      });
    });
  }
  const net = args.net === "conv" ? "SimpleConvNet" : "TwoLayerNet";
  console.log(
    `| ${net} step ${STEP}'s products, ${args.dtype}, best ms of ${args.rounds} rounds x ${CALLS} | ${args.files.join(" | ")} |`,
  );
  console.log(`| --- |${" ---: |".repeat(args.files.length)}`);
  products.forEach((p, pi) => {
    const name = `matmul m${p.m} n${p.n} k${p.k}${p.transA ? " Aᵀ" : ""}${p.transB ? " Bᵀ" : ""}`;
    const cells = best[pi]!.map((ms, bi) => {
      const ratio = (ms / best[pi]![0]!).toFixed(3);
      return `${ms.toFixed(3)} (${ratio})${same[pi]![bi] ? "" : " DIFFERS from cpu"}`;
    });
    console.log(`| ${name} | ${cells.join(" | ")} |`);
  });
  for (const backend of builds) backend.dispose();
  wasm.dispose();
}

await main();

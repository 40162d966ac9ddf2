// The conv-matmul bench: the large matrix products of one training step with the operands they really
// have, on the wasm backend, one thread. By default the SimpleConvNet step (the conv-step bench's
// recipe, MNIST input): runs `--step` steps (default 30) on wasm, keeps the operands of the last
// step's products of 40 M multiply-adds or more (conv forward col · Wᵀ, conv dW doutᵀ · col, Affine1
// forward, dx, dW); with `--net two-layer` the book run's TwoLayerNet 784-50-10 (MNIST, SGD lr 0.1,
// batch 100) and all five of its products. Prints for each its operands' share of zeros (+0 or -0),
// whether wasm gives cpu's bits, and its fastest and median time over `runs` runs. The zeros decide
// which path the kernels take (see packages/tensor/assembly/matmul.ts and steps.ts).
//
// `--density 0.3,0.5,0.7` also times each product with A changed to those shares of nonzero values
// (random nonzeros of A set to +0, or random zeros given values drawn from A's nonzeros; seeded), so
// the dense/sparse crossover shows. `--wasm FILE` runs a kernels module compiled elsewhere (for
// instance with SPARSE_MAX changed, to time one path at every density) instead of the built one;
// `--wasm A,B,...` runs each of several modules, one run of each in turn (so that a noisy machine
// slows them alike), a row for each with its best time's ratio to the first module's (an A/B of two
// kernels builds, e.g. `npx asc assembly/index.ts --enable simd -O3 --runtime stub --noAssert
// --importMemory --initialMemory 1 -o /tmp/after.wasm` in packages/tensor of each tree). `--only TEXT` keeps the products whose name holds TEXT (such as
// `k25` for the conv forward product). `--blocks` prints the share of nonzeros of each block of A,
// which is what the kernels choose by.
//
//   node tools/bench/dist/conv-matmul.js [--dtype float64|float32] [--runs N] [--net conv|two-layer]
//        [--step S] [--density d1,d2,...] [--blocks] [--wasm FILE[,FILE...]] [--only TEXT]
import { readFileSync } from "node:fs";
import { cpu, Rng, tensor, type FloatDType, type Tensor } from "@bp/tensor";
import { createWasmBackend, type WasmBackend } from "@bp/tensor/wasm";
import { capture, type Product } from "./step-products.js";

const USAGE =
  "usage: node tools/bench/dist/conv-matmul.js [--dtype float64|float32] [--runs N] [--net conv|two-layer] [--step S] [--density d1,d2,...] [--blocks] [--wasm FILE[,FILE...]] [--only TEXT]";

interface Args {
  dtype: FloatDType;
  runs: number;
  net: "conv" | "two-layer";
  step: number;
  densities: number[];
  wasm: string[];
  blocks: boolean;
  only: string;
}

function parseArgs(args: readonly string[]): Args {
  const parsed: Args = {
    dtype: "float64",
    runs: 30,
    net: "conv",
    step: 30,
    densities: [],
    wasm: [],
    blocks: false,
    only: "",
  };
  const fail = (why: string): never => {
    console.error(`conv-matmul: ${why}\n${USAGE}`);
    process.exit(2);
  };
  const count = (name: string, v: string | undefined, least: number): number => {
    if (v === undefined || !/^\d+$/.test(v) || Number(v) < least)
      fail(`${name} needs an integer of at least ${least}, got ${JSON.stringify(v)}`);
    return Number(v);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = args[++i];
    if (a === "--dtype") {
      if (v !== "float64" && v !== "float32") fail(`--dtype needs float64 or float32, got ${JSON.stringify(v)}`);
      parsed.dtype = v as FloatDType;
    } else if (a === "--runs") parsed.runs = count(a, v, 1);
    else if (a === "--step") parsed.step = count(a, v, 1);
    else if (a === "--net") {
      if (v !== "conv" && v !== "two-layer") fail(`--net needs conv or two-layer, got ${JSON.stringify(v)}`);
      parsed.net = v as Args["net"];
    } else if (a === "--density") {
      const list = (v ?? "").split(",").map(Number);
      if (v === undefined || list.some((d) => !(d >= 0 && d <= 1)))
        fail(`--density needs shares from 0 to 1 separated by commas, got ${JSON.stringify(v)}`);
      parsed.densities = list;
    } else if (a === "--blocks") {
      parsed.blocks = true;
      i--;
    } else if (a === "--wasm") {
      const files = (v ?? "").split(",");
      if (files.some((f) => f === "")) fail("--wasm needs files separated by commas");
      parsed.wasm = files;
    } else if (a === "--only") {
      if (v === undefined) fail("--only needs a text");
      parsed.only = v ?? "";
    } else fail(`unknown argument ${JSON.stringify(a)}`);
  }
  return parsed;
}

/** The shares of nonzero values of op(A)'s blocks as the wasm kernels cut it (64 rows by a k block of
 * k split into equal parts of at most 256 steps, assembly/blocking.ts), row blocks outermost. */
function blockShares(p: Product): number[] {
  const kc = Math.ceil(p.k / Math.ceil(p.k / 256));
  const shares: number[] = [];
  for (let ic = 0; ic < p.m; ic += 64) {
    for (let pc = 0; pc < p.k; pc += kc) {
      let count = 0;
      const rows = Math.min(64, p.m - ic);
      const steps = Math.min(kc, p.k - pc);
      for (let i = ic; i < ic + rows; i++) {
        for (let q = pc; q < pc + steps; q++) if ((p.transA ? p.a[q * p.m + i] : p.a[i * p.k + q]) !== 0) count++;
      }
      shares.push(count / (rows * steps));
    }
  }
  return shares;
}

/** Share of nonzero values (neither +0 nor -0). */
function density(values: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) count++;
  return count / values.length;
}

function operands(p: Product, backend = cpu): { a: Tensor; b: Tensor } {
  const dtype: FloatDType = p.a instanceof Float32Array ? "float32" : "float64";
  return {
    a: tensor(p.a, { backend, dtype, shape: p.transA ? [p.k, p.m] : [p.m, p.k] }),
    b: tensor(p.b, { backend, dtype, shape: p.transB ? [p.n, p.k] : [p.k, p.n] }),
  };
}

/** A copy of `a` with `share` of its values nonzero: random nonzeros set to 0, or random zeros given
 * random nonzero values of `a` (A keeps its sizes of values; which positions change is seeded). */
function withDensity(a: Float64Array | Float32Array, share: number, rng: Rng): Float64Array | Float32Array {
  const out = a.slice();
  const nonzero: number[] = [];
  const zero: number[] = [];
  for (let i = 0; i < a.length; i++) (a[i] !== 0 ? nonzero : zero).push(i);
  const want = Math.round(share * a.length);
  const order = (list: number[]): number[] => Array.from(rng.permutation(list.length), (j) => list[j]!);
  if (want < nonzero.length) {
    for (const i of order(nonzero).slice(0, nonzero.length - want)) out[i] = 0;
  } else if (nonzero.length > 0) {
    const picks = rng.choice(nonzero.length, want - nonzero.length);
    order(zero)
      .slice(0, want - nonzero.length)
      .forEach((i, j) => {
        out[i] = a[nonzero[picks[j]!]!]!;
      });
  }
  return out;
}

/** For each backend, whether its product of p's operands has cpu's bits, and its fastest and median
 * times over `runs` runs (one run of each backend in turn). */
function time(
  p: Product,
  backends: readonly WasmBackend[],
  runs: number,
): { same: boolean; best: number; median: number }[] {
  const options = { transposeA: p.transA, transposeB: p.transB };
  const host = operands(p);
  const expected = host.a.matmul(host.b, options).data;
  const inputs = backends.map((backend) => operands(p, backend));
  const same = inputs.map(({ a, b }) => {
    const got = a.matmul(b, options);
    let equal = got.data.length === expected.length;
    for (let i = 0; equal && i < expected.length; i++) equal = Object.is(got.data[i], expected[i]);
    got.dispose();
    return equal;
  });
  const times = backends.map((): number[] => []);
  for (let r = 0; r < runs; r++) {
    inputs.forEach(({ a, b }, i) => {
      const t0 = performance.now();
      a.matmul(b, options).dispose();
      times[i]!.push(performance.now() - t0);
    });
  }
  return inputs.map(({ a, b }, i) => {
    a.dispose();
    b.dispose();
    const sorted = times[i]!.sort((u, v) => u - v);
    return { same: same[i]!, best: sorted[0]!, median: sorted[runs >> 1]! };
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const { dtype, runs } = args;
  const wasm = await createWasmBackend();
  const products = capture(args, wasm);
  // The products are captured with the built kernels; the modules given by --wasm then time them.
  let timing = [wasm];
  if (args.wasm.length > 0) {
    const { wasmBackendOf } = (await import(
      new URL("../../../packages/tensor/dist/wasm/backend.js", import.meta.url).href
    )) as { wasmBackendOf: (module: WebAssembly.Module) => WasmBackend };
    timing = args.wasm.map((file) => wasmBackendOf(new WebAssembly.Module(readFileSync(file))));
  }
  const net = args.net === "conv" ? "SimpleConvNet" : "TwoLayerNet";
  const sources = args.wasm.length === 0 ? ["wasm"] : args.wasm.map((file) => `wasm from ${file}`);
  console.log(
    `| ${net} step ${args.step}'s products, ${dtype}, MNIST, ${sources.join(" / ")} | nonzero in A | nonzero in B | bits | best ms | median ms |`,
  );
  console.log("| --- | ---: | ---: | --- | ---: | ---: |");
  const rng = new Rng(11);
  for (const p of products) {
    const name = `matmul m${p.m} n${p.n} k${p.k}${p.transA ? " Aᵀ" : ""}${p.transB ? " Bᵀ" : ""}`;
    if (!name.includes(args.only)) continue;
    const nonzeroB = density(p.b).toFixed(3);
    const rows: { label: string; q: Product }[] = [{ label: name, q: p }];
    for (const d of args.densities)
      rows.push({ label: `  A at ${d.toFixed(2)}`, q: { ...p, a: withDensity(p.a, d, rng) } });
    if (args.blocks) {
      // How many blocks have each share of nonzeros (bins 0.1 wide; the last holds 1).
      const bins = new Array<number>(10).fill(0);
      for (const d of blockShares(p)) bins[Math.min(9, Math.floor(d * 10))]!++;
      const text = bins.map((c, i) => `${(i / 10).toFixed(1)}: ${c}`).join(", ");
      console.log(`| ${name}: blocks of A (64 rows by a k block) by share of nonzeros | ${text} |||||`);
    }
    for (const { label, q } of rows) {
      const timed = time(q, timing, runs);
      timed.forEach(({ same, best, median }, i) => {
        const from = timing.length > 1 ? ` (${args.wasm[i]}, ${(best / timed[0]!.best).toFixed(3)} of the first)` : "";
        console.log(
          `| ${label}${from} | ${density(q.a).toFixed(3)} | ${nonzeroB} | ${same ? "same as cpu" : "DIFFER from cpu"} | ${best.toFixed(3)} | ${median.toFixed(3)} |`,
        );
      });
    }
  }
  for (const backend of timing) if (backend !== wasm) backend.dispose();
  wasm.dispose();
}

await main();

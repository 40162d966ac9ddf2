// The conv-matmul bench: the five large matrix products of one SimpleConvNet training step (the
// conv-step bench's recipe, MNIST input) with the operands they really have, on the wasm backend,
// one thread. Runs 30 steps on wasm, keeps the operands of the last step's products of 40 M
// multiply-adds or more (conv forward col · Wᵀ, conv dW doutᵀ · col, Affine1 forward, dx, dW), then
// prints for each its operands' share of zeros (+0 or -0), whether wasm gives cpu's bits, and its
// fastest and median time over `runs` runs. The zeros decide which path the kernels take (see
// packages/tensor/assembly/steps.ts).
//
//   node tools/bench/dist/conv-matmul.js [--dtype float64|float32] [--runs N]
import { loadMnist } from "@bp/data";
import { Adam, SimpleConvNet } from "@bp/nets";
import { cpu, Rng, tensor, type FloatDType, type Tensor } from "@bp/tensor";
import { createWasmBackend } from "@bp/tensor/wasm";
import { trainingStep } from "./train-step.js";

/** conv-step.ts's recipe (that module runs its bench when imported, so the numbers are repeated). */
const CONV_STEP = { rows: 1000, batch: 100, lr: 0.001, seed: 1 } as const;

const USAGE = "usage: node tools/bench/dist/conv-matmul.js [--dtype float64|float32] [--runs N]";

interface Product {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  a: Float64Array | Float32Array;
  b: Float64Array | Float32Array;
}

function parseArgs(args: readonly string[]): { dtype: FloatDType; runs: number } {
  let dtype: FloatDType = "float64";
  let runs = 30;
  const fail = (why: string): never => {
    console.error(`conv-matmul: ${why}\n${USAGE}`);
    process.exit(2);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const v = args[++i];
    if (a === "--dtype") {
      if (v !== "float64" && v !== "float32") fail(`--dtype needs float64 or float32, got ${JSON.stringify(v)}`);
      dtype = v as FloatDType;
    } else if (a === "--runs") {
      if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1)
        fail(`--runs needs a positive integer, got ${JSON.stringify(v)}`);
      runs = Number(v);
    } else fail(`unknown argument ${JSON.stringify(a)}`);
  }
  return { dtype, runs };
}

/** Share of +0 and -0 among the values, as text. */
function zeros(values: ArrayLike<number>): string {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === 0) count++;
  return (count / values.length).toFixed(3);
}

function operands(p: Product, backend = cpu): { a: Tensor; b: Tensor } {
  const dtype: FloatDType = p.a instanceof Float32Array ? "float32" : "float64";
  return {
    a: tensor(p.a, { backend, dtype, shape: p.transA ? [p.k, p.m] : [p.m, p.k] }),
    b: tensor(p.b, { backend, dtype, shape: p.transB ? [p.n, p.k] : [p.k, p.n] }),
  };
}

async function main(): Promise<void> {
  const { dtype, runs } = parseArgs(process.argv.slice(2));
  const wasm = await createWasmBackend();
  const mnist = loadMnist({ flatten: false, dtype });
  const first = Int32Array.from({ length: CONV_STEP.rows }, (_, i) => i);
  const x = mnist.xTrain.gather(first).to(wasm);
  const t = mnist.tTrain.gather(first).to(wasm);
  const net = new SimpleConvNet({ seed: CONV_STEP.seed, backend: wasm, dtype });
  const optimizer = new Adam({ lr: CONV_STEP.lr });
  const batches = new Rng(4);
  const target = wasm as unknown as { exec: (op: string, task: Record<string, unknown>) => void };
  const exec = target.exec;
  const products: Product[] = [];
  let keep = false;
  target.exec = function (this: unknown, op: string, task: Record<string, unknown>) {
    const p = task as unknown as Product;
    if (keep && op === "matmul" && p.m * p.n * p.k >= 40e6) {
      products.push({ ...p, a: p.a.slice(), b: p.b.slice() });
    }
    exec.call(this, op, task);
  };
  for (let step = 0; step < 30; step++) {
    keep = step === 29;
    trainingStep(net, optimizer, x, t, batches.choice(CONV_STEP.rows, CONV_STEP.batch));
  }
  target.exec = exec;

  console.log(
    `| SimpleConvNet step's products, ${dtype}, MNIST, wasm | zeros in A | zeros in B | bits | best ms | median ms |`,
  );
  console.log("| --- | ---: | ---: | --- | ---: | ---: |");
  for (const p of products) {
    const options = { transposeA: p.transA, transposeB: p.transB };
    const host = operands(p);
    const { a, b } = operands(p, wasm);
    const expected = host.a.matmul(host.b, options).data;
    const got = a.matmul(b, options);
    let same = got.data.length === expected.length;
    for (let i = 0; same && i < expected.length; i++) same = Object.is(got.data[i], expected[i]);
    got.dispose();
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      a.matmul(b, options).dispose();
      times.push(performance.now() - t0);
    }
    times.sort((u, v) => u - v);
    const name = `matmul m${p.m} n${p.n} k${p.k}${p.transA ? " Aᵀ" : ""}${p.transB ? " Bᵀ" : ""}`;
    console.log(
      `| ${name} | ${zeros(p.a)} | ${zeros(p.b)} | ${same ? "same as cpu" : "DIFFER from cpu"} | ${times[0]!.toFixed(2)} | ${times[runs >> 1]!.toFixed(2)} |`,
    );
  }
  wasm.dispose();
}

await main();

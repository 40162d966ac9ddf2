// The matrix products of one training step with the operands they really have, shared by the benches
// that time them (conv-matmul.ts): the SimpleConvNet step of conv-step.ts (MNIST input)
// or the book run's TwoLayerNet step, run on wasm up to step S, its products copied as they are called.
import { loadMnist } from "@bp/data";
import { Adam, type Net, type Optimizer, SGD, SimpleConvNet, TwoLayerNet } from "@bp/nets";
import { type FloatDType, Rng } from "@bp/tensor";
import type { WasmBackend } from "@bp/tensor/wasm";
import { trainingStep } from "./train-step.js";

/** conv-step.ts's recipe (that module runs its bench when imported, so the numbers are repeated). */
const CONV_STEP = { rows: 1000, batch: 100, lr: 0.001, seed: 1 } as const;
/** The book run's recipe (book-run.ts: TwoLayerNet 784-50-10, SGD lr 0.1, batch 100, seed 0). */
const BOOK_RUN = { rows: 1000, batch: 100, lr: 0.1, seed: 0 } as const;

/** A matrix product's task: out = op(A) @ op(B), op(A) m x k, op(B) k x n (as the kernels take it). */
export interface Product {
  m: number;
  n: number;
  k: number;
  transA: boolean;
  transB: boolean;
  a: Float64Array | Float32Array;
  b: Float64Array | Float32Array;
}

/** Which step's products: the net (conv: SimpleConvNet, products of 40 M multiply-adds or more;
 * two-layer: TwoLayerNet 784-50-10, all five), the dtype and the step (from 1). */
export interface StepChoice {
  dtype: FloatDType;
  net: "conv" | "two-layer";
  step: number;
}

/** Runs `step` training steps of the chosen net on wasm and returns the last step's products. */
export function capture(args: StepChoice, wasm: WasmBackend): Product[] {
  const { dtype } = args;
  const conv = args.net === "conv";
  const recipe = conv ? CONV_STEP : BOOK_RUN;
  const mnist = loadMnist({ flatten: !conv, dtype });
  const first = Int32Array.from({ length: recipe.rows }, (_, i) => i);
  const x = mnist.xTrain.gather(first).to(wasm);
  const t = mnist.tTrain.gather(first).to(wasm);
  const net: Net = conv
    ? new SimpleConvNet({ seed: recipe.seed, backend: wasm, dtype })
    : new TwoLayerNet(784, 50, 10, { seed: recipe.seed, backend: wasm, dtype });
  const optimizer: Optimizer = conv ? new Adam({ lr: recipe.lr }) : new SGD({ lr: recipe.lr });
  const batches = new Rng(4);
  const target = wasm as unknown as { exec: (op: string, task: Record<string, unknown>) => void };
  const exec = target.exec;
  const products: Product[] = [];
  let keep = false;
  target.exec = function (this: unknown, op: string, task: Record<string, unknown>) {
    const p = task as unknown as Product;
    if (keep && op === "matmul" && (!conv || p.m * p.n * p.k >= 40e6)) {
      products.push({ ...p, a: p.a.slice(), b: p.b.slice() });
    }
    exec.call(this, op, task);
  };
  for (let step = 0; step < args.step; step++) {
    keep = step === args.step - 1;
    trainingStep(net, optimizer, x, t, batches.choice(recipe.rows, recipe.batch));
  }
  target.exec = exec;
  return products;
}

// tfjs as contenders, float32 only: @tensorflow/tfjs-backend-cpu (pure JavaScript) as the baseline,
// and @tensorflow/tfjs-backend-wasm (XNNPACK in WebAssembly SIMD; one thread in Node). Both live in
// one tfjs engine, whose active backend is global: every op switches to its own backend first
// (`useTfjs`, synchronous once the backend is initialized; the switch lands in the first timed run of
// a turn at most, and rows keep the fastest run).
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { DType } from "@bp/tensor";
import { matmulOperandA, matmulOperandB } from "./cases.js";
import type { BenchBackend, BenchTarget, MatmulCase, PreparedOp } from "./target.js";
import { TRAIN_STEP, initialWeights, minibatches, trainingData } from "./train-step.js";
import { tfjsSgdStep } from "./tfjs-two-layer-net.js";

export type TfjsBackendName = "cpu" | "wasm";

/**
 * Makes `name` tfjs's active backend (initializing it the first time; the wasm backend loads its
 * .wasm files from the package's dist/ folder).
 */
export async function openTfjs(name: TfjsBackendName): Promise<void> {
  tf.env().set("IS_TEST", true); // no console banner about tfjs-node
  if (name === "wasm") {
    const require = createRequire(import.meta.url);
    setWasmPaths(join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist/"));
  }
  if (!(await tf.setBackend(name))) throw new Error(`tfjs bench: backend ${name} failed to initialize`);
}

/** Switches tfjs to `name`, already opened: tf.setBackend does its work synchronously then. */
function useTfjs(name: TfjsBackendName): void {
  if (tf.getBackend() !== name) void tf.setBackend(name);
}

export function tfjsCpu(): BenchBackend {
  return tfjsBackend("cpu", null);
}

export function tfjsWasm(): BenchBackend {
  return tfjsBackend("wasm", "tfjs-cpu");
}

function tfjsBackend(backend: TfjsBackendName, vs: string | null): BenchBackend {
  const name = `tfjs-${backend}`;
  /** The op with `backend` active while it runs. */
  const on = (op: PreparedOp): PreparedOp => ({
    run: () => {
      useTfjs(backend);
      op.run();
    },
    dispose: () => op.dispose(),
  });
  return {
    name,
    vs,
    dtypes: ["float32"],
    async open(): Promise<BenchTarget> {
      await openTfjs(backend);
      return {
        matmul(c: MatmulCase, dtype: DType): PreparedOp {
          if (dtype !== "float32") throw new Error(`${name} bench: dtype ${dtype} is not supported (float32 only)`);
          useTfjs(backend);
          const shapeA = c.transposeA ? [c.k, c.m] : [c.m, c.k];
          const shapeB = c.transposeB ? [c.n, c.k] : [c.k, c.n];
          // The same numbers as the bp targets get.
          const a = tf.tensor(matmulOperandA(c, "float32"), shapeA, "float32");
          const b = tf.tensor(matmulOperandB(c, "float32"), shapeB, "float32");
          return on({
            run: () => {
              const y = tf.matMul(a, b, c.transposeA, c.transposeB);
              y.dataSync();
              y.dispose();
            },
            dispose: () => {
              a.dispose();
              b.dispose();
            },
          });
        },
        trainStep(dtype: DType): PreparedOp {
          if (dtype !== "float32") throw new Error(`${name} bench: dtype ${dtype} is not supported (float32 only)`);
          useTfjs(backend);
          return on(tfjsTrainStep());
        },
        close: () => {},
      };
    },
  };
}

/**
 * The same step written with tfjs-core ops: the book's forward pass and its hand-derived backward
 * pass (as TwoLayerNet's layers compute it), then SGD, on the same data, initial weights and
 * minibatches as the bp targets, in float32, on the active tfjs backend.
 */
function tfjsTrainStep(): PreparedOp {
  const { input, hidden, output, lr, rows } = TRAIN_STEP;
  const data = trainingData();
  const x = tf.tensor2d(Float32Array.from(data.x), [rows, input]);
  const t = tf.cast(tf.oneHot(tf.tensor1d(data.labels, "int32"), output), "float32");
  const w = initialWeights("float32");
  const W1 = tf.variable(tf.tensor2d(Float32Array.from(w.W1), [input, hidden]));
  const b1 = tf.variable(tf.tensor1d(Float32Array.from(w.b1)));
  const W2 = tf.variable(tf.tensor2d(Float32Array.from(w.W2), [hidden, output]));
  const b2 = tf.variable(tf.tensor1d(Float32Array.from(w.b2)));
  const nextBatch = minibatches();
  return {
    run: () => {
      const idx = tf.tensor1d(nextBatch(), "int32");
      const xb = tf.gather(x, idx);
      const tb = tf.gather(t, idx);
      tfjsSgdStep({ W1, b1, W2, b2 }, xb as tf.Tensor2D, tb as tf.Tensor2D, lr);
      xb.dispose();
      tb.dispose();
      idx.dispose();
    },
    dispose: () => {
      for (const v of [x, t, W1, b1, W2, b2]) v.dispose();
    },
  };
}

// @tensorflow/tfjs-backend-cpu (pure JavaScript, float32 only) as the baseline.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import type { DType } from "@bp/tensor";
import { matmulOperandA, matmulOperandB } from "./cases.js";
import type { BenchBackend, BenchTarget, MatmulCase, PreparedOp } from "./target.js";
import { TRAIN_STEP, initialWeights, minibatches, trainingData } from "./train-step.js";
import { tfjsSgdStep } from "./tfjs-two-layer-net.js";

export function tfjsCpu(): BenchBackend {
  return {
    name: "tfjs-cpu",
    vs: null,
    dtypes: ["float32"],
    async open(): Promise<BenchTarget> {
      tf.env().set("IS_TEST", true); // no console banner about tfjs-node
      await tf.setBackend("cpu");
      return {
        matmul(c: MatmulCase, dtype: DType): PreparedOp {
          if (dtype !== "float32") throw new Error(`tfjs-cpu bench: dtype ${dtype} is not supported (float32 only)`);
          const shapeA = c.transposeA ? [c.k, c.m] : [c.m, c.k];
          const shapeB = c.transposeB ? [c.n, c.k] : [c.k, c.n];
          // The same numbers as the bp targets get.
          const a = tf.tensor(matmulOperandA(c, "float32"), shapeA, "float32");
          const b = tf.tensor(matmulOperandB(c, "float32"), shapeB, "float32");
          return {
            run: () => {
              const y = tf.matMul(a, b, c.transposeA, c.transposeB);
              y.dataSync();
              y.dispose();
            },
            dispose: () => {
              a.dispose();
              b.dispose();
            },
          };
        },
        trainStep(dtype: DType): PreparedOp {
          if (dtype !== "float32") throw new Error(`tfjs-cpu bench: dtype ${dtype} is not supported (float32 only)`);
          return tfjsTrainStep();
        },
        close: () => {},
      };
    },
  };
}

/**
 * The same step written with tfjs-core ops: the book's forward pass and its hand-derived backward
 * pass (as TwoLayerNet's layers compute it), then SGD, on the same data, initial weights and
 * minibatches as the bp targets, in float32.
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

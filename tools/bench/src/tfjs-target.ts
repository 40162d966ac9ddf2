// @tensorflow/tfjs-backend-cpu (pure JavaScript, float32 only) as the baseline.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { randn, type DType } from "@bp/tensor";
import type { BenchBackend, BenchTarget, MatmulCase, PreparedOp } from "./target.js";

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
          const a = tf.tensor(randn(shapeA, { seed: 1, dtype: "float32" }).data as Float32Array, shapeA, "float32");
          const b = tf.tensor(randn(shapeB, { seed: 2, dtype: "float32" }).data as Float32Array, shapeB, "float32");
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
        close: () => {},
      };
    },
  };
}

// A bp backend (anything implementing @bp/tensor's Backend) as a benchmark target: ops go through
// the public Tensor API, as user code would call them.
import { tensor, type Backend, type DType, type FloatDType } from "@bp/tensor";
import { matmulOperandA, matmulOperandB } from "./cases.js";
import { SGD, TwoLayerNet } from "@bp/nets";
import type { BenchBackend, BenchTarget, MatmulCase, PreparedOp } from "./target.js";
import { TRAIN_STEP, initialWeights, minibatches, trainingStep, trainingData } from "./train-step.js";
import { multiLayerStep } from "./multilayer.js";

export interface BpBackendEntry {
  name: string;
  vs: string | null;
  /** Creates the backend; it is disposed at the end of the run. */
  make: () => Backend | Promise<Backend>;
  dtypes?: readonly FloatDType[];
}

export function bpBackend(entry: BpBackendEntry): BenchBackend {
  return {
    name: entry.name,
    vs: entry.vs,
    dtypes: entry.dtypes ?? ["float32", "float64"],
    async open(): Promise<BenchTarget> {
      const backend = await entry.make();
      return {
        matmul(c: MatmulCase, dtype: DType): PreparedOp {
          const a = tensor(matmulOperandA(c, dtype), { dtype, backend, shape: c.transposeA ? [c.k, c.m] : [c.m, c.k] });
          const b = tensor(matmulOperandB(c, dtype), { dtype, backend, shape: c.transposeB ? [c.n, c.k] : [c.k, c.n] });
          const options = { transposeA: c.transposeA, transposeB: c.transposeB };
          return {
            // The result disposed, as a loop that cares about memory does (see trainingStep).
            run: () => a.matmul(b, options).dispose(),
            dispose: () => {},
          };
        },
        trainStep(dtype: DType): PreparedOp {
          if (dtype === "int32") throw new Error("bench: the training step needs a float dtype");
          const data = trainingData();
          const x = tensor(data.x, { dtype, backend, shape: [TRAIN_STEP.rows, TRAIN_STEP.input] });
          const t = tensor(data.labels, { dtype: "int32", backend });
          const w = initialWeights(dtype);
          const p = (values: Float64Array, shape: number[]) => tensor(values, { dtype, backend, shape });
          const net = TwoLayerNet.fromParams({
            W1: p(w.W1, [TRAIN_STEP.input, TRAIN_STEP.hidden]),
            b1: p(w.b1, [TRAIN_STEP.hidden]),
            W2: p(w.W2, [TRAIN_STEP.hidden, TRAIN_STEP.output]),
            b2: p(w.b2, [TRAIN_STEP.output]),
          });
          const optimizer = new SGD({ lr: TRAIN_STEP.lr });
          const nextBatch = minibatches();
          return {
            run: () => trainingStep(net, optimizer, x, t, nextBatch()),
            dispose: () => {},
          };
        },
        multiLayerStep: (dtype: DType, useBatchnorm: boolean): PreparedOp | null =>
          dtype === "float64" ? multiLayerStep(backend, useBatchnorm) : null,
        close: () => backend.dispose(),
      };
    },
  };
}

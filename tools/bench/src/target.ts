// What the benchmark drives: a backend opened once per run, which prepares operations on fixed,
// seeded inputs and runs them on demand.
import type { DType } from "@bp/tensor";

/** One prepared operation: `run()` computes it once (inputs made by `prepare`, output discarded). */
export interface PreparedOp {
  run(): void;
  dispose(): void;
}

/** A matrix product op(A) @ op(B) with op(A) m x k and op(B) k x n (A stored k x m when transposeA). */
export interface MatmulCase {
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
  /** A holds MNIST training images (pixels / 255, about 81 % zeros) instead of standard normal values. */
  mnistA?: boolean;
}

/** An opened backend. */
export interface BenchTarget {
  matmul(c: MatmulCase, dtype: DType): PreparedOp;
  /** One SGD step of the book's network on a minibatch (see train-step.ts); each `run()` takes the
   * next minibatch of the shared sequence. */
  trainStep(dtype: DType): PreparedOp;
  /** One Adam step of MultiLayerNet 784-100x4-10, without or with BatchNorm (see multilayer.ts);
   * null where the target does not run it (tfjs, and float32: the rows are float64 only). */
  multiLayerStep?(dtype: DType, useBatchnorm: boolean): PreparedOp | null;
  close(): void;
}

/** One entry of the backend list (see backends.ts). */
export interface BenchBackend {
  /** Row label, e.g. "cpu", "worker", "tfjs-cpu". */
  readonly name: string;
  /** The backend this one is compared with (ratio = this row's GFLOPS / that one's), or null. */
  readonly vs: string | null;
  /** The dtypes it runs. */
  readonly dtypes: readonly DType[];
  open(): Promise<BenchTarget>;
}

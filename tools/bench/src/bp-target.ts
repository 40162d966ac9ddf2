// A bp backend (anything implementing @bp/tensor's Backend) as a benchmark target: ops go through
// the public Tensor API, as user code would call them.
import { randn, type Backend, type DType, type FloatDType } from "@bp/tensor";
import type { BenchBackend, BenchTarget, MatmulCase, PreparedOp } from "./target.js";

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
          const a = randn(c.transposeA ? [c.k, c.m] : [c.m, c.k], { seed: 1, dtype, backend });
          const b = randn(c.transposeB ? [c.n, c.k] : [c.k, c.n], { seed: 2, dtype, backend });
          const options = { transposeA: c.transposeA, transposeB: c.transposeB };
          return {
            run: () => void a.matmul(b, options),
            dispose: () => {},
          };
        },
        close: () => backend.dispose(),
      };
    },
  };
}

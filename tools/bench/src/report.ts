// Rows, ratios and the markdown table.
import { type Align, type DType, formatTable } from "@bp/tensor";

export interface Row {
  bench: string;
  shape: string;
  dtype: DType;
  backend: string;
  gflops: number;
  /** The backend this row is compared with, or null. */
  vs: string | null;
  /** gflops / the vs backend's gflops for the same bench, shape and dtype (float32 if it lacks this
   * dtype), or null. */
  ratio: number | null;
  /** gflops / the NumPy row's gflops for the same bench, shape and dtype, or null. */
  ofNumpy: number | null;
  /** gflops / the PyTorch (1 thread) row's gflops for the same bench, shape and dtype, or null. */
  ofPytorch: number | null;
}

/** The backend name of NumPy rows (OpenBLAS on one thread). */
export const NUMPY = "numpy (1 thread)";

/** The backend name of PyTorch rows (its BLAS on one thread). */
export const PYTORCH = "pytorch (1 thread)";

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Fills in `ratio` from the rows of the `vs` backends; rounds the numbers for printing. */
export function withRatios(rows: readonly Row[]): Row[] {
  const find = (backend: string, bench: string, shape: string, dtype: DType): Row | undefined =>
    rows.find((r) => r.backend === backend && r.bench === bench && r.shape === shape && r.dtype === dtype);
  return rows.map((r) => {
    let ratio: number | null = null;
    if (r.vs !== null) {
      const base = find(r.vs, r.bench, r.shape, r.dtype) ?? find(r.vs, r.bench, r.shape, "float32");
      if (base !== undefined) ratio = round(r.gflops / base.gflops, 3);
    }
    const share = (peer: string): number | null => {
      const base = r.backend === peer ? undefined : find(peer, r.bench, r.shape, r.dtype);
      return base === undefined ? null : round(r.gflops / base.gflops, 3);
    };
    return { ...r, gflops: round(r.gflops, 3), ratio, ofNumpy: share(NUMPY), ofPytorch: share(PYTORCH) };
  });
}

export function markdownTable(rows: readonly Row[]): string {
  const header = ["bench", "shape", "dtype", "backend", "GFLOPS", "vs", "ratio", "of NumPy", "of PyTorch"];
  // A vs backend without this dtype was compared through its float32 row: say so.
  const hasRow = (backend: string, shape: string, dtype: DType): boolean =>
    rows.some((r) => r.backend === backend && r.shape === shape && r.dtype === dtype);
  const lines = rows.map((r) => [
    r.bench,
    r.shape,
    r.dtype,
    r.backend,
    r.gflops.toFixed(2),
    r.vs === null || r.ratio === null ? "" : hasRow(r.vs, r.shape, r.dtype) ? r.vs : `${r.vs} (float32)`,
    r.ratio === null ? "" : `${r.ratio.toFixed(2)}x`,
    r.ofNumpy === null ? "" : `${(100 * r.ofNumpy).toFixed(0)} %`,
    r.ofPytorch === null ? "" : `${(100 * r.ofPytorch).toFixed(0)} %`,
  ]);
  const align = header.map((_, i): Align => (i === 4 || i >= 6 ? "right" : "left"));
  return formatTable(header, lines, { align, markdown: true }).join("\n");
}

/**
 * float32 speed over float64 speed (GFLOPS ratio, same run) per matmul shape, one column per backend
 * that ran both dtypes: what float32 arithmetic (f32x4 lanes in wasm) gains at each shape.
 */
export function dtypeRatioTable(rows: readonly Row[]): string {
  const matmul = rows.filter((r) => r.bench === "matmul");
  const gflops = (backend: string, shape: string, dtype: DType): number | undefined =>
    matmul.find((r) => r.backend === backend && r.shape === shape && r.dtype === dtype)?.gflops;
  const shapes = [...new Set(matmul.map((r) => r.shape))];
  const backends = [...new Set(matmul.map((r) => r.backend))].filter((b) =>
    shapes.some((s) => gflops(b, s, "float32") !== undefined && gflops(b, s, "float64") !== undefined),
  );
  const lines = shapes.map((shape) => [
    shape,
    ...backends.map((b) => {
      const f32 = gflops(b, shape, "float32");
      const f64 = gflops(b, shape, "float64");
      return f32 === undefined || f64 === undefined ? "" : `${(f32 / f64).toFixed(2)}x`;
    }),
  ]);
  const header = ["matmul shape", ...backends.map((b) => `${b} f32/f64`)];
  const align = header.map((_, i): Align => (i === 0 ? "left" : "right"));
  return formatTable(header, lines, { align, markdown: true }).join("\n");
}

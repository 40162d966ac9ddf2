import { formatTable, ValueError, type Shape } from "@bp/tensor";

export interface ToleranceOptions {
  /** Absolute tolerance (default 1e-5). */
  atol?: number;
  /** Relative tolerance, times |expected| (default 1e-3). An element passes when
   * |actual - expected| <= atol + rtol * |expected| (PyTorch gradcheck's rule). */
  rtol?: number;
  /** Throw a `GradCheckError` (carrying the report) when anything fails (default false). */
  throwOnFailure?: boolean;
}

export const DEFAULT_ATOL = 1e-5;
export const DEFAULT_RTOL = 1e-3;

/** How one value (a gradient, an output, a loss) compares with its reference. */
export interface Comparison {
  name: string;
  shape: readonly number[];
  /** The book's figure: the mean of |actual - expected| over the elements. */
  meanAbsDiff: number;
  maxAbsDiff: number;
  /** Multi-index of the largest absolute difference. */
  maxAbsDiffAt: number[];
  /** The largest |actual - expected| / max(|actual|, |expected|) (0 where both are 0). */
  maxRelError: number;
  maxRelErrorAt: number[];
  /** How many elements are out of tolerance. */
  failures: number;
  passed: boolean;
}

/** The result of a check: one comparison per value, by name (`W1`, `b1`, ... or `x`, `W`, `b`). */
export interface CheckReport {
  /** What was checked, e.g. "checkNet" or "crossCheckLayer(Affine)". */
  title: string;
  /** What `actual` and `expected` are, e.g. "backprop vs numerical". */
  against: string;
  passed: boolean;
  atol: number;
  rtol: number;
  comparisons: Record<string, Comparison>;
}

/** Resolves and validates tolerances. */
export function tolerances(options: ToleranceOptions): { atol: number; rtol: number } {
  const atol = options.atol ?? DEFAULT_ATOL;
  const rtol = options.rtol ?? DEFAULT_RTOL;
  for (const [k, v] of [
    ["atol", atol],
    ["rtol", rtol],
  ] as const) {
    if (!(v >= 0) || !Number.isFinite(v))
      throw new ValueError("tolerances", `${k} must be a finite number >= 0, got ${v}`);
  }
  return { atol, rtol };
}

/** Compares `actual` with the reference `expected`, element by element. */
export function compareValues(
  name: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  shape: Shape,
  tol: { atol: number; rtol: number },
): Comparison {
  if (actual.length !== expected.length) {
    throw new ValueError(
      "compareValues",
      `${name}: ${actual.length} values to compare with ${expected.length} expected`,
    );
  }
  let sum = 0;
  let maxAbs = -1;
  let maxAbsAt = 0;
  let maxRel = -1;
  let maxRelAt = 0;
  let failures = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const d = Math.abs(a - e);
    const scale = Math.max(Math.abs(a), Math.abs(e));
    const rel = d === 0 ? 0 : d / scale;
    // NaN compares false everywhere: count it as the worst difference and as a failure.
    const dd = Number.isNaN(d) ? Infinity : d;
    const rr = Number.isNaN(rel) ? Infinity : rel;
    sum += dd;
    if (dd > maxAbs) [maxAbs, maxAbsAt] = [dd, i];
    if (rr > maxRel) [maxRel, maxRelAt] = [rr, i];
    if (!(d <= tol.atol + tol.rtol * Math.abs(e))) failures++;
  }
  const n = actual.length;
  return {
    name,
    shape: [...shape],
    meanAbsDiff: n === 0 ? 0 : sum / n,
    maxAbsDiff: Math.max(maxAbs, 0),
    maxAbsDiffAt: unravel(maxAbsAt, shape),
    maxRelError: Math.max(maxRel, 0),
    maxRelErrorAt: unravel(maxRelAt, shape),
    failures,
    passed: failures === 0,
  };
}

export function makeReport(
  title: string,
  against: string,
  comparisons: Comparison[],
  tol: { atol: number; rtol: number },
): CheckReport {
  const byName: Record<string, Comparison> = {};
  for (const c of comparisons) byName[c.name] = c;
  return {
    title,
    against,
    passed: comparisons.every((c) => c.passed),
    atol: tol.atol,
    rtol: tol.rtol,
    comparisons: byName,
  };
}

/** The multi-index of a flat row-major index. */
export function unravel(flat: number, shape: Shape): number[] {
  const index = new Array<number>(shape.length).fill(0);
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    const dim = shape[d]!;
    if (dim === 0) return index;
    index[d] = rest % dim;
    rest = Math.floor(rest / dim);
  }
  return index;
}

const e = (v: number): string => (v === 0 ? "0" : v.toExponential(2));

/** The report as a table, one row per value. */
export function formatReport(report: CheckReport): string {
  const header = ["name", "shape", "mean |diff|", "max |diff|", "at", "max rel err", "at", "result"];
  const rows = Object.values(report.comparisons).map((c) => [
    c.name,
    `[${c.shape.join(",")}]`,
    e(c.meanAbsDiff),
    e(c.maxAbsDiff),
    `[${c.maxAbsDiffAt.join(",")}]`,
    e(c.maxRelError),
    `[${c.maxRelErrorAt.join(",")}]`,
    c.passed ? "ok" : `FAIL (${c.failures})`,
  ]);
  return [
    `${report.title}: ${report.passed ? "passed" : "FAILED"} (${report.against}; atol ${report.atol}, rtol ${report.rtol})`,
    ...formatTable(header, rows),
  ].join("\n");
}

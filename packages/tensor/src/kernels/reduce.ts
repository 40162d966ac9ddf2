import type { TypedArray } from "../dtype.js";

export type ReduceOp = "sum" | "max" | "min";

/** Running values of one output row segment (module level: no garbage per call): float64 for
 * float64 and int32 values, float32 for float32 values. */
let rowScratch = new Float64Array(0);
let rowScratch32 = new Float32Array(0);

/**
 * Reduces the middle axis of x viewed as [outer, axisLen, inner] into out viewed as [outer, inner],
 * for output elements [start, end). Each output element is accumulated in axis order, starting from
 * +0 for a sum, so the result does not depend on how [start, end) ranges are split between threads.
 * Sums of float32 values are float32 sums: every partial sum is rounded to float32
 * (`s = fround(s + x[k])`, which is WebAssembly's f32.add: the float64 sum of two float32 values
 * rounded to float32 is their float32 sum); float64 and int32 values are summed in float64.
 * max/min: a NaN anywhere gives NaN; on ties the first value is kept.
 */
export function reduceImpl(
  op: ReduceOp,
  x: TypedArray,
  _outer: number, // implied by out.length; kept so the call names the whole [outer, axisLen, inner] view
  axisLen: number,
  inner: number,
  out: TypedArray,
  start: number,
  end: number,
): void {
  if (inner === 1) {
    for (let o = start; o < end; o++) {
      const base = o * axisLen;
      out[o] = reduceRun(op, x, base, axisLen);
    }
    return;
  }
  // inner > 1: accumulate whole rows so reads of x stay sequential. The running values live in a
  // scratch row (reused between calls) of x's float type: a Float32Array rounds every partial sum of
  // float32 values to float32 when it is stored, as the inner === 1 path does.
  const init = op === "sum" ? 0 : op === "max" ? -Infinity : Infinity;
  let pos = start;
  while (pos < end) {
    const o = Math.floor(pos / inner);
    const j0 = pos - o * inner;
    const len = Math.min(inner - j0, end - pos);
    const acc = scratchRow(x instanceof Float32Array, len);
    acc.fill(init, 0, len);
    for (let k = 0; k < axisLen; k++) {
      const xBase = (o * axisLen + k) * inner + j0;
      switch (op) {
        case "sum":
          for (let j = 0; j < len; j++) acc[j] = acc[j]! + x[xBase + j]!;
          break;
        case "max":
          for (let j = 0; j < len; j++) {
            const v = x[xBase + j]!;
            if (v > acc[j]! || v !== v) acc[j] = v;
          }
          break;
        case "min":
          for (let j = 0; j < len; j++) {
            const v = x[xBase + j]!;
            if (v < acc[j]! || v !== v) acc[j] = v;
          }
          break;
      }
    }
    const outBase = o * inner + j0;
    if (op !== "sum" && axisLen === 0) out.fill(NaN, outBase, outBase + len);
    else for (let j = 0; j < len; j++) out[outBase + j] = acc[j]!;
    pos += len;
  }
}

/** The scratch row of at least `len` values, float32 or float64. */
function scratchRow(float32: boolean, len: number): Float32Array | Float64Array {
  if (float32) {
    if (rowScratch32.length < len) rowScratch32 = new Float32Array(Math.max(len, 2 * rowScratch32.length));
    return rowScratch32;
  }
  if (rowScratch.length < len) rowScratch = new Float64Array(Math.max(len, 2 * rowScratch.length));
  return rowScratch;
}

function reduceRun(op: ReduceOp, x: TypedArray, base: number, len: number): number {
  switch (op) {
    case "sum": {
      let s = 0;
      if (x instanceof Float32Array) {
        for (let k = 0; k < len; k++) s = Math.fround(s + x[base + k]!);
        return s;
      }
      for (let k = 0; k < len; k++) s += x[base + k]!;
      return s;
    }
    case "max": {
      if (len === 0) return NaN;
      let m = -Infinity;
      for (let k = 0; k < len; k++) {
        const v = x[base + k]!;
        if (v > m) m = v;
        else if (v !== v) return NaN;
      }
      return m;
    }
    case "min": {
      if (len === 0) return NaN;
      let m = Infinity;
      for (let k = 0; k < len; k++) {
        const v = x[base + k]!;
        if (v < m) m = v;
        else if (v !== v) return NaN;
      }
      return m;
    }
  }
}

/**
 * Index of the largest value along the middle axis of x viewed as [outer, axisLen, inner], for
 * output elements [start, end). Ties go to the first index; a NaN counts as the largest (NumPy).
 */
export function argmaxImpl(
  x: TypedArray,
  _outer: number, // implied by out.length; kept so the call names the whole [outer, axisLen, inner] view
  axisLen: number,
  inner: number,
  out: Int32Array,
  start: number,
  end: number,
): void {
  for (let i = start; i < end; i++) {
    const o = Math.floor(i / inner);
    const j = i - o * inner;
    const base = o * axisLen * inner + j;
    let best = x[base]!;
    let bestK = 0;
    if (best === best) {
      for (let k = 1; k < axisLen; k++) {
        const v = x[base + k * inner]!;
        if (v > best) {
          best = v;
          bestK = k;
        } else if (v !== v) {
          bestK = k;
          break;
        }
      }
    }
    out[i] = bestK;
  }
}

/** Elements per block of `firstNonFiniteImpl`'s fast pass. */
const FINITE_BLOCK = 1024;

/**
 * The index of the first NaN or ±Infinity among x[start, end), or -1 when all are finite. A fast
 * pass sums `x[i] * 0` per block (0 for every finite value, NaN for NaN and ±Infinity, with four
 * independent sums and no branch per element: about twice the speed of a `Number.isFinite` loop);
 * only a block whose sum is not 0 is searched element by element.
 */
export function firstNonFiniteImpl(x: TypedArray, start: number, end: number): number {
  if (x instanceof Int32Array) return -1;
  for (let i = start; i < end; ) {
    const blockEnd = Math.min(end, i + FINITE_BLOCK);
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let j = i;
    for (; j + 4 <= blockEnd; j += 4) {
      s0 += x[j]! * 0;
      s1 += x[j + 1]! * 0;
      s2 += x[j + 2]! * 0;
      s3 += x[j + 3]! * 0;
    }
    for (; j < blockEnd; j++) s0 += x[j]! * 0;
    if (s0 + s1 + s2 + s3 !== 0) {
      for (let k = i; k < blockEnd; k++) if (!Number.isFinite(x[k]!)) return k;
    }
    i = blockEnd;
  }
  return -1;
}

import type { FloatArray } from "../dtype.js";
import { matmul32Impl } from "./matmul32.js";

// Cache-blocked, register-tiled matrix product (the GotoBLAS/BLIS loop nest, in plain TypeScript).
//
// Loop nest, outermost first:
//   jc: strips of NC output columns; B[:, strip] is packed once per call into panels of NR columns
//   ic: blocks of MC output rows (within [rowStart, rowEnd)); their accumulators live in `acc`
//   pc: blocks of kc along the inner dimension; A[block rows, pc..pc+kc) is packed into panels of
//       MR rows (it stays in L2 while every B panel of the strip streams past it)
//   jr, ir: one MR x NR tile of the output, computed by `microKernel` with its MR*NR running sums in
//       local variables (registers), reading one MR-value column of the A panel and one NR-value row
//       of the B panel per step.
//
// Every packed panel and the accumulators are Float64Array scratch, whatever the operands' dtype, so
// the micro-kernel only ever sees one array type and V8 keeps it monomorphic. float32 operands are
// multiplied and summed in float32 by matmul32Impl (matmul32.ts), with the same loop nest.
//
// Summation order: each output element is the float64 sum `((0 + a0*b0) + a1*b1) + ...` taken in
// increasing p. The k blocking does not change that (a tile's sums are carried over from one k
// block to the next through `acc`, which is float64 and exact), and neither do the row and column
// blocking. So the result does not depend on rowStart/rowEnd, and it equals the naive triple loop
// that accumulates in a double, bit for bit.
//
// Index arithmetic is written `(x + y) | 0` so V8 can drop its int32 overflow checks.

/** Rows of the register tile (and of a packed A panel). */
const MR = 4;
/** Columns of the register tile (and of a packed B panel). 5 divides the book's 50 hidden units. */
const NR = 5;
/** Upper bound of the k block; the actual block is k split into equal parts (depends on k only). */
const KC = 256;
/** Rows per block of A (a multiple of MR). */
const MC = 64;
/** Columns per strip of B (a multiple of NR). */
const NC = 240;

// Module-level scratch, grown on demand and reused by every call (one copy per thread).
/** Packed A block (MC x kc) followed by the packed B strip (k x NC). */
let panels = new Float64Array(0);
/** Float64 running sums of one MC x NC block of the output. */
let acc = new Float64Array(0);

function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

/**
 * out = op(A) @ op(B) for output rows [rowStart, rowEnd), where op(A) is m x k and op(B) is k x n.
 * With transA, A is stored k x m (row-major) and read transposed in place; likewise transB (n x k).
 * out is m x n, row-major; rows [rowStart, rowEnd) are overwritten, other rows are not touched.
 *
 * Each output element is accumulated over k in the same order whatever the row range (in float64,
 * in increasing k), so splitting rows between threads gives bitwise identical results.
 */
export function matmulImpl(
  a: FloatArray,
  b: FloatArray,
  out: FloatArray,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  rowStart: number,
  rowEnd: number,
): void {
  // float32 operands are multiplied and summed in float32 (matmul32.ts).
  if (a instanceof Float32Array) {
    matmul32Impl(a, b as Float32Array, out as Float32Array, m, n, k, transA, transB, rowStart, rowEnd);
    return;
  }
  if (rowEnd <= rowStart || n === 0) return;
  if (k === 0) {
    out.fill(0, rowStart * n, rowEnd * n);
    return;
  }
  const kc = Math.ceil(k / Math.ceil(k / KC));
  const ncMax = roundUp(Math.min(NC, n), NR);
  const aSize = MC * kc;
  if (panels.length < aSize + k * ncMax) panels = new Float64Array(aSize + k * ncMax);
  if (acc.length < MC * ncMax) acc = new Float64Array(MC * ncMax);
  const w = panels;
  const c = acc;

  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const ncp = roundUp(nc, NR);
    packB(b, n, k, transB, jc, nc, kc, w, aSize);
    for (let ic = rowStart; ic < rowEnd; ic += MC) {
      const mc = Math.min(MC, rowEnd - ic);
      const mcp = roundUp(mc, MR);
      c.fill(0, 0, mcp * ncp);
      for (let pc = 0; pc < k; pc += kc) {
        const kb = Math.min(kc, k - pc);
        packA(a, m, k, transA, ic, mc, pc, kb, w);
        const bBlock = aSize + pc * ncp;
        for (let jr = 0; jr < ncp; jr += NR) {
          const bo = bBlock + jr * kb;
          for (let ir = 0; ir < mcp; ir += MR) microKernel(w, ir * kb, bo, kb, c, ir * ncp + jr, ncp);
        }
      }
      for (let i = 0; i < mc; i++) {
        const src = i * ncp;
        const dst = (ic + i) * n + jc;
        for (let j = 0; j < nc; j++) out[dst + j] = c[src + j]!;
      }
    }
  }
}

/**
 * c[co + r*ldc + j] += sum over p < kc of w[ao + p*MR + r] * w[bo + p*NR + j], for the MR x NR
 * tile, with the running sums in locals. A and B panels share one array (one map check per step).
 */
function microKernel(
  w: Float64Array,
  ao: number,
  bo: number,
  kc: number,
  c: Float64Array,
  co: number,
  ldc: number,
): void {
  const r1 = (co + ldc) | 0;
  const r2 = (r1 + ldc) | 0;
  const r3 = (r2 + ldc) | 0;
  let c00 = c[co]!,
    c01 = c[(co + 1) | 0]!,
    c02 = c[(co + 2) | 0]!,
    c03 = c[(co + 3) | 0]!,
    c04 = c[(co + 4) | 0]!;
  let c10 = c[r1]!,
    c11 = c[(r1 + 1) | 0]!,
    c12 = c[(r1 + 2) | 0]!,
    c13 = c[(r1 + 3) | 0]!,
    c14 = c[(r1 + 4) | 0]!;
  let c20 = c[r2]!,
    c21 = c[(r2 + 1) | 0]!,
    c22 = c[(r2 + 2) | 0]!,
    c23 = c[(r2 + 3) | 0]!,
    c24 = c[(r2 + 4) | 0]!;
  let c30 = c[r3]!,
    c31 = c[(r3 + 1) | 0]!,
    c32 = c[(r3 + 2) | 0]!,
    c33 = c[(r3 + 3) | 0]!,
    c34 = c[(r3 + 4) | 0]!;
  for (let p = 0; p < kc; p = (p + 1) | 0) {
    const b0 = w[bo]!,
      b1 = w[(bo + 1) | 0]!,
      b2 = w[(bo + 2) | 0]!,
      b3 = w[(bo + 3) | 0]!,
      b4 = w[(bo + 4) | 0]!;
    const a0 = w[ao]!;
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c04 += a0 * b4;
    const a1 = w[(ao + 1) | 0]!;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c14 += a1 * b4;
    const a2 = w[(ao + 2) | 0]!;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c24 += a2 * b4;
    const a3 = w[(ao + 3) | 0]!;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
    c34 += a3 * b4;
    ao = (ao + MR) | 0;
    bo = (bo + NR) | 0;
  }
  c[co] = c00;
  c[(co + 1) | 0] = c01;
  c[(co + 2) | 0] = c02;
  c[(co + 3) | 0] = c03;
  c[(co + 4) | 0] = c04;
  c[r1] = c10;
  c[(r1 + 1) | 0] = c11;
  c[(r1 + 2) | 0] = c12;
  c[(r1 + 3) | 0] = c13;
  c[(r1 + 4) | 0] = c14;
  c[r2] = c20;
  c[(r2 + 1) | 0] = c21;
  c[(r2 + 2) | 0] = c22;
  c[(r2 + 3) | 0] = c23;
  c[(r2 + 4) | 0] = c24;
  c[r3] = c30;
  c[(r3 + 1) | 0] = c31;
  c[(r3 + 2) | 0] = c32;
  c[(r3 + 3) | 0] = c33;
  c[(r3 + 4) | 0] = c34;
}

/**
 * Packs rows [ic, ic+mc) x columns [pc, pc+kb) of op(A) into w[0..): panels of MR rows, each panel
 * kb steps of MR values (rows past mc are zero, so the micro-kernel never needs an edge case).
 */
function packA(
  a: FloatArray,
  m: number,
  k: number,
  transA: boolean,
  ic: number,
  mc: number,
  pc: number,
  kb: number,
  w: Float64Array,
): void {
  const full = mc - (mc % MR);
  let o = 0;
  if (!transA) {
    // A is m x k: each of the panel's rows is contiguous along p.
    for (let ir = 0; ir < full; ir += MR) {
      const s0 = ((ic + ir) * k + pc) | 0;
      const s1 = (s0 + k) | 0;
      const s2 = (s1 + k) | 0;
      const s3 = (s2 + k) | 0;
      for (let p = 0; p < kb; p = (p + 1) | 0) {
        w[o] = a[(s0 + p) | 0]!;
        w[(o + 1) | 0] = a[(s1 + p) | 0]!;
        w[(o + 2) | 0] = a[(s2 + p) | 0]!;
        w[(o + 3) | 0] = a[(s3 + p) | 0]!;
        o = (o + MR) | 0;
      }
    }
  } else {
    // A is stored k x m: the panel's MR values at step p are contiguous.
    for (let ir = 0; ir < full; ir += MR) {
      let src = (pc * m + ic + ir) | 0;
      for (let p = 0; p < kb; p = (p + 1) | 0) {
        w[o] = a[src]!;
        w[(o + 1) | 0] = a[(src + 1) | 0]!;
        w[(o + 2) | 0] = a[(src + 2) | 0]!;
        w[(o + 3) | 0] = a[(src + 3) | 0]!;
        o = (o + MR) | 0;
        src = (src + m) | 0;
      }
    }
  }
  if (full < mc) {
    const rowStride = transA ? 1 : k;
    const colStride = transA ? m : 1;
    for (let p = 0; p < kb; p++) {
      for (let r = 0; r < MR; r++) {
        const i = full + r;
        w[o++] = i < mc ? a[(ic + i) * rowStride + (pc + p) * colStride]! : 0;
      }
    }
  }
}

/**
 * Packs columns [jc, jc+nc) of op(B), all k rows, into w[base..): for each k block of kc rows, panels
 * of NR columns, each panel kb steps of NR values (columns past nc are zero).
 */
function packB(
  b: FloatArray,
  n: number,
  k: number,
  transB: boolean,
  jc: number,
  nc: number,
  kc: number,
  w: Float64Array,
  base: number,
): void {
  const ncp = roundUp(nc, NR);
  const full = nc - (nc % NR);
  for (let pc = 0; pc < k; pc += kc) {
    const kb = Math.min(kc, k - pc);
    let o = (base + pc * ncp) | 0;
    for (let jr = 0; jr < full; jr += NR) {
      if (!transB) {
        // B is k x n: the panel's NR values at step p are contiguous.
        let src = (pc * n + jc + jr) | 0;
        for (let p = 0; p < kb; p = (p + 1) | 0) {
          w[o] = b[src]!;
          w[(o + 1) | 0] = b[(src + 1) | 0]!;
          w[(o + 2) | 0] = b[(src + 2) | 0]!;
          w[(o + 3) | 0] = b[(src + 3) | 0]!;
          w[(o + 4) | 0] = b[(src + 4) | 0]!;
          o = (o + NR) | 0;
          src = (src + n) | 0;
        }
      } else {
        // B is stored n x k: each of the panel's columns is contiguous along p.
        const s0 = ((jc + jr) * k + pc) | 0;
        const s1 = (s0 + k) | 0;
        const s2 = (s1 + k) | 0;
        const s3 = (s2 + k) | 0;
        const s4 = (s3 + k) | 0;
        for (let p = 0; p < kb; p = (p + 1) | 0) {
          w[o] = b[(s0 + p) | 0]!;
          w[(o + 1) | 0] = b[(s1 + p) | 0]!;
          w[(o + 2) | 0] = b[(s2 + p) | 0]!;
          w[(o + 3) | 0] = b[(s3 + p) | 0]!;
          w[(o + 4) | 0] = b[(s4 + p) | 0]!;
          o = (o + NR) | 0;
        }
      }
    }
    if (full < ncp) {
      const rowStride = transB ? 1 : n;
      const colStride = transB ? k : 1;
      for (let p = 0; p < kb; p++) {
        for (let j = 0; j < NR; j++) {
          const col = full + j;
          w[o++] = col < nc ? b[(pc + p) * rowStride + (jc + col) * colStride]! : 0;
        }
      }
    }
  }
}

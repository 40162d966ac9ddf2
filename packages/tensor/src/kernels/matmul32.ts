// The float32 matrix product: float32 operands, float32 products, float32 running sums.
//
// Meaning (shared bit for bit with assembly/matmul32.ts, the f32x4 SIMD kernel): every output element
// is the float32 running sum in increasing p
//
//   s = +0;  for p = 0, 1, ..., k-1:  s = fround(s + fround(a[i][p] * b[p][j]))
//
// which is what WebAssembly's f32.mul and f32.add compute: a float32 * float32 product is exact in
// float64 (24 + 24 significand bits < 53), so fround of it is the correctly rounded float32 product;
// the float64 sum of two float32 values rounded to float32 equals the float32 sum, because float64
// has more than 2 * 24 + 2 significand bits (double rounding is innocuous for +, -, *, /: Figueroa,
// "When is double rounding innocuous?", 1995). No fused multiply-add on either side.
//
// Loop nest: the blocked one of matmul.ts (strips of NC columns, blocks of MC rows, k blocks of at
// most KC, MR x NR register tiles), with Float32Array scratch: a tile's running sums are carried from
// one k block to the next through `acc`, and since each sum already is a float32 value, storing it is
// exact. The row range does not change any element's order, so splitting rows between threads (the
// worker backend) gives the same bits.
//
// Index arithmetic is written `(x + y) | 0` so V8 can drop its int32 overflow checks.

const fround = Math.fround;

/** Rows of the register tile (and of a packed A panel). */
const MR = 4;
/** Columns of the register tile (and of a packed B panel). */
const NR = 4;
/** Upper bound of the k block; the actual block is k split into equal parts (depends on k only). */
const KC = 256;
/** Rows per block of A (a multiple of MR). */
const MC = 64;
/** Columns per strip of B (a multiple of NR). */
const NC = 240;

// Module-level scratch, grown on demand and reused by every call (one copy per thread).
/** Packed A block (MC x kc) followed by the packed B strip (k x NC). */
let panels = new Float32Array(0);
/** float32 running sums of one MC x NC block of the output. */
let acc = new Float32Array(0);

function roundUp(x: number, to: number): number {
  return Math.ceil(x / to) * to;
}

/**
 * out = op(A) @ op(B) in float32 for output rows [rowStart, rowEnd), where op(A) is m x k and op(B) is
 * k x n. With transA, A is stored k x m (row-major) and read transposed in place; likewise transB
 * (n x k). out is m x n, row-major; rows [rowStart, rowEnd) are overwritten, other rows are not
 * touched.
 */
export function matmul32Impl(
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  rowStart: number,
  rowEnd: number,
): void {
  if (rowEnd <= rowStart || n === 0) return;
  if (k === 0) {
    out.fill(0, rowStart * n, rowEnd * n);
    return;
  }
  const kc = Math.ceil(k / Math.ceil(k / KC));
  const ncMax = roundUp(Math.min(NC, n), NR);
  const aSize = MC * kc;
  if (panels.length < aSize + k * ncMax) panels = new Float32Array(aSize + k * ncMax);
  if (acc.length < MC * ncMax) acc = new Float32Array(MC * ncMax);
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
      for (let i = 0; i < mc; i++) out.set(c.subarray(i * ncp, i * ncp + nc), (ic + i) * n + jc);
    }
  }
}

/**
 * c[co + r*ldc + j] = fround(c[...] + fround(w[ao + p*MR + r] * w[bo + p*NR + j])) for p < kc in
 * order, for the MR x NR tile, with the running float32 sums in locals.
 */
function microKernel(
  w: Float32Array,
  ao: number,
  bo: number,
  kc: number,
  c: Float32Array,
  co: number,
  ldc: number,
): void {
  const r1 = (co + ldc) | 0;
  const r2 = (r1 + ldc) | 0;
  const r3 = (r2 + ldc) | 0;
  let c00 = c[co]!,
    c01 = c[(co + 1) | 0]!,
    c02 = c[(co + 2) | 0]!,
    c03 = c[(co + 3) | 0]!;
  let c10 = c[r1]!,
    c11 = c[(r1 + 1) | 0]!,
    c12 = c[(r1 + 2) | 0]!,
    c13 = c[(r1 + 3) | 0]!;
  let c20 = c[r2]!,
    c21 = c[(r2 + 1) | 0]!,
    c22 = c[(r2 + 2) | 0]!,
    c23 = c[(r2 + 3) | 0]!;
  let c30 = c[r3]!,
    c31 = c[(r3 + 1) | 0]!,
    c32 = c[(r3 + 2) | 0]!,
    c33 = c[(r3 + 3) | 0]!;
  for (let p = 0; p < kc; p = (p + 1) | 0) {
    const b0 = w[bo]!,
      b1 = w[(bo + 1) | 0]!,
      b2 = w[(bo + 2) | 0]!,
      b3 = w[(bo + 3) | 0]!;
    const a0 = w[ao]!;
    c00 = fround(c00 + fround(a0 * b0));
    c01 = fround(c01 + fround(a0 * b1));
    c02 = fround(c02 + fround(a0 * b2));
    c03 = fround(c03 + fround(a0 * b3));
    const a1 = w[(ao + 1) | 0]!;
    c10 = fround(c10 + fround(a1 * b0));
    c11 = fround(c11 + fround(a1 * b1));
    c12 = fround(c12 + fround(a1 * b2));
    c13 = fround(c13 + fround(a1 * b3));
    const a2 = w[(ao + 2) | 0]!;
    c20 = fround(c20 + fround(a2 * b0));
    c21 = fround(c21 + fround(a2 * b1));
    c22 = fround(c22 + fround(a2 * b2));
    c23 = fround(c23 + fround(a2 * b3));
    const a3 = w[(ao + 3) | 0]!;
    c30 = fround(c30 + fround(a3 * b0));
    c31 = fround(c31 + fround(a3 * b1));
    c32 = fround(c32 + fround(a3 * b2));
    c33 = fround(c33 + fround(a3 * b3));
    ao = (ao + MR) | 0;
    bo = (bo + NR) | 0;
  }
  c[co] = c00;
  c[(co + 1) | 0] = c01;
  c[(co + 2) | 0] = c02;
  c[(co + 3) | 0] = c03;
  c[r1] = c10;
  c[(r1 + 1) | 0] = c11;
  c[(r1 + 2) | 0] = c12;
  c[(r1 + 3) | 0] = c13;
  c[r2] = c20;
  c[(r2 + 1) | 0] = c21;
  c[(r2 + 2) | 0] = c22;
  c[(r2 + 3) | 0] = c23;
  c[r3] = c30;
  c[(r3 + 1) | 0] = c31;
  c[(r3 + 2) | 0] = c32;
  c[(r3 + 3) | 0] = c33;
}

/**
 * Packs `lanes` (of 4) lanes of kb steps at w[o..): element (lane, p) is src[first + lane *
 * laneStride + p * stepStride]; lanes past `lanes` are zero. Returns the end.
 */
function packPanel(
  src: Float32Array,
  first: number,
  laneStride: number,
  stepStride: number,
  lanes: number,
  kb: number,
  w: Float32Array,
  o: number,
): number {
  if (lanes === 4) {
    const s1 = (first + laneStride) | 0;
    const s2 = (s1 + laneStride) | 0;
    const s3 = (s2 + laneStride) | 0;
    for (let p = 0, q = 0; p < kb; p = (p + 1) | 0, q = (q + stepStride) | 0) {
      w[o] = src[(first + q) | 0]!;
      w[(o + 1) | 0] = src[(s1 + q) | 0]!;
      w[(o + 2) | 0] = src[(s2 + q) | 0]!;
      w[(o + 3) | 0] = src[(s3 + q) | 0]!;
      o = (o + 4) | 0;
    }
    return o;
  }
  for (let p = 0; p < kb; p++) {
    for (let lane = 0; lane < 4; lane++) {
      w[o++] = lane < lanes ? src[first + lane * laneStride + p * stepStride]! : 0;
    }
  }
  return o;
}

/** Packs rows [ic, ic+mc) x columns [pc, pc+kb) of op(A) into w[0..): panels of MR rows. */
function packA(
  a: Float32Array,
  m: number,
  k: number,
  transA: boolean,
  ic: number,
  mc: number,
  pc: number,
  kb: number,
  w: Float32Array,
): void {
  const rowStride = transA ? 1 : k;
  const colStride = transA ? m : 1;
  let o = 0;
  for (let ir = 0; ir < mc; ir += MR) {
    o = packPanel(a, (ic + ir) * rowStride + pc * colStride, rowStride, colStride, Math.min(MR, mc - ir), kb, w, o);
  }
}

/**
 * Packs columns [jc, jc+nc) of op(B), all k rows, into w[base..): for each k block of kc rows, panels
 * of NR columns, each kb steps of NR values (columns past nc are zero).
 */
function packB(
  b: Float32Array,
  n: number,
  k: number,
  transB: boolean,
  jc: number,
  nc: number,
  kc: number,
  w: Float32Array,
  base: number,
): void {
  const ncp = roundUp(nc, NR);
  const rowStride = transB ? 1 : n;
  const colStride = transB ? k : 1;
  for (let pc = 0; pc < k; pc += kc) {
    const kb = Math.min(kc, k - pc);
    let o = base + pc * ncp;
    for (let jr = 0; jr < ncp; jr += NR) {
      o = packPanel(b, pc * rowStride + (jc + jr) * colStride, colStride, rowStride, Math.min(NR, nc - jr), kb, w, o);
    }
  }
}

// The matrix product of src/kernels/matmul.ts in WebAssembly SIMD, with the same meaning bit for bit.
//
// Same loop nest as the TypeScript kernel (GotoBLAS/BLIS: jc strips of NC columns, ic blocks of MC
// rows, pc blocks of at most KC along k, then MR x NR register tiles), and the same promise: every
// output element is the float64 sum ((0 + a0*b0) + a1*b1) + ... in increasing p (float64 operands;
// float32 ones go to assembly/matmul32.ts). With one k block (k <= 256) a dense block's tiles sum
// from +0 and store straight to out; otherwise each tile's sums are carried from one k block to the
// next through a float64 scratch block, which is exact, so the blocking changes nothing. For at most
// 64 rows and several k blocks (kOuter) the k blocks go outside the row blocks, and a B with short
// aligned rows is read in place.
//
// SIMD runs across output columns: an f64x2 lane holds one output element's running sum, and each
// step does one f64x2.mul and one f64x2.add per lane pair. Products and sums are separate IEEE
// operations (WebAssembly SIMD has no fused multiply-add; relaxed SIMD is not enabled), so each lane
// computes exactly what the scalar kernel computes.
//
// Zeros in A are skipped when that pays and is exact. When every packed B value of a strip is finite
// and at most 62-70 % of a block's A values are nonzero (sparseMax: where the sparse path was
// measured to break even; MNIST images are about 81 % zeros, ReLU activations and their gradients
// often 30-70 %), the block is packed as sparse rows (each
// row's nonzero values with the B rows they meet) and each output row is summed over those steps
// only, still in increasing p. The bits do not change: a zero A value times a finite B value is +0
// or -0, and adding +0 or -0 to a running sum leaves it as it was, because the sum starts at +0 and
// in round-to-nearest a sum is -0 only when both terms are -0. Where B holds an Inf or NaN, 0 * B is
// NaN, so nothing is skipped. Two shapes of a convolution go other ways, in assembly/steps.ts with the
// same rule: a product of at most 32 steps (col · Wᵀ) sums each row's nonzero steps found as a bit
// mask, and a k-reduction of a transposed A (doutᵀ · col) also leaves out steps whose B row is zero.
//
// All addresses are byte offsets in linear memory chosen by the caller: the module has no data
// segments and no globals that matter, so one compiled module serves every thread over one shared
// memory, each thread with its own scratch area.
//
// float32 operands are multiplied and summed in float32 by assembly/matmul32.ts (its scratch:
// matmul32ScratchBytes); everything below is float64 only.

import { matmul32 } from "./matmul32";

import { FINITE_UNKNOWN, finiteOnce, kBlock, roundUp } from "./blocking";
import { firstNonFinite } from "./reduce";
import { findMasks, LIVE_STEP_BYTES, MASK_K, maskRows, packLiveSteps, packRowMajor } from "./steps";

/** Rows of the register tile (and of a packed A panel). */
const MR: i32 = 4;
/** Columns of the register tile (and of a packed B panel): two f64x2 vectors. */
const NR: i32 = 4;
/** Rows per block of A (a multiple of MR). */
const MC: i32 = 64;
/** Columns per strip of B (a multiple of NR). */
const NC: i32 = 240;

/** Bytes of scratch `matmul` needs for a product with these n and k (packed panels and sums). */
export function matmulScratchBytes(n: i32, k: i32): i32 {
  const ncMax = roundUp(min(NC, n), NR);
  const kc = kBlock(k);
  // Then kOuter's live steps of a k block (kc + 1 entries, aligned to 16), and for few steps B's rows
  // for maskRows (steps.ts).
  const rowMajor = k <= MASK_K ? (k * ncMax) << 3 : 0;
  return ((MC * kc + k * ncMax + MC * ncMax) << 3) + ((MC * (kc + 1)) << 2) + (kc + 2) * LIVE_STEP_BYTES + rowMajor;
}

/**
 * out = op(A) @ op(B) for output rows [rowStart, rowEnd); op(A) is m x k, op(B) is k x n, out is
 * m x n row-major. transA: A is stored k x m; transB: B is stored n x k. f32: the operands and out are
 * float32 (else float64). scratch: matmulScratchBytes(n, k) bytes (f32: matmul32ScratchBytes) owned
 * by the calling thread.
 */
export function matmul(
  a: usize,
  b: usize,
  out: usize,
  m: i32,
  n: i32,
  k: i32,
  transA: bool,
  transB: bool,
  rowStart: i32,
  rowEnd: i32,
  f32: bool,
  scratch: usize,
): void {
  if (f32) matmul32(a, b, out, m, n, k, transA, transB, rowStart, rowEnd, scratch);
  else matmulOf(a, b, out, m, n, k, transA, transB, rowStart, rowEnd, scratch);
}

function matmulOf(
  a: usize,
  b: usize,
  out: usize,
  m: i32,
  n: i32,
  k: i32,
  transA: bool,
  transB: bool,
  rowStart: i32,
  rowEnd: i32,
  scratch: usize,
): void {
  if (rowEnd <= rowStart || n === 0) return;
  if (k === 0) {
    memory.fill(out + ((<usize>(rowStart * n)) << 3), 0, (<usize>((rowEnd - rowStart) * n)) << 3);
    return;
  }
  const kc = kBlock(k);
  const ncMax = roundUp(min(NC, n), NR);
  const aPanels = scratch;
  const bPanels = aPanels + ((<usize>(MC * kc)) << 3);
  const acc = bPanels + ((<usize>(k * ncMax)) << 3);
  // Sparse rows: per row of the A block, the kept count, then its kept steps' B byte offsets.
  const counts = acc + ((<usize>(MC * ncMax)) << 3);
  const steps = counts + ((<usize>MC) << 2);

  // A float64 B that is not transposed is read in place by the sparse path (its rows are what the
  // sparse kernels step through); it is packed only if a dense block needs it.
  // (Its kept steps are stored as i32 byte offsets p * n * 8 with p < kc, which must not overflow.)
  const direct = !transB && <i64>n * <i64>(kc << 3) <= <i64>i32.MAX_VALUE;
  // One block of rows and several k blocks (a k-reduction such as a convolution's weight gradient):
  // the k blocks go outermost and B is packed one block at a time, kc rows that stay in cache
  // while every row block passes over them, instead of all k rows of B at once (57600 x 28 values,
  // 12.9 MB, for a convolution's weight gradient). The sums of all the rows are then carried in the
  // scratch room the whole packed B would take. Each output element still sums in increasing p.
  if (k > kc && roundUp(rowEnd - rowStart, MR) <= MC) {
    // Such a B with short rows is not packed into panels for the dense tiles either: read in place
    // when its rows are 16-byte aligned and a multiple of 4 long (a thread's half of m100 n100 k4320,
    // rows 0-50: 2.70 -> 2.50 ms against B packed per k block, best of 40, both modules in one
    // process), else each block's rows are copied whole (a tile then steps through rows of ncp
    // values, a few cache lines a step).
    const bMode = inPlace(b, n, direct) ? B_IN_PLACE : direct && n <= IN_PLACE_MAX ? B_COPIED : B_PACKED;
    kOuter(a, b, out, m, n, k, transA, transB, rowStart, rowEnd, kc, aPanels, bPanels, counts, steps, direct, bMode);
    return;
  }
  // B read in place is tested for finiteness only once a block of A is found sparse (a pass over all
  // of B costs as much as a few rows of the product; a dense A never needs it): FINITE_UNKNOWN until
  // then.
  let directFinite = FINITE_UNKNOWN;
  // Few steps (one k block) and A not transposed, as in a convolution's forward product col · Wᵀ:
  // sparse blocks of A go by maskRows when B is finite, with its rows copied whole at rowMajor.
  const byMask = !transA && k <= MASK_K;
  const rowMajor = ((steps + ((<usize>(MC * kc)) << 2) + 15) & ~15) + <usize>((kc + 1) * LIVE_STEP_BYTES);
  // (A B with short 16-byte aligned rows and several k blocks read in place by these dense tiles, as
  // in matmul32.ts, with the k blocks outside the blocks of rows and the sums of all the rows in the
  // packed B's room, measured no faster: m100 n100 k4320 on MNIST operands, 100 runs each alternated
  // in one process, three times, 1.015 / 0.996 / 1.005 of the packed B's best with the same tiles,
  // against 0.992 / 0.986 / 0.979 with their steps constant (tiles4x4<CarriedPacked>). kOuter's
  // tiles, for at most 64 rows, do read such a B in place.)
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    const ncp = roundUp(nc, NR);
    let packed = !direct;
    if (!direct) packB(b, n, k, transB, jc, nc, kc, bPanels);
    // The values of B this strip reads: all of B in place, or its packed panels (tested for
    // finiteness only once a block of A is found sparse, as B in place).
    const bValues = direct ? b : bPanels;
    const bLength = direct ? k * n : k * ncp;
    let bFinite = direct ? directFinite : FINITE_UNKNOWN;
    const stepBytes = direct ? n << 3 : NR << 3;
    if (byMask) bFinite = finiteOnce<f64>(bFinite, bValues, bLength);
    const masked = byMask && bFinite === 1;
    const share = sparseMax(nc, transA, direct);
    let rowMajorPacked = false;
    for (let ic = rowStart; ic < rowEnd; ic += MC) {
      const mc = min(MC, rowEnd - ic);
      const mcp = roundUp(mc, MR);
      if (masked && findMasks<f64>(a, k, ic, mc, counts)) {
        if (!rowMajorPacked) packRowMajor<f64>(b, n, k, transB, jc, nc, ncp, rowMajor);
        rowMajorPacked = true;
        maskRows<f64>(a, k, ic, mc, rowMajor, ncp, nc, out + ((<usize>(ic * n + jc)) << 3), n, counts);
        continue;
      }
      const cOut = out + ((<usize>(ic * n + jc)) << 3);
      // One k block: a dense block's tiles sum from +0 and store to out (edge tiles through a tile
      // in scratch), with no zeroed sums in scratch and no copy-out; else the sums are carried in acc.
      const one = k <= kc;
      let viaAcc = true;
      if (!one) memory.fill(acc, 0, (<usize>(mcp * ncp)) << 3);
      for (let pc = 0; pc < k; pc += kc) {
        const kb = min(kc, k - pc);
        const bBlock = bPanels + ((<usize>(pc * ncp)) << 3);
        let sparse = packRows(a, m, k, transA, ic, mc, pc, kb, aPanels, counts, steps, stepBytes, share);
        if (sparse) {
          bFinite = finiteOnce<f64>(bFinite, bValues, bLength);
          sparse = bFinite === 1;
        }
        if (sparse) {
          if (one) memory.fill(acc, 0, (<usize>(mcp * ncp)) << 3);
          if (direct) sparseRows(aPanels, counts, steps, mc, kb, b + ((<usize>(pc * n + jc)) << 3), 32, nc, ncp, acc);
          else sparseRows(aPanels, counts, steps, mc, kb, bBlock, (<usize>kb) << 5, ncp, ncp, acc);
          continue;
        }
        if (!packed) {
          packB(b, n, k, transB, jc, nc, kc, bPanels);
          packed = true;
        }
        packA(a, m, k, transA, ic, mc, pc, kb, aPanels);
        if (one) {
          tilesToOut(aPanels, bBlock, kb, mc, nc, cOut, (<usize>n) << 3, acc);
          viaAcc = false;
          continue;
        }
        for (let jr = 0; jr < ncp; jr += NR) {
          const bp = bBlock + ((<usize>(jr * kb)) << 3);
          tiles4x4<CarriedPacked>(
            aPanels,
            32,
            (<usize>kb) << 5,
            mcp >> 2,
            bp,
            32,
            kb,
            acc + ((<usize>jr) << 3),
            (<usize>ncp) << 3,
          );
        }
      }
      if (viaAcc) copyOut(acc, ncp, cOut, n, nc, mc);
    }
    if (direct) directFinite = bFinite;
  }
}

/** B (not transposed, several k blocks) with rows of at most this many values is read in place by
 * the dense tiles (inPlace): a k block of its rows then spans at most 2 * KC KiB. */
const IN_PLACE_ROWS_MAX: i32 = 256;

/** Whether the dense tiles read B (not transposed: `direct`) in place, its rows short, 16-byte
 * aligned and a multiple of 4 values long (every strip's panels then end at its last column). */
function inPlace(b: usize, n: i32, direct: bool): bool {
  return direct && n <= IN_PLACE_ROWS_MAX && (n & 3) === 0 && (b & 15) === 0;
}

/** How kOuter's dense tiles read B: packed panels, its block's rows copied whole, or in place. */
const B_PACKED: i32 = 0;
const B_COPIED: i32 = 1;
const B_IN_PLACE: i32 = 2;

/** Copies `rows` rows of nc sums (ncp apart at acc) to out (rows n values apart). */
function copyOut(acc: usize, ncp: i32, out: usize, n: i32, nc: i32, rows: i32): void {
  for (let i = 0; i < rows; i++) {
    const src = acc + ((<usize>(i * ncp)) << 3);
    const dst = out + ((<usize>(i * n)) << 3);
    copyRow(dst, src, nc);
  }
}

/** matmulOf's loop nest for few rows: jc strips, then pc blocks (B packed per block, its rows copied
 * or read in place: bMode), then ic blocks. */
function kOuter(
  a: usize,
  b: usize,
  out: usize,
  m: i32,
  n: i32,
  k: i32,
  transA: bool,
  transB: bool,
  rowStart: i32,
  rowEnd: i32,
  kc: i32,
  aPanels: usize,
  bPanels: usize,
  counts: usize,
  steps: usize,
  direct: bool,
  bMode: i32,
): void {
  const ncMax = roundUp(min(NC, n), NR);
  const acc = bPanels + ((<usize>(kc * ncMax)) << 3);
  const stepBytes = direct ? n << 3 : NR << 3;
  const rows = rowEnd - rowStart;
  // A transposed A with a B read in place is packed by packLiveSteps (steps.ts: it tests B row by row,
  // so B needs no finiteness pass of its own); otherwise zeros of A are skipped only if all of B is
  // finite, tested once a block of A is found sparse (as in matmulOf).
  const live = (steps + ((<usize>(MC * kc)) << 2) + 15) & ~15;
  const byRows = direct && transA;
  let bFinite = FINITE_UNKNOWN;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    const ncp = roundUp(nc, NR);
    memory.fill(acc, 0, (<usize>(roundUp(rows, MR) * ncp)) << 3);
    for (let pc = 0; pc < k; pc += kc) {
      const kb = min(kc, k - pc);
      let packed = !direct;
      if (!direct) bFinite = <i32>packBlock(b, n, k, transB, jc, nc, pc, kb, bPanels);
      const bRows = b + ((<usize>(pc * n + jc)) << 3);
      for (let ic = rowStart; ic < rowEnd; ic += MC) {
        const mc = min(MC, rowEnd - ic);
        const accI = acc + ((<usize>((ic - rowStart) * ncp)) << 3);
        let sparse = false;
        if (byRows) sparse = packLiveSteps<f64>(a, m, ic, mc, pc, kb, bRows, n, nc, live, aPanels, counts, steps);
        else if (packRows(a, m, k, transA, ic, mc, pc, kb, aPanels, counts, steps, stepBytes)) {
          bFinite = finiteOnce<f64>(bFinite, b, k * n);
          sparse = bFinite === 1;
        }
        if (sparse) {
          if (direct) sparseRows(aPanels, counts, steps, mc, kb, b + ((<usize>(pc * n + jc)) << 3), 32, nc, ncp, accI);
          else sparseRows(aPanels, counts, steps, mc, kb, bPanels, (<usize>kb) << 5, ncp, ncp, accI);
          continue;
        }
        if (!packed && bMode === B_PACKED) {
          packBlock(b, n, k, transB, jc, nc, pc, kb, bPanels);
          packed = true;
        }
        denseTiles(a, m, k, transA, ic, mc, pc, kb, aPanels, b, n, bMode, jc, nc, bPanels, bPanels, accI);
      }
    }
    copyOut(acc, ncp, out + ((<usize>(rowStart * n + jc)) << 3), n, nc, rows);
  }
}

/** Operands with rows (transposed A: steps; B: steps) of at most this many values are multiplied in
 * place by the dense tiles rather than packed. */
const IN_PLACE_MAX: i32 = 64;

/**
 * acc (rows ncp values apart) += op(A) rows [ic, ic+mc) x steps [pc, pc+kb) times op(B) steps
 * [pc, pc+kb) x columns [jc, jc+nc), in MR x NR tiles. A transposed A with short rows is read in
 * place (MR adjacent values of a row of A a step) except a last panel of fewer than MR rows; other
 * panels are packed at aPanels (lanes past the last row zero). B (bMode): read in place (a panel's
 * step is NR adjacent values of a row of B, n apart), its kb rows copied to rows of ncp values at
 * spare (NR adjacent values of such a row a step), or the packed block at bBlock (panels of kb
 * steps).
 */
function denseTiles(
  a: usize,
  m: i32,
  k: i32,
  transA: bool,
  ic: i32,
  mc: i32,
  pc: i32,
  kb: i32,
  aPanels: usize,
  b: usize,
  n: i32,
  bMode: i32,
  jc: i32,
  nc: i32,
  bBlock: usize,
  spare: usize,
  acc: usize,
): void {
  const ncp = roundUp(nc, NR);
  const mcp = roundUp(mc, MR);
  const aInPlace = transA && m <= IN_PLACE_MAX;
  // A panel of fewer rows is read in place too unless this is the last block: its lanes past the last
  // row read the start of the next row of A (garbage, but in bounds as m >= MR), and only feed sums
  // of padding rows, which are never copied out.
  const full = aInPlace ? (pc + kb < k && m >= MR ? mcp : mc & ~(MR - 1)) : 0;
  if (full < mc) {
    const rowStride = transA ? 1 : k;
    const colStride = transA ? m : 1;
    let o = aPanels;
    for (let ir = full; ir < mc; ir += MR) {
      o = packPanel(a, (ic + ir) * rowStride + pc * colStride, rowStride, colStride, min(MR, mc - ir), kb, o);
    }
  }
  const aStep: usize = (<usize>m) << 3;
  const aBase = a + ((<usize>(pc * m + ic)) << 3);
  const ldb = (<usize>ncp) << 3;
  if (bMode === B_COPIED) {
    // B's kb rows copied with SIMD to rows ncp values long: every tile load 16-byte aligned (rows of
    // 25 float64 values are not), the padding columns zero.
    let src = b + ((<usize>(pc * n + jc)) << 3);
    let dst = spare;
    for (let p = 0; p < kb; p++) {
      copyRow(dst, src, nc);
      for (let j = nc; j < ncp; j++) store<f64>(dst + ((<usize>j) << 3), 0.0);
      src += (<usize>n) << 3;
      dst += ldb;
    }
  }
  const bTiles = bMode === B_IN_PLACE ? b + ((<usize>(pc * n + jc)) << 3) : bMode === B_COPIED ? spare : bBlock;
  const panelStride = bMode === B_PACKED ? kb : 1;
  const bStep: usize = bMode === B_IN_PLACE ? (<usize>n) << 3 : bMode === B_COPIED ? ldb : NR << 3;
  const ldc = (<usize>ncp) << 3;
  for (let jr = 0; jr < ncp; jr += NR) {
    const bp = bTiles + ((<usize>(jr * panelStride)) << 3);
    const c = acc + ((<usize>jr) << 3);
    if (full > 0) tiles4x4<Carried>(aBase, aStep, MR << 3, full >> 2, bp, bStep, kb, c, ldc);
    if (full < mcp) {
      const cp = c + <usize>full * ldc;
      tiles4x4<Carried>(aPanels, MR << 3, (<usize>kb) << 5, (mcp - full) >> 2, bp, bStep, kb, cp, ldc);
    }
  }
}

/** Packs rows [ic, ic+mc) x columns [pc, pc+kb) of op(A) into panels of MR rows at w. */
function packA(a: usize, m: i32, k: i32, transA: bool, ic: i32, mc: i32, pc: i32, kb: i32, w: usize): void {
  const rowStride = transA ? 1 : k;
  const colStride = transA ? m : 1;
  let o = w;
  for (let ir = 0; ir < mc; ir += MR) {
    o = packPanel(a, (ic + ir) * rowStride + pc * colStride, rowStride, colStride, min(MR, mc - ir), kb, o);
  }
}

/** Where tiles4x4 is called from, as a type argument: sums carried in acc from one k block to the
 * next, or summed from +0 and stored to out or to the edge tile (a compile-time choice). */
type Carried = u8;
type ToOut = u16;
type ToEdge = u32;
/** Carried, with A and B both in packed panels (steps of 32 bytes, as constants: 1-2 % faster than
 * in registers in m100 n100 k4320). */
type CarriedPacked = i64;

/**
 * Sums of `panels` 4 x 4 tiles down a column (A's panels of 4 rows aPanel bytes apart, step p's 4
 * values at ap + p*aStep: 32 when packed, a row of a transposed A read in place; times the B panel at
 * b, steps bStep bytes apart; tile i at c0 + 4i rows, rows rowBytes apart), with the eight running
 * f64x2 sums in locals, from c (Site Carried) or from +0. The step loop runs on A's address, with no
 * counter, nested in the loop over the panels (as matmul32.ts's tiles4x8).
 *
 * V8's code per step is matmul32.ts's (4x unrolled: 6 loads, 8 mulpd, 8 addpd, 2 pointer adds, cmp
 * and branch) and as fast: 5.05 cycles a step for both in a loop alone in L1 (11.6 G multiply-adds/s
 * at 3.65 GHz), 5.2-5.5 with A's 64 x 256 block from L2. Measured and not kept (2026-12-07, both
 * modules in one process): A packed with each value twice (a plain 16-byte load per row instead of
 * load64_splat): 3-5 % slower (A's block twice the bytes); a 5 x 4 tile (ten sums) or 3 x 6 (nine
 * sums, three B vectors): 12-13 cycles a step in the same loop, as V8 hoists the step's splats and
 * spills a sum; k blocks of 128 or 64 (A's block in L1) instead of 256: the same or slower in the
 * Affine1 products (m100 n100 k4320: 4.71 / 4.78 / 4.78 ms) and 8-11 % slower at m64 n240 k256;
 * tilesToOut over 32 or 16 rows at a time (A's part in L1, B's panels from L2): the same (m4320 n100
 * k100 Aᵀ 4.06 / 4.16 / 4.05 ms, m100 n4320 k100 Bᵀ 4.19 / 4.35 / 4.15).
 */
function tiles4x4<Site>(
  a: usize,
  aStep: usize,
  aPanel: usize,
  panels: i32,
  b: usize,
  bStep: usize,
  kb: i32,
  c0: usize,
  rowBytes: usize,
): void {
  const constSteps = sizeof<Site>() === sizeof<CarriedPacked>();
  const zero = sizeof<Site>() > 1 && !constSteps;
  if (constSteps) {
    aStep = 32;
    bStep = 32;
  }
  // The edge tile's rows are NR values apart: a constant, which also keeps this instantiation's code
  // apart from ToOut's (binaryen would merge identical functions, leaving two callers, not inlined).
  const ldc = sizeof<Site>() === sizeof<ToEdge>() ? <usize>(NR << 3) : rowBytes;
  for (let i = 0; i < panels; i++) {
    let ap = a + <usize>i * aPanel;
    let bp = b;
    const c = c0 + <usize>(i << 2) * ldc;
    const c1 = c + ldc;
    const c2 = c1 + ldc;
    const c3 = c2 + ldc;
    let s00 = zero ? f64x2.splat(0) : v128.load(c);
    let s01 = zero ? f64x2.splat(0) : v128.load(c, 16);
    let s10 = zero ? f64x2.splat(0) : v128.load(c1);
    let s11 = zero ? f64x2.splat(0) : v128.load(c1, 16);
    let s20 = zero ? f64x2.splat(0) : v128.load(c2);
    let s21 = zero ? f64x2.splat(0) : v128.load(c2, 16);
    let s30 = zero ? f64x2.splat(0) : v128.load(c3);
    let s31 = zero ? f64x2.splat(0) : v128.load(c3, 16);
    const end = ap + <usize>kb * aStep;
    while (ap < end) {
      const b0 = v128.load(bp);
      const b1 = v128.load(bp, 16);
      const a0 = v128.load64_splat(ap);
      s00 = f64x2.add(s00, f64x2.mul(a0, b0));
      s01 = f64x2.add(s01, f64x2.mul(a0, b1));
      const a1 = v128.load64_splat(ap, 8);
      s10 = f64x2.add(s10, f64x2.mul(a1, b0));
      s11 = f64x2.add(s11, f64x2.mul(a1, b1));
      const a2 = v128.load64_splat(ap, 16);
      s20 = f64x2.add(s20, f64x2.mul(a2, b0));
      s21 = f64x2.add(s21, f64x2.mul(a2, b1));
      const a3 = v128.load64_splat(ap, 24);
      s30 = f64x2.add(s30, f64x2.mul(a3, b0));
      s31 = f64x2.add(s31, f64x2.mul(a3, b1));
      ap += aStep;
      bp += bStep;
    }
    v128.store(c, s00);
    v128.store(c, s01, 16);
    v128.store(c1, s10);
    v128.store(c1, s11, 16);
    v128.store(c2, s20);
    v128.store(c2, s21, 16);
    v128.store(c3, s30);
    v128.store(c3, s31, 16);
  }
}

/**
 * The product of a packed A block (mc rows in panels of MR, kb steps) and a packed B strip (nc
 * columns in panels of NR, kb steps), summed from +0 and stored at c (rows ldc bytes apart): the
 * whole tiles by tiles4x4<ToOut>, those that reach past row mc or column nc by edgeTiles.
 */
function tilesToOut(
  aPanels: usize,
  bPanels: usize,
  kb: i32,
  mc: i32,
  nc: i32,
  c: usize,
  ldc: usize,
  edge: usize,
): void {
  const rows = mc & ~(MR - 1);
  const wide = nc & ~(NR - 1);
  for (let jr = 0; jr < wide; jr += NR) {
    const bp = bPanels + ((<usize>(jr * kb)) << 3);
    tiles4x4<ToOut>(aPanels, 32, (<usize>kb) << 5, rows >> 2, bp, 32, kb, c + ((<usize>jr) << 3), ldc);
  }
  if (wide < nc) edgeTiles(aPanels, bPanels, kb, 0, rows, wide, nc, c, ldc, edge);
  if (rows < mc) edgeTiles(aPanels, bPanels, kb, rows, mc, 0, nc, c, ldc, edge);
}

/**
 * The tiles of rows [r0, r1) and columns [j0, j1) (r0 a multiple of MR, j0 of NR; the tiles reach
 * past row r1 or column j1) for tilesToOut: each summed from +0 in the 4 x 4 tile at `edge`
 * (scratch), then its rows and columns before r1 and j1 copied to c. Not inlined (two callers): the
 * whole tiles' loops keep their registers.
 */
function edgeTiles(
  aPanels: usize,
  bPanels: usize,
  kb: i32,
  r0: i32,
  r1: i32,
  j0: i32,
  j1: i32,
  c: usize,
  ldc: usize,
  edge: usize,
): void {
  for (let jr = j0; jr < j1; jr += NR) {
    const bp = bPanels + ((<usize>(jr * kb)) << 3);
    for (let ir = r0; ir < r1; ir += MR) {
      tiles4x4<ToEdge>(aPanels + ((<usize>(ir * kb)) << 3), 32, 0, 1, bp, 32, kb, edge, 0);
      const ct = c + <usize>ir * ldc + ((<usize>jr) << 3);
      const cols = min(j1 - jr, NR);
      for (let r = 0; r < min(r1 - ir, MR); r++) {
        for (let j = 0; j < cols; j++) {
          store<f64>(ct + <usize>r * ldc + ((<usize>j) << 3), load<f64>(edge + ((<usize>(r * NR + j)) << 3)));
        }
      }
    }
  }
}

/** Element i of the float64 array at `base`. */
function at(base: usize, i: i32): f64 {
  return load<f64>(base + ((<usize>i) << 3));
}

/**
 * Packs one panel of 4 lanes (MR rows of op(A) or NR columns of op(B); both are 4) at o: kb steps of
 * 4 float64 values, element (lane, p) read at src[first + lane * laneStride + p * stepStride]. Lanes
 * past `lanes` are zero, so the micro-kernel never needs an edge case. Returns the end of the panel.
 */
function packPanel(src: usize, first: i32, laneStride: i32, stepStride: i32, lanes: i32, kb: i32, o: usize): usize {
  if (lanes === 4 && laneStride === 1) {
    // A step's 4 lanes are contiguous (a transposed A, a B read by rows): two vector copies a step.
    let q = src + ((<usize>first) << 3);
    const qStep = (<usize>stepStride) << 3;
    const end = o + ((<usize>kb) << 5);
    for (; o < end; o += 32) {
      v128.store(o, v128.load(q));
      v128.store(o, v128.load(q, 16), 16);
      q += qStep;
    }
    return o;
  }
  if (lanes === 4 && stepStride === 1) {
    // Each lane's steps are contiguous (rows of a row-major A, columns of a transposed B): two steps
    // of the 4 lanes at a time, 2 x 2 blocks transposed in registers, each step stored as 2 vectors.
    const q0 = src + ((<usize>first) << 3);
    const q1 = q0 + ((<usize>laneStride) << 3);
    const q2 = q1 + ((<usize>laneStride) << 3);
    const q3 = q2 + ((<usize>laneStride) << 3);
    let p = 0;
    for (; p + 2 <= kb; p += 2) {
      const off = (<usize>p) << 3;
      const x0 = v128.load(q0 + off);
      const x1 = v128.load(q1 + off);
      const x2 = v128.load(q2 + off);
      const x3 = v128.load(q3 + off);
      v128.store(o, v128.shuffle<i64>(x0, x1, 0, 2));
      v128.store(o, v128.shuffle<i64>(x2, x3, 0, 2), 16);
      v128.store(o, v128.shuffle<i64>(x0, x1, 1, 3), 32);
      v128.store(o, v128.shuffle<i64>(x2, x3, 1, 3), 48);
      o += 64;
    }
    if (p < kb) {
      const off = (<usize>p) << 3;
      store<f64>(o, load<f64>(q0 + off));
      store<f64>(o, load<f64>(q1 + off), 8);
      store<f64>(o, load<f64>(q2 + off), 16);
      store<f64>(o, load<f64>(q3 + off), 24);
      o += 32;
    }
    return o;
  }
  if (lanes === 4) {
    const s1 = first + laneStride;
    const s2 = s1 + laneStride;
    const s3 = s2 + laneStride;
    for (let p = 0; p < kb; p++) {
      const q = p * stepStride;
      store<f64>(o, at(src, first + q));
      store<f64>(o, at(src, s1 + q), 8);
      store<f64>(o, at(src, s2 + q), 16);
      store<f64>(o, at(src, s3 + q), 24);
      o += 32;
    }
    return o;
  }
  for (let p = 0; p < kb; p++) {
    for (let lane = 0; lane < 4; lane++) {
      store<f64>(o, lane < lanes ? at(src, first + lane * laneStride + p * stepStride) : 0.0);
      o += 8;
    }
  }
  return o;
}

/**
 * Packs columns [jc, jc+nc) of op(B), all k rows, at w (k * ncp values): for each k block of kc rows,
 * panels of NR columns (each panel kb steps of NR values). Its finiteness is tested by the caller
 * when needed.
 */
function packB(b: usize, n: i32, k: i32, transB: bool, jc: i32, nc: i32, kc: i32, w: usize): void {
  const ncp = roundUp(nc, NR);
  for (let pc = 0; pc < k; pc += kc) {
    packBlock(b, n, k, transB, jc, nc, pc, min(kc, k - pc), w + ((<usize>(pc * ncp)) << 3), false);
  }
}

/** Packs rows [pc, pc+kb) x columns [jc, jc+nc) of op(B) at w as panels of NR columns (each kb steps
 * of NR values); returns whether every packed value is finite (the padding lanes are 0) if `test`,
 * else true. */
function packBlock(
  b: usize,
  n: i32,
  k: i32,
  transB: bool,
  jc: i32,
  nc: i32,
  pc: i32,
  kb: i32,
  w: usize,
  test: bool = true,
): bool {
  const ncp = roundUp(nc, NR);
  const rowStride = transB ? 1 : n;
  const colStride = transB ? k : 1;
  let o = w;
  for (let jr = 0; jr < ncp; jr += NR) {
    o = packPanel(b, pc * rowStride + (jc + jr) * colStride, colStride, rowStride, min(NR, nc - jr), kb, o);
  }
  return !test || allFinite(w, kb * ncp);
}

/**
 * Sparse rows are used when at most this share of a block's A values is nonzero, for an A that is not
 * transposed and a B read in place (see sparseMax for the others; kOuter's blocks use this one).
 * Measured on the products of real training steps with A's share of nonzeros set from 0.2 to 0.9
 * (tools/bench/src/conv-matmul.ts --density, each path forced): the sparse path takes about
 * 0.25 + 1.2 d times the dense one's time and breaks even at d = 0.62-0.65 (m100 n100 k4320, the
 * SimpleConvNet's Affine1 forward; m100 n50 k784, the TwoLayerNet's).
 */
const SPARSE_MAX = 0.62;
/** sparseMax for B in packed panels (a transposed B): break-even 0.68-0.73 (m100 n4320 k100 Bᵀ). */
const SPARSE_MAX_PACKED = 0.7;
/** sparseMax for a transposed A: break-even 0.62-0.7 (m4320 n100 k100 Aᵀ, m784 n50 k100 Aᵀ). */
const SPARSE_MAX_TRANSPOSED = 0.66;
/** sparseMax for a strip of fewer than 12 columns (rowKernel1/Pair/One, whose per-step overhead is
 * shared by few columns): break-even about 0.25 (m100 n10 k50, m50 n10 k100 Aᵀ). */
const SPARSE_MAX_NARROW = 0.25;

/** The share of nonzero A values up to which a block goes by sparse rows: per strip of nc columns,
 * with A transposed or not and B read in place (`direct`) or packed. */
function sparseMax(nc: i32, transA: bool, direct: bool): f64 {
  if (nc < 12) return SPARSE_MAX_NARROW;
  return transA ? SPARSE_MAX_TRANSPOSED : direct ? SPARSE_MAX : SPARSE_MAX_PACKED;
}

/**
 * Packs rows [ic, ic+mc) x steps [pc, pc+kb) of op(A) keeping only the nonzero values: row r's
 * values at w + r*kb*8, their B panel byte offsets (p * NR * 8) at steps + r*kb*4, its count at
 * counts + 4r. Returns false (and the caller packs densely) when more than `share` of the values
 * are nonzero (sparseMax; kOuter's blocks use SPARSE_MAX). Skipping a zero A value is exact when the B values are finite (the caller checks):
 * its product is +0 or -0, and adding either to a running sum changes nothing, as the sum starts at
 * +0 and round-to-nearest never makes it -0.
 */
function packRows(
  a: usize,
  m: i32,
  k: i32,
  transA: bool,
  ic: i32,
  mc: i32,
  pc: i32,
  kb: i32,
  w: usize,
  counts: usize,
  steps: usize,
  stepBytes: i32,
  share: f64 = SPARSE_MAX,
): bool {
  if (transA) return packRowsTransposed(a, m, ic, mc, pc, kb, w, counts, steps, stepBytes, share);
  // Gives up as soon as the rows so far are too dense (with one row of slack), so a dense A costs
  // little more than a row or two of this packing before the dense path packs it.
  const perRow = share * <f64>kb;
  let limit = <f64>kb;
  let total = 0;
  for (let r = 0; r < mc; r++) {
    const first = (ic + r) * k + pc;
    const o = w + ((<usize>(r * kb)) << 3);
    const st = steps + ((<usize>(r * kb)) << 2);
    // Four values at a time: four zeros (long runs of them in images) are passed over with one
    // branch; otherwise each value is written at the next free slot, which advances only past
    // nonzeros, without a branch per value (that mispredicts where zeros and nonzeros mix at random).
    let kept = 0;
    let p = 0;
    for (; p + 4 <= kb; p += 4) {
      const q = a + ((<usize>(first + p)) << 3);
      if (fourZeros(q)) continue;
      const v0 = load<f64>(q);
      const v1 = load<f64>(q, 8);
      const v2 = load<f64>(q, 16);
      const v3 = load<f64>(q, 24);
      kept = keep(o, st, kept, v0, p * stepBytes);
      kept = keep(o, st, kept, v1, (p + 1) * stepBytes);
      kept = keep(o, st, kept, v2, (p + 2) * stepBytes);
      kept = keep(o, st, kept, v3, (p + 3) * stepBytes);
    }
    for (; p < kb; p++) kept = keep(o, st, kept, at(a, first + p), p * stepBytes);
    store<i32>(counts + ((<usize>r) << 2), kept);
    total += kept;
    limit += perRow;
    if (<f64>total > limit) return false;
  }
  return true;
}

/**
 * packRows for a transposed A (stored k x m): reads A in its stored order, one contiguous run of
 * mc values per step p, and appends each nonzero to its row's list, so each list is in increasing p.
 */
function packRowsTransposed(
  a: usize,
  m: i32,
  ic: i32,
  mc: i32,
  pc: i32,
  kb: i32,
  w: usize,
  counts: usize,
  steps: usize,
  stepBytes: i32,
  share: f64,
): bool {
  memory.fill(counts, 0, (<usize>mc) << 2);
  let total = 0;
  for (let p = 0; p < kb; p++) {
    const row = a + ((<usize>((pc + p) * m + ic)) << 3);
    const off = <u32>(p * stepBytes);
    // As in packRows: four zeros at once with one branch, else branch-free per value.
    let r = 0;
    for (; r + 4 <= mc; r += 4) {
      const q = row + ((<usize>r) << 3);
      if (fourZeros(q)) continue;
      const v0 = load<f64>(q);
      const v1 = load<f64>(q, 8);
      const v2 = load<f64>(q, 16);
      const v3 = load<f64>(q, 24);
      total += keepInRow(w, counts, steps, kb, r, v0, off);
      total += keepInRow(w, counts, steps, kb, r + 1, v1, off);
      total += keepInRow(w, counts, steps, kb, r + 2, v2, off);
      total += keepInRow(w, counts, steps, kb, r + 3, v3, off);
    }
    for (; r < mc; r++) {
      total += keepInRow(w, counts, steps, kb, r, load<f64>(row + ((<usize>r) << 3)), off);
    }
    // As in packRows: give up early when too dense, with one step of slack.
    if (<f64>total > share * <f64>mc * <f64>(p + 1) + <f64>mc) return false;
  }
  return <f64>total <= share * <f64>mc * <f64>kb;
}

/** Whether the four float64 values at q are all +0 or -0 (NaN is not zero), with two SIMD compares. */
function fourZeros(q: usize): bool {
  const zero = f64x2.splat(0);
  return !v128.any_true(v128.or(f64x2.ne(v128.load(q), zero), f64x2.ne(v128.load(q, 16), zero)));
}

/** Writes v and its B offset at slot `kept` of a sparse row (values at o, offsets at st); returns
 * the next free slot: kept + 1 if v is nonzero, else kept (the slot is overwritten later). */
function keep(o: usize, st: usize, kept: i32, v: f64, offset: i32): i32 {
  store<f64>(o + ((<usize>kept) << 3), v);
  store<u32>(st + ((<usize>kept) << 2), <u32>offset);
  return kept + <i32>(v !== 0);
}

/** keep() for row r of a block whose counts live in memory; returns 1 if v was kept, else 0. */
function keepInRow(w: usize, counts: usize, steps: usize, kb: i32, r: i32, v: f64, offset: u32): i32 {
  const cp = counts + ((<usize>r) << 2);
  const c = load<i32>(cp);
  store<f64>(w + ((<usize>(r * kb + c)) << 3), v);
  store<u32>(steps + ((<usize>(r * kb + c)) << 2), offset);
  const nonzero = <i32>(v !== 0);
  store<i32>(cp, c + nonzero);
  return nonzero;
}

/** Column counts of the wide sparse-row kernel, as type arguments (a compile-time choice). */
type Twelve = u8;
type Thirteen = u32;
type Fourteen = u16;

/**
 * c[0..12) += sum over kept steps t of av[t] * (B's groups of 4 at bp, bp+P, bp+2P, row steps[t]);
 * with W = Fourteen also c[12..14) from the first 2 columns of the group at bp+3P, with W = Thirteen
 * c[12] from its first column (a last group of 14 or 13 columns in one pass: seven independent sums,
 * where a separate pair or single column would wait on one).
 */
function rowKernel3<W>(av: usize, st: usize, kept: i32, bp: usize, P: usize, c: usize): void {
  const pair = sizeof<W>() === sizeof<Fourteen>();
  const one = sizeof<W>() === sizeof<Thirteen>();
  let s0 = v128.load(c);
  let s1 = v128.load(c, 16);
  let s2 = v128.load(c, 32);
  let s3 = v128.load(c, 48);
  let s4 = v128.load(c, 64);
  let s5 = v128.load(c, 80);
  let s6 = pair ? v128.load(c, 96) : f64x2.splat(0);
  let t6 = one ? load<f64>(c, 96) : 0.0;
  const end = st + ((<usize>kept) << 2);
  if (P === 32) {
    // Groups 32 bytes apart (B read in place, or packed panels one step long): every load is one
    // address plus a constant.
    for (; st < end; st += 4) {
      const q = bp + <usize>load<u32>(st);
      const x = v128.load64_splat(av);
      s0 = f64x2.add(s0, f64x2.mul(x, v128.load(q)));
      s1 = f64x2.add(s1, f64x2.mul(x, v128.load(q, 16)));
      s2 = f64x2.add(s2, f64x2.mul(x, v128.load(q, 32)));
      s3 = f64x2.add(s3, f64x2.mul(x, v128.load(q, 48)));
      s4 = f64x2.add(s4, f64x2.mul(x, v128.load(q, 64)));
      s5 = f64x2.add(s5, f64x2.mul(x, v128.load(q, 80)));
      if (pair) s6 = f64x2.add(s6, f64x2.mul(x, v128.load(q, 96)));
      if (one) t6 += load<f64>(av) * load<f64>(q, 96);
      av += 8;
    }
  } else {
    for (; st < end; st += 4) {
      const q0 = bp + <usize>load<u32>(st);
      const q1 = q0 + P;
      const q2 = q1 + P;
      const x = v128.load64_splat(av);
      s0 = f64x2.add(s0, f64x2.mul(x, v128.load(q0)));
      s1 = f64x2.add(s1, f64x2.mul(x, v128.load(q0, 16)));
      s2 = f64x2.add(s2, f64x2.mul(x, v128.load(q1)));
      s3 = f64x2.add(s3, f64x2.mul(x, v128.load(q1, 16)));
      s4 = f64x2.add(s4, f64x2.mul(x, v128.load(q2)));
      s5 = f64x2.add(s5, f64x2.mul(x, v128.load(q2, 16)));
      if (pair) s6 = f64x2.add(s6, f64x2.mul(x, v128.load(q2 + P)));
      if (one) t6 += load<f64>(av) * load<f64>(q2 + P);
      av += 8;
    }
  }
  v128.store(c, s0);
  v128.store(c, s1, 16);
  v128.store(c, s2, 32);
  v128.store(c, s3, 48);
  v128.store(c, s4, 64);
  v128.store(c, s5, 80);
  if (pair) v128.store(c, s6, 96);
  if (one) store<f64>(c, t6, 96);
}

/** rowKernel3 for one group of 4 columns. */
function rowKernel1(av: usize, st: usize, kept: i32, bp: usize, c: usize): void {
  let s0 = v128.load(c);
  let s1 = v128.load(c, 16);
  const end = st + ((<usize>kept) << 2);
  for (; st < end; st += 4) {
    const q0 = bp + <usize>load<u32>(st);
    const x = v128.load64_splat(av);
    s0 = f64x2.add(s0, f64x2.mul(x, v128.load(q0)));
    s1 = f64x2.add(s1, f64x2.mul(x, v128.load(q0, 16)));
    av += 8;
  }
  v128.store(c, s0);
  v128.store(c, s1, 16);
}

/**
 * Copies `len` float64 values from src to dst (disjoint) with SIMD loads and stores: a row of the
 * output is short (the book's 50 columns are 400 bytes), and memory.copy is a call out of the
 * module that costs more than that copy.
 */
function copyRow(dst: usize, src: usize, len: i32): void {
  const end = src + ((<usize>(len & ~1)) << 3);
  for (; src < end; src += 16, dst += 16) v128.store(dst, v128.load(src));
  if (len & 1) store<f64>(dst, load<f64>(src));
}

/** Whether all `len` float64 values at p are finite (reduce.ts's scan: four independent sums, where
 * one sum would make the scan a chain of dependent additions as long as B). */
function allFinite(p: usize, len: i32): bool {
  return firstNonFinite(p, len, false) < 0;
}

/**
 * acc rows += their sparse A rows times a block of B, columns [0, nc): row p of column j's group of
 * four at b + (j / 4) * groupBytes + (j % 4) * 8 + steps[t] (packed panels: groupBytes is a panel,
 * and nc a multiple of 4; B read in place: groupBytes is 32, steps[t] = p * n * 8). Groups of 12, 4,
 * 2 and 1 columns, column groups outermost so that their rows of B stay in L1 while every A row
 * passes over them.
 */
function sparseRows(
  w: usize,
  counts: usize,
  steps: usize,
  mc: i32,
  kb: i32,
  b: usize,
  groupBytes: usize,
  nc: i32,
  ncp: i32,
  acc: usize,
): void {
  for (let j = 0; j < nc; ) {
    const rest = nc - j;
    const width = rest === 14 || rest === 13 ? rest : rest >= 12 ? 12 : rest >= 4 ? 4 : rest >= 2 ? 2 : 1;
    const bj = b + <usize>(j >> 2) * groupBytes + ((<usize>(j & 3)) << 3);
    for (let r = 0; r < mc; r++) {
      const kept = load<i32>(counts + ((<usize>r) << 2));
      if (kept === 0) continue;
      const av = w + ((<usize>(r * kb)) << 3);
      const st = steps + ((<usize>(r * kb)) << 2);
      const c = acc + ((<usize>(r * ncp + j)) << 3);
      if (width === 12) rowKernel3<Twelve>(av, st, kept, bj, groupBytes, c);
      else if (width === 14) rowKernel3<Fourteen>(av, st, kept, bj, groupBytes, c);
      else if (width === 13) rowKernel3<Thirteen>(av, st, kept, bj, groupBytes, c);
      else if (width === 4) rowKernel1(av, st, kept, bj, c);
      else if (width === 2) rowKernelPair(av, st, kept, bj, c);
      else rowKernelOne(av, st, kept, bj, c);
    }
    j += width;
  }
}

/** rowKernel1 for 2 columns. */
function rowKernelPair(av: usize, st: usize, kept: i32, bp: usize, c: usize): void {
  let s0 = v128.load(c);
  const end = st + ((<usize>kept) << 2);
  for (; st < end; st += 4) {
    s0 = f64x2.add(s0, f64x2.mul(v128.load64_splat(av), v128.load(bp + <usize>load<u32>(st))));
    av += 8;
  }
  v128.store(c, s0);
}

/** rowKernel1 for 1 column. */
function rowKernelOne(av: usize, st: usize, kept: i32, bp: usize, c: usize): void {
  let s0 = load<f64>(c);
  const end = st + ((<usize>kept) << 2);
  for (; st < end; st += 4) {
    s0 += load<f64>(av) * load<f64>(bp + <usize>load<u32>(st));
    av += 8;
  }
  store<f64>(c, s0);
}

// The float32 matrix product of src/kernels/matmul32.ts in WebAssembly SIMD, with the same meaning bit
// for bit: every output element is the float32 running sum
//
//   s = +0;  for p = 0, 1, ..., k-1:  s = f32(s + f32(a[i][p] * b[p][j]))
//
// in increasing p, each product and each sum rounded to float32 (f32x4.mul then f32x4.add: separate
// IEEE operations, no fused multiply-add; relaxed SIMD is not enabled). This is float32 arithmetic as
// NumPy, PyTorch and tfjs do it (their order of additions differs; this one is fixed and documented).
//
// Same loop nest as assembly/matmul.ts (GotoBLAS/BLIS: jc strips of NC columns, ic blocks of MC rows,
// pc blocks of at most KC along k, then register tiles; a B with short rows and several k blocks is
// read in place, with the pc blocks outside the row blocks), with f32x4 lanes across output
// columns: an MR x NR = 4 x 8 tile holds 8 running f32x4 sums (two vectors per row), so one step
// does 8 mul and 8 add instructions for 32 multiply-adds, twice the float64 kernel's 16. A last
// panel of at most 4 columns uses a 4 x 4 tile (no work on padding beyond the next multiple of 4).
// With one k block (k <= 256) a tile's sums start at +0 and are stored straight to out; otherwise
// they are carried from one k block to the next through a float32 scratch block: the running sum
// *is* a float32 value, so storing it is exact and the blocking changes nothing.
//
// Zeros in A are skipped when that pays and is exact, as in the float64 kernel: when every packed B
// value of a strip is finite and at most a measured share (sparseMax, 35-70 %) of a block's A values
// are nonzero, each output row is
// summed over its nonzero A values only, still in increasing p. A zero A value times a finite B value
// is +0 or -0 (exact in float32 too), and adding +0 or -0 to a float32 running sum that starts at +0
// leaves it unchanged (round-to-nearest gives -0 only for (-0) + (-0)). Where B holds an Inf or NaN
// nothing is skipped. The two convolution shapes of assembly/steps.ts (a product of at most 32 steps,
// and a k-reduction of a transposed A that also leaves out steps whose B row is zero) go there, as
// in the float64 kernel.
//
// All addresses are byte offsets in linear memory chosen by the caller (no data segments, no globals
// that matter): one compiled module serves every thread over one shared memory.

import { FINITE_UNKNOWN, finiteOnce, kBlock, roundUp } from "./blocking";
import { findMasks, LIVE_STEP_BYTES, MASK_K, maskRows, packLiveSteps, packRowMajor } from "./steps";

/** Rows of the register tile (and of a packed A panel). */
const MR: i32 = 4;
/** Columns of the register tile (and of a packed B panel): two f32x4 vectors. A last panel of at
 * most 4 columns is 4 wide. */
const NR: i32 = 8;
/** B (not transposed, several k blocks) with rows of at most this many values is read in place by
 * the dense tiles: a k block of its rows then spans at most KC KiB, 64 pages of 4 KiB. */
const IN_PLACE_MAX: i32 = 256;
/** Rows per block of A (a multiple of MR; the sparse paths' row masks of steps.ts hold 64 rows). */
const MC: i32 = 64;
/** Columns per strip of B (a multiple of NR). */
const NC: i32 = 240;
/**
 * Sparse rows are used when at most this share of a block's A values is nonzero, for an A that is not
 * transposed and a B read in place (see sparseMax for the others). Measured on the products of real
 * training steps with A's share of nonzeros set from 0.2 to 0.9 (tools/bench/src/conv-matmul.ts
 * --density, each path forced): break-even at d = 0.57-0.62 (m100 n100 k4320) and 0.55-0.6
 * (m100 n50 k784); with the faster dense tiles about 0.55 (m100 n100 k4320: at 0.6 sparse 2.13-2.25
 * ms, dense 1.99-2.02).
 */
const SPARSE_MAX = 0.55;
/** sparseMax for B in packed panels (a transposed B): break-even 0.68-0.73 (m100 n4320 k100 Bᵀ),
 * 0.65-0.7 with the faster dense path (at 0.65 sparse 1.84-1.87 ms, dense 1.90; at 0.7 1.96, 1.88). */
const SPARSE_MAX_PACKED = 0.67;
/** sparseMax for a transposed A: break-even 0.63-0.7 (m784 n50 k100 Aᵀ, m4320 n100 k100 Aᵀ), 0.6-0.65
 * with the faster dense tiles (m4320 n100 k100 Aᵀ: at 0.6 sparse 1.96-2.02 ms, dense 2.05; at 0.65
 * 2.07-2.11, 1.95-1.97). */
const SPARSE_MAX_TRANSPOSED = 0.62;
/** sparseMax for a strip of fewer than 16 columns (a run of one group of 8 and a last 4, or 4 alone,
 * whose per-step overhead is shared by few columns): break-even 0.3-0.4 (m100 n10 k50). */
const SPARSE_MAX_NARROW = 0.35;

/** The share of nonzero A values up to which a block goes by sparse rows: per strip of nc columns,
 * with A transposed or not and B read in place (`direct`) or packed. */
function sparseMax(nc: i32, transA: bool, direct: bool): f64 {
  if (nc < 16) return SPARSE_MAX_NARROW;
  return transA ? SPARSE_MAX_TRANSPOSED : direct ? SPARSE_MAX : SPARSE_MAX_PACKED;
}

/** Bytes of scratch `matmul32` needs for a product with these n and k. */
export function matmul32ScratchBytes(n: i32, k: i32): i32 {
  const ncMax = roundUp(min(NC, n), 4);
  const kc = kBlock(k);
  // A panels (or sparse A values, with 4 values of slack), B strip, sums, per row a count, its steps
  // (and slack), the table of compress4, the live steps of packLiveSteps (steps.ts, aligned to 16),
  // then for few steps B's rows for maskRows (steps.ts).
  const rowMajor = k <= MASK_K ? (k * ncMax) << 2 : 0;
  return (
    ((MC * kc + 4 + k * ncMax + MC * ncMax + MC + MC * kc + 4) << 2) +
    COMPRESS_TABLE_BYTES +
    (kc + 2) * LIVE_STEP_BYTES +
    rowMajor
  );
}

/**
 * out = op(A) @ op(B) for output rows [rowStart, rowEnd), all float32; op(A) is m x k, op(B) is k x n,
 * out is m x n row-major. transA: A is stored k x m; transB: B is stored n x k. scratch:
 * matmul32ScratchBytes(n, k) bytes owned by the calling thread.
 */
export function matmul32(
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
    memory.fill(out + ((<usize>(rowStart * n)) << 2), 0, (<usize>((rowEnd - rowStart) * n)) << 2);
    return;
  }
  const kc = kBlock(k);
  const ncMax = roundUp(min(NC, n), 4);
  const aPanels = scratch;
  const bPanels = aPanels + ((<usize>(MC * kc + 4)) << 2);
  const acc = bPanels + ((<usize>(k * ncMax)) << 2);
  const counts = acc + ((<usize>(MC * ncMax)) << 2);
  const steps = counts + ((<usize>MC) << 2);
  const table = steps + ((<usize>(MC * kc + 4)) << 2);
  const live = (table + COMPRESS_TABLE_BYTES + 15) & ~15;
  writeCompressTable(table);

  // A B that is not transposed is read in place by the sparse path (its rows are what the sparse
  // kernels step through) and packed only if a dense block needs it. Its kept steps are stored as
  // byte offsets p * n * 4 with p < kc, which must not overflow; the sparse kernels read a strip's
  // last group of 4 columns whole, up to 3 values past a row (into padding lanes of the sums, never
  // stored), so the last row must have 3 values of memory after it.
  const direct =
    !transB &&
    <i64>n * <i64>(kc << 2) <= <i64>i32.MAX_VALUE &&
    <u64>b + ((<u64>k * <u64>n + 3) << 2) <= (<u64>memory.size()) << 16;
  // A k-reduction (several k blocks, one block of rows) of a transposed A and a B read in place goes
  // by packLiveSteps (steps.ts: it tests B row by row, so B needs no finiteness pass of its own);
  // otherwise zeros of A are skipped only if all of B is finite. B is tested once a block of A is
  // found sparse (a pass over all of B, or a strip of packed B, costs as much as a few rows of the
  // product; a dense A never needs it): FINITE_UNKNOWN until then. (For the convolution's weight
  // gradient m30 n25 k57600 Aᵀ, 2.1 ms on MNIST operands: listing the live steps takes 0.91 ms,
  // appending the kept values to their rows' lists 0.62, sparseRows 0.58 (each measured by leaving
  // out the later ones). Adding each live step's kept rows straight into the sums in scratch, with
  // no lists, measured the same, 2.17 against 2.14 ms: per kept value a sum is loaded and stored
  // where sparseRows keeps it in a register. Appending four rows at a time without a branch per
  // value (a vector of counts, every value stored, kept or not) was 1.29x slower in all.)
  const byRows = direct && transA && k > kc && rowEnd - rowStart <= MC;
  let directFinite = FINITE_UNKNOWN;
  // Few steps (one k block) and A not transposed, as in a convolution's forward product col · Wᵀ:
  // sparse blocks of A go by maskRows when B is finite, with its rows copied whole at rowMajor.
  const byMask = !transA && k <= MASK_K;
  // With several k blocks, the dense tiles read such a B in place, not packed, when its rows are
  // short and 16-byte aligned (bInPlace): a panel's step is 8 (or 4) adjacent values of a row of B,
  // the next step n values on (n is a multiple of 4, so every strip's panels end at column nc).
  // That saves packB's copy of all of B: m100 n100 k4320 (Affine1's forward product) 2.07 -> 2.02
  // ms, best of 60 with both modules in one process. Rows that are not 16-byte aligned split loads
  // across cache lines (m100 n50 k1000: 0.24 -> 0.30 ms), and long rows touch a new page every
  // step (m64 n1000 k2000: 3.6 % slower), so those are still packed.
  const bInPlace = direct && k > kc && n <= IN_PLACE_MAX && (n & 3) === 0 && (b & 15) === 0;
  // Such a B and several blocks of rows: the k blocks go outermost (kOuter), so that each block of
  // B's rows is read from memory once and stays in cache while every block of rows passes over it,
  // where blocks of rows outermost read all of B again for every block. The sums of all the rows
  // are carried in the room of the packed B, which bInPlace leaves unused (k * ncMax values, enough
  // for up to k rows). Each output element still sums in increasing p. m100 n100 k4320 with the
  // caches flushed before each run (as in a training step, which touches ~70 MB), best of 40: 2.39
  // ms packed, 2.42 in place, 2.22 in place with kOuter; in the SimpleConvNet step's profile (three
  // runs each, alternated) 2.42-2.77 -> 2.21-2.37 ms.
  const rows = rowEnd - rowStart;
  const kOuter = bInPlace && rows > MC && roundUp(rows, MR) <= k;
  const span = kOuter ? rows : MC;
  const rowMajor = live + <usize>((kc + 1) * LIVE_STEP_BYTES);
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    const ncp = roundUp(nc, 4);
    let packed = !direct;
    if (!direct) packB(b, n, k, transB, jc, nc, kc, bPanels);
    // The values of B this strip reads: all of B in place, or its packed panels.
    const bValues = direct ? b : bPanels;
    const bLength = direct ? k * n : k * ncp;
    let bFinite = direct ? directFinite : FINITE_UNKNOWN;
    const stepBytes = direct ? n << 2 : NR << 2;
    if (byMask) bFinite = finiteOnce<f32>(bFinite, bValues, bLength);
    const masked = byMask && bFinite === 1;
    const share = sparseMax(nc, transA, direct);
    let rowMajorPacked = false;
    for (let ic = rowStart; ic < rowEnd; ic += span) {
      const mc = min(span, rowEnd - ic);
      const mcp = roundUp(mc, MR);
      if (masked && findMasks<f32>(a, k, ic, mc, counts)) {
        if (!rowMajorPacked) packRowMajor<f32>(b, n, k, transB, jc, nc, ncp, rowMajor);
        rowMajorPacked = true;
        maskRows<f32>(a, k, ic, mc, rowMajor, ncp, nc, out + ((<usize>(ic * n + jc)) << 2), n, counts);
        continue;
      }
      // One k block: a dense block's tiles sum from +0 and store to out (the sums of edge tiles pass
      // through a tile in scratch); the sums are carried through acc only between k blocks or for
      // the sparse rows.
      const cOut = out + ((<usize>(ic * n + jc)) << 2);
      let sparse = k <= kc && packRows(a, m, k, transA, ic, mc, 0, k, aPanels, counts, steps, stepBytes, table, share);
      if (sparse) {
        bFinite = finiteOnce<f32>(bFinite, bValues, bLength);
        sparse = bFinite === 1;
      }
      if (k <= kc && !sparse) {
        if (!packed) {
          packB(b, n, k, transB, jc, nc, kc, bPanels);
          packed = true;
        }
        packA(a, m, k, transA, ic, mc, 0, k, aPanels);
        tilesToOut(aPanels, bPanels, k, mc, nc, cOut, (<usize>n) << 2, acc);
        continue;
      }
      // The sums of rows [ic, ic+mc), carried from one k block to the next: in acc, or with kOuter in
      // the room of the packed B (not used), for blocks of at most MC rows in turn.
      const sums = kOuter ? bPanels : acc;
      memory.fill(sums, 0, (<usize>(mcp * ncp)) << 2);
      for (let pc = 0; pc < k; pc += kc) {
        const kb = min(kc, k - pc);
        const bBlock = bPanels + ((<usize>(pc * ncp)) << 2);
        for (let ib = ic; ib < ic + mc; ib += MC) {
          const mb = min(MC, ic + mc - ib);
          const mbp = roundUp(mb, MR);
          const accB = sums + ((<usize>((ib - ic) * ncp)) << 2);
          // (With one k block, the rows were packed above.)
          if (byRows) {
            sparse = packLiveSteps<f32>(
              a,
              m,
              ib,
              mb,
              pc,
              kb,
              b + ((<usize>(pc * n + jc)) << 2),
              n,
              nc,
              live,
              aPanels,
              counts,
              steps,
            );
          } else if (k > kc) {
            sparse = packRows(a, m, k, transA, ib, mb, pc, kb, aPanels, counts, steps, stepBytes, table, share);
            if (sparse) {
              bFinite = finiteOnce<f32>(bFinite, bValues, bLength);
              sparse = bFinite === 1;
            }
          }
          if (sparse) {
            if (direct) sparseRows(aPanels, counts, steps, mb, kb, b + ((<usize>(pc * n + jc)) << 2), 4, 0, ncp, accB);
            else sparseRows(aPanels, counts, steps, mb, kb, bBlock, (<usize>kb) << 2, 1, ncp, accB);
            continue;
          }
          if (!packed && !bInPlace) {
            packB(b, n, k, transB, jc, nc, kc, bPanels);
            packed = true;
          }
          packA(a, m, k, transA, ib, mb, pc, kb, aPanels);
          const ldc = (<usize>ncp) << 2;
          const bTiles = bInPlace ? b + ((<usize>(pc * n + jc)) << 2) : bBlock;
          const panelStride = bInPlace ? 1 : kb;
          const bStep = bInPlace ? (<usize>n) << 2 : <usize>(NR << 2);
          let jr = 0;
          for (; jr + NR <= ncp; jr += NR) {
            const bp = bTiles + ((<usize>(jr * panelStride)) << 2);
            tiles4x8<Carried>(aPanels, mbp >> 2, bp, kb, accB + ((<usize>jr) << 2), ldc, bStep);
          }
          if (jr < ncp) {
            const bp = bTiles + ((<usize>(jr * panelStride)) << 2);
            tiles4x4<Carried>(aPanels, mbp >> 2, bp, kb, accB + ((<usize>jr) << 2), ldc, bInPlace ? bStep : 16);
          }
        }
      }
      for (let i = 0; i < mc; i++) {
        memory.copy(cOut + ((<usize>(i * n)) << 2), sums + ((<usize>(i * ncp)) << 2), (<usize>nc) << 2);
      }
    }
    if (direct) directFinite = bFinite;
  }
}

/** Where tiles are called from, as a type argument: sums carried in acc from one k block to the next,
 * or summed from +0 and stored to out or to the edge tile (a compile-time choice). */
type Carried = u8;
type ToOut = u16;
type ToEdge = u32;

/**
 * Sums of `panels` 4 x 8 tiles down a column (A's panels of 4 rows one after another at a, kb steps
 * each, times the B panel at b; tile i at c0 + 4i rows, rows rowBytes apart):
 * c[r][j] = f32(s + f32(a[p][r] * b[p][j])) over p < kb in order from s = c[r][j] (Site Carried) or
 * s = +0, with the eight running f32x4 sums in locals. a: 4 values per step, b: 8 values per step,
 * steps bStep bytes apart (32 in a packed panel, a row of B read in place). The step loop runs
 * on the address of A, with no counter, nested in the loop over the panels: V8 unrolls a nested loop
 * of this size (and keeps A's four addresses in registers), not a loop alone in its function
 * (measured in the m4320 n100 k100 Aᵀ product: 24 against 20.6 G multiply-adds/s). (A 5 x 8 tile,
 * ten sums, was 7 % faster alone but slower in the products: V8 spills it once unrolled.)
 *
 * V8's code per step (4x unrolled, an exit test per copy): 6 loads, 8 mulps, 8 addps, 2 pointer adds,
 * cmp and branch, about 4.9 cycles at 3.65 GHz where the multiplies alone need 4 (82 % of the 29.2 G
 * multiply-adds/s of 128-bit SIMD without FMA, m64 n240 k256 in cache). In a synthetic loop every
 * extra scalar instruction per step cost 0.3 cycles, so the front end, not the FP pipes, is the
 * limit; but every way tried (12:40-13:10 UTC, 2026-12-07) to drop instructions was slower, all
 * measured with both modules in one process:
 * - the k loop unrolled by hand, 4 or 2 steps per iteration with B at constant offsets and A's
 *   pointer advanced (an exit test per step, which V8's scheduler needs: without one it hoists every
 *   step's loads to the top and spills, 1.8x slower): 3.5-7 % slower in all three Affine1 products
 *   and in cache, as V8 then recomputes A's three offset addresses (lea) and reloads its stack-limit
 *   address every iteration;
 * - B loaded per use so that V8 might fold it into mulps: it does not fold, and hoists the loads
 *   (spills, 2.4x slower);
 * - load32_splat against a plain v128.load of A: the same speed (the broadcast costs nothing more);
 * - MC 32 or NC 480 instead of 64 and 240: within 1 % (noise) on the three products.
 */
function tiles4x8<Site>(a: usize, panels: i32, b: usize, kb: i32, c0: usize, rowBytes: usize, bStep: usize): void {
  const zero = sizeof<Site>() > 1;
  // The edge tile's rows are NR values apart: a constant, which also keeps this instantiation's code
  // apart from ToOut's (binaryen would merge identical functions, leaving two callers, not inlined).
  const ldc = sizeof<Site>() === sizeof<ToEdge>() ? <usize>(NR << 2) : rowBytes;
  for (let i = 0; i < panels; i++) {
    let ap = a + <usize>i * ((<usize>kb) << 4);
    let bp = b;
    const c = c0 + <usize>(i << 2) * ldc;
    const c1 = c + ldc;
    const c2 = c1 + ldc;
    const c3 = c2 + ldc;
    let s00 = zero ? f32x4.splat(0) : v128.load(c);
    let s01 = zero ? f32x4.splat(0) : v128.load(c, 16);
    let s10 = zero ? f32x4.splat(0) : v128.load(c1);
    let s11 = zero ? f32x4.splat(0) : v128.load(c1, 16);
    let s20 = zero ? f32x4.splat(0) : v128.load(c2);
    let s21 = zero ? f32x4.splat(0) : v128.load(c2, 16);
    let s30 = zero ? f32x4.splat(0) : v128.load(c3);
    let s31 = zero ? f32x4.splat(0) : v128.load(c3, 16);
    const end = ap + ((<usize>kb) << 4);
    while (ap < end) {
      const b0 = v128.load(bp);
      const b1 = v128.load(bp, 16);
      const a0 = v128.load32_splat(ap);
      s00 = f32x4.add(s00, f32x4.mul(a0, b0));
      s01 = f32x4.add(s01, f32x4.mul(a0, b1));
      const a1 = v128.load32_splat(ap, 4);
      s10 = f32x4.add(s10, f32x4.mul(a1, b0));
      s11 = f32x4.add(s11, f32x4.mul(a1, b1));
      const a2 = v128.load32_splat(ap, 8);
      s20 = f32x4.add(s20, f32x4.mul(a2, b0));
      s21 = f32x4.add(s21, f32x4.mul(a2, b1));
      const a3 = v128.load32_splat(ap, 12);
      s30 = f32x4.add(s30, f32x4.mul(a3, b0));
      s31 = f32x4.add(s31, f32x4.mul(a3, b1));
      ap += 16;
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

/** tiles4x8 for a last panel of 4 columns (b: 4 values per step). */
function tiles4x4<Site>(a: usize, panels: i32, b: usize, kb: i32, c0: usize, rowBytes: usize, bStep: usize): void {
  const zero = sizeof<Site>() > 1;
  // The edge tile's rows are NR values apart: a constant, which also keeps this instantiation's code
  // apart from ToOut's (binaryen would merge identical functions, leaving two callers, not inlined).
  const ldc = sizeof<Site>() === sizeof<ToEdge>() ? <usize>(NR << 2) : rowBytes;
  for (let i = 0; i < panels; i++) {
    let ap = a + <usize>i * ((<usize>kb) << 4);
    let bp = b;
    const c = c0 + <usize>(i << 2) * ldc;
    const c1 = c + ldc;
    const c2 = c1 + ldc;
    const c3 = c2 + ldc;
    let s0 = zero ? f32x4.splat(0) : v128.load(c);
    let s1 = zero ? f32x4.splat(0) : v128.load(c1);
    let s2 = zero ? f32x4.splat(0) : v128.load(c2);
    let s3 = zero ? f32x4.splat(0) : v128.load(c3);
    const end = ap + ((<usize>kb) << 4);
    while (ap < end) {
      const b0 = v128.load(bp);
      s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(ap), b0));
      s1 = f32x4.add(s1, f32x4.mul(v128.load32_splat(ap, 4), b0));
      s2 = f32x4.add(s2, f32x4.mul(v128.load32_splat(ap, 8), b0));
      s3 = f32x4.add(s3, f32x4.mul(v128.load32_splat(ap, 12), b0));
      ap += 16;
      bp += bStep;
    }
    v128.store(c, s0);
    v128.store(c1, s1);
    v128.store(c2, s2);
    v128.store(c3, s3);
  }
}

/**
 * The product of a packed A block (mc rows in panels of MR, kb steps) and a packed B strip (nc
 * columns in panels of NR and a last one of 4, kb steps), summed from +0 and stored at c (rows ldc
 * bytes apart): the whole tiles here, those that reach past row mc or column nc by edgeTiles.
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
    tiles4x8<ToOut>(aPanels, rows >> 2, bPanels + ((<usize>(jr * kb)) << 2), kb, c + ((<usize>jr) << 2), ldc, 32);
  }
  // A last panel 4 wide with 4 columns (nc - wide of 5 to 7 is an 8-wide panel, cut short).
  const whole = nc - wide === 4 ? nc : wide;
  if (whole > wide) {
    tiles4x4<ToOut>(aPanels, rows >> 2, bPanels + ((<usize>(wide * kb)) << 2), kb, c + ((<usize>wide) << 2), ldc, 16);
  }
  if (whole < nc) edgeTiles(aPanels, bPanels, kb, 0, rows, whole, nc, c, ldc, edge);
  if (rows < mc) edgeTiles(aPanels, bPanels, kb, rows, mc, 0, nc, c, ldc, edge);
}

/**
 * The tiles of rows [r0, r1) and columns [j0, j1) (r0 a multiple of MR, j0 of 4; the tiles reach past
 * row r1 or column j1) for tilesToOut: each summed from +0 in the 4 x 8 tile at `edge` (scratch), then
 * its rows and columns before r1 and j1 copied to c. Not inlined (two callers): the whole tiles'
 * loops keep their registers.
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
  const ncp = roundUp(j1, 4);
  for (let jr = j0; jr < j1; ) {
    // Panels of NR columns, and a last one of 4 where the columns rounded up to 4 leave 4.
    const width = (jr & (NR - 1)) === 0 && jr + NR <= ncp ? NR : 4;
    const bp = bPanels + ((<usize>(jr * kb)) << 2);
    for (let ir = r0; ir < r1; ir += MR) {
      const ap = aPanels + ((<usize>(ir * kb)) << 2);
      if (width === NR) tiles4x8<ToEdge>(ap, 1, bp, kb, edge, 0, 32);
      else tiles4x4<ToEdge>(ap, 1, bp, kb, edge, 0, 16);
      const ct = c + <usize>ir * ldc + ((<usize>jr) << 2);
      const cols = min(j1 - jr, width);
      for (let r = 0; r < min(r1 - ir, MR); r++) {
        for (let j = 0; j < cols; j++) {
          store<f32>(ct + <usize>r * ldc + ((<usize>j) << 2), load<f32>(edge + ((<usize>(r * NR + j)) << 2)));
        }
      }
    }
    jr += width;
  }
}

/**
 * Packs a panel of `width` lanes at o: kb steps of `width` float32 values, element (lane, p) read at
 * src[first + lane * laneStride + p * stepStride]; lanes past `lanes` are zero. Returns its end.
 */
function packPanel(
  src: usize,
  first: i32,
  laneStride: i32,
  stepStride: i32,
  lanes: i32,
  width: i32,
  kb: i32,
  o: usize,
): usize {
  const stepBytes = (<usize>width) << 2;
  let lane = 0;
  if (laneStride === 1 && lanes === 8) {
    // A step's lanes are contiguous (a B read by rows): two vector copies a step.
    let q = src + ((<usize>first) << 2);
    const qStep = (<usize>stepStride) << 2;
    const end = o + ((<usize>kb) << 5);
    for (let d = o; d < end; d += 32) {
      v128.store(d, v128.load(q));
      v128.store(d, v128.load(q, 16), 16);
      q += qStep;
    }
    return end;
  } else if (laneStride === 1 && lanes >= 4) {
    // A step's lanes are contiguous (a transposed A, a B read by rows): vector copies of 4 lanes.
    for (; lane + 4 <= lanes; lane += 4) {
      let q = src + ((<usize>(first + lane)) << 2);
      let d = o + ((<usize>lane) << 2);
      const qStep = (<usize>stepStride) << 2;
      for (let p = 0; p < kb; p++) {
        v128.store(d, v128.load(q));
        q += qStep;
        d += stepBytes;
      }
    }
  } else if (stepStride === 1) {
    // Each lane's steps are contiguous (rows of a row-major A, columns of a transposed B): 4 x 4
    // blocks of 4 lanes, transposed in registers, so that a step's 4 lanes are stored as one vector.
    for (; lane + 4 <= lanes; lane += 4)
      transposePanel(src, first + lane * laneStride, laneStride, kb, o + ((<usize>lane) << 2), stepBytes);
  }
  // The other lanes (and any layout) one value at a time; lanes past `lanes` zero.
  for (; lane < width; lane++) {
    let d = o + ((<usize>lane) << 2);
    if (lane < lanes) {
      const q = src + ((<usize>(first + lane * laneStride)) << 2);
      const qStep = (<usize>stepStride) << 2;
      for (let p = 0; p < kb; p++) {
        store<f32>(d, load<f32>(q + <usize>p * qStep));
        d += stepBytes;
      }
    } else {
      for (let p = 0; p < kb; p++) {
        store<f32>(d, 0);
        d += stepBytes;
      }
    }
  }
  return o + <usize>kb * stepBytes;
}

/** Packs 4 lanes whose kb steps are contiguous (lane l's at src[first + l * laneStride + p]) as kb
 * vectors of 4 at o, stepBytes apart: 4 x 4 blocks transposed in registers, then the last steps. */
function transposePanel(src: usize, first: i32, laneStride: i32, kb: i32, o: usize, stepBytes: usize): void {
  const q0 = src + ((<usize>first) << 2);
  const q1 = q0 + ((<usize>laneStride) << 2);
  const q2 = q1 + ((<usize>laneStride) << 2);
  const q3 = q2 + ((<usize>laneStride) << 2);
  let p = 0;
  for (; p + 4 <= kb; p += 4) {
    const off = (<usize>p) << 2;
    const x0 = v128.load(q0 + off);
    const x1 = v128.load(q1 + off);
    const x2 = v128.load(q2 + off);
    const x3 = v128.load(q3 + off);
    const t0 = v128.shuffle<i32>(x0, x1, 0, 4, 1, 5);
    const t1 = v128.shuffle<i32>(x0, x1, 2, 6, 3, 7);
    const t2 = v128.shuffle<i32>(x2, x3, 0, 4, 1, 5);
    const t3 = v128.shuffle<i32>(x2, x3, 2, 6, 3, 7);
    v128.store(o, v128.shuffle<i64>(t0, t2, 0, 2));
    v128.store(o + stepBytes, v128.shuffle<i64>(t0, t2, 1, 3));
    v128.store(o + 2 * stepBytes, v128.shuffle<i64>(t1, t3, 0, 2));
    v128.store(o + 3 * stepBytes, v128.shuffle<i64>(t1, t3, 1, 3));
    o += 4 * stepBytes;
  }
  for (; p < kb; p++) {
    const off = (<usize>p) << 2;
    store<f32>(o, load<f32>(q0 + off));
    store<f32>(o, load<f32>(q1 + off), 4);
    store<f32>(o, load<f32>(q2 + off), 8);
    store<f32>(o, load<f32>(q3 + off), 12);
    o += stepBytes;
  }
}

/** Packs rows [ic, ic+mc) x columns [pc, pc+kb) of op(A) into panels of MR rows at w. */
function packA(a: usize, m: i32, k: i32, transA: bool, ic: i32, mc: i32, pc: i32, kb: i32, w: usize): void {
  const rowStride = transA ? 1 : k;
  const colStride = transA ? m : 1;
  let o = w;
  for (let ir = 0; ir < mc; ir += MR) {
    o = packPanel(a, (ic + ir) * rowStride + pc * colStride, rowStride, colStride, min(MR, mc - ir), MR, kb, o);
  }
}

/**
 * Packs columns [jc, jc+nc) of op(B), all k rows, at w: for each k block of kc rows (at pc * ncp
 * values), panels of NR columns (each kb steps of NR values) and a last panel of 4 when the columns
 * rounded up to 4 leave 4.
 */
function packB(b: usize, n: i32, k: i32, transB: bool, jc: i32, nc: i32, kc: i32, w: usize): void {
  const ncp = roundUp(nc, 4);
  const rowStride = transB ? 1 : n;
  const colStride = transB ? k : 1;
  for (let pc = 0; pc < k; pc += kc) {
    const kb = min(kc, k - pc);
    let o = w + ((<usize>(pc * ncp)) << 2);
    for (let jr = 0; jr < ncp; jr += NR) {
      const width = min(NR, ncp - jr);
      o = packPanel(b, pc * rowStride + (jc + jr) * colStride, colStride, rowStride, min(width, nc - jr), width, kb, o);
    }
  }
}

/**
 * Packs rows [ic, ic+mc) x steps [pc, pc+kb) of op(A) keeping only the nonzero values: row r's values
 * at w + r*kb*4, their steps p (as byte offsets p * stepBytes: B's rows read in place, or an 8-wide
 * packed panel's steps) at steps + r*kb*4, its count at counts + 4r. Returns false (the caller
 * packs densely) when more than `share` of the values are nonzero (sparseMax), giving up as soon as the rows
 * so far are too dense (one row of slack).
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
  table: usize,
  share: f64 = SPARSE_MAX,
): bool {
  if (transA) return packRowsTransposed(a, m, ic, mc, pc, kb, w, counts, steps, stepBytes, table, share);
  const perRow = share * <f64>kb;
  let limit = <f64>kb;
  let total = 0;
  for (let r = 0; r < mc; r++) {
    const first = (ic + r) * k + pc;
    const o = w + ((<usize>(r * kb)) << 2);
    const st = steps + ((<usize>(r * kb)) << 2);
    let kept = 0;
    let p = 0;
    // Sixteen values at a time: sixteen zeros (an image's blank rows) are passed over with one
    // branch; otherwise each group of four is compressed to its nonzero values without a branch.
    const zero = f32x4.splat(0);
    const stepsOf4 = i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(stepBytes));
    for (; p + 16 <= kb; p += 16) {
      const q = a + ((<usize>(first + p)) << 2);
      const v0 = v128.load(q);
      const v1 = v128.load(q, 16);
      const v2 = v128.load(q, 32);
      const v3 = v128.load(q, 48);
      const n0 = f32x4.ne(v0, zero);
      const n1 = f32x4.ne(v1, zero);
      const n2 = f32x4.ne(v2, zero);
      const n3 = f32x4.ne(v3, zero);
      if (!v128.any_true(v128.or(v128.or(n0, n1), v128.or(n2, n3)))) continue;
      kept = compress4(o, st, kept, v0, n0, p * stepBytes, stepsOf4, table);
      kept = compress4(o, st, kept, v1, n1, (p + 4) * stepBytes, stepsOf4, table);
      kept = compress4(o, st, kept, v2, n2, (p + 8) * stepBytes, stepsOf4, table);
      kept = compress4(o, st, kept, v3, n3, (p + 12) * stepBytes, stepsOf4, table);
    }
    for (; p + 4 <= kb; p += 4) {
      const v = v128.load(a + ((<usize>(first + p)) << 2));
      kept = compress4(o, st, kept, v, f32x4.ne(v, zero), p * stepBytes, stepsOf4, table);
    }
    for (; p < kb; p++) kept = keep(o, st, kept, load<f32>(a + ((<usize>(first + p)) << 2)), p * stepBytes);
    store<i32>(counts + ((<usize>r) << 2), kept);
    total += kept;
    limit += perRow;
    if (<f64>total > limit) return false;
  }
  return true;
}

/**
 * packRows for a transposed A (stored k x m), where a row's values are m apart. Four steps at a time:
 * a 4 x 4 block (4 steps of 4 rows, four contiguous loads) is skipped with one branch when all zero,
 * else transposed in registers so that each row's 4 values (in increasing p) are appended to its list
 * with compress4. Remaining steps one at a time. Every list stays in increasing p.
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
  table: usize,
  share: f64,
): bool {
  memory.fill(counts, 0, (<usize>mc) << 2);
  const zero = f32x4.splat(0);
  const stepsOf4 = i32x4.mul(i32x4(0, 1, 2, 3), i32x4.splat(stepBytes));
  const rowBytes = (<usize>m) << 2;
  let total = 0;
  let p = 0;
  for (; p + 4 <= kb; p += 4) {
    const row = a + ((<usize>((pc + p) * m + ic)) << 2);
    const off = p * stepBytes;
    let r = 0;
    for (; r + 4 <= mc; r += 4) {
      const q = row + ((<usize>r) << 2);
      const x0 = v128.load(q);
      const x1 = v128.load(q + rowBytes);
      const x2 = v128.load(q + 2 * rowBytes);
      const x3 = v128.load(q + 3 * rowBytes);
      const any = v128.or(
        v128.or(f32x4.ne(x0, zero), f32x4.ne(x1, zero)),
        v128.or(f32x4.ne(x2, zero), f32x4.ne(x3, zero)),
      );
      if (!v128.any_true(any)) continue;
      // xi lane j = A value of row r + j at step p + i; yj lane i = the same (a 4 x 4 transpose).
      const t0 = v128.shuffle<i32>(x0, x1, 0, 4, 1, 5);
      const t1 = v128.shuffle<i32>(x0, x1, 2, 6, 3, 7);
      const t2 = v128.shuffle<i32>(x2, x3, 0, 4, 1, 5);
      const t3 = v128.shuffle<i32>(x2, x3, 2, 6, 3, 7);
      total += appendFour(w, steps, counts, kb, r, v128.shuffle<i64>(t0, t2, 0, 2), off, stepsOf4, table);
      total += appendFour(w, steps, counts, kb, r + 1, v128.shuffle<i64>(t0, t2, 1, 3), off, stepsOf4, table);
      total += appendFour(w, steps, counts, kb, r + 2, v128.shuffle<i64>(t1, t3, 0, 2), off, stepsOf4, table);
      total += appendFour(w, steps, counts, kb, r + 3, v128.shuffle<i64>(t1, t3, 1, 3), off, stepsOf4, table);
    }
    for (; r < mc; r++) {
      for (let i = 0; i < 4; i++) {
        const v = load<f32>(row + <usize>i * rowBytes + ((<usize>r) << 2));
        total += keepInRow(w, counts, steps, kb, r, v, <u32>(off + i * stepBytes));
      }
    }
    // As in packRows: give up early when too dense, with one step of slack per row.
    if (<f64>total > share * <f64>mc * <f64>(p + 4) + <f64>mc) return false;
  }
  for (; p < kb; p++) {
    const row = a + ((<usize>((pc + p) * m + ic)) << 2);
    const off = <u32>(p * stepBytes);
    for (let r = 0; r < mc; r++) total += keepInRow(w, counts, steps, kb, r, load<f32>(row + ((<usize>r) << 2)), off);
  }
  return <f64>total <= share * <f64>mc * <f64>kb;
}

/** compress4 of the four values v (steps off + stepsOf4) onto row r's list (values at w + r*kb*4,
 * steps at steps + r*kb*4, count at counts + 4r); returns how many were kept. */
function appendFour(
  w: usize,
  steps: usize,
  counts: usize,
  kb: i32,
  r: i32,
  v: v128,
  off: i32,
  stepsOf4: v128,
  table: usize,
): i32 {
  const cp = counts + ((<usize>r) << 2);
  const list = (<usize>(r * kb)) << 2;
  const c = load<i32>(cp);
  const next = compress4(w + list, steps + list, c, v, f32x4.ne(v, f32x4.splat(0)), off, stepsOf4, table);
  store<i32>(cp, next);
  return next - c;
}

/** Writes v and its step offset at slot `kept` of a sparse row; returns the next free slot. */
function keep(o: usize, st: usize, kept: i32, v: f32, offset: i32): i32 {
  store<f32>(o + ((<usize>kept) << 2), v);
  store<u32>(st + ((<usize>kept) << 2), <u32>offset);
  return kept + <i32>(v !== 0);
}

/** Bytes of compress4's table: a 16-byte swizzle per 4-bit mask. */
const COMPRESS_TABLE_BYTES = 256;

/**
 * Writes compress4's table at t: for each 4-bit mask, the i8x16.swizzle that moves the 4-byte lanes
 * whose bit is set to the front, in lane order (the other bytes 0x80: zero). Written on every call
 * (64 stores), since the module keeps no data segment.
 */
function writeCompressTable(t: usize): void {
  for (let mask = 0; mask < 16; mask++) {
    let out = 0;
    for (let lane = 0; lane < 4; lane++) {
      let word: u32 = 0x80808080;
      if (out < 4 && (mask >> lane) & 1) {
        const b = <u32>(lane << 2);
        word = b | ((b + 1) << 8) | ((b + 2) << 16) | ((b + 3) << 24);
        store<u32>(t + ((<usize>((mask << 2) + out)) << 2), word);
        out++;
      }
    }
    for (; out < 4; out++) store<u32>(t + ((<usize>((mask << 2) + out)) << 2), 0x80808080);
  }
}

/**
 * keep() for the four values of v at once (nz: f32x4.ne(v, 0)), at steps offset + stepsOf4: the
 * nonzero values and their offsets are moved to the front of a vector with one swizzle each and
 * stored whole at slot `kept` (the up to 3 slots past the new count are overwritten later, or are
 * the region's slack); returns kept + the number of nonzero values. No branch per value.
 */
function compress4(o: usize, st: usize, kept: i32, v: v128, nz: v128, offset: i32, stepsOf4: v128, t: usize): i32 {
  const mask = i32x4.bitmask(nz);
  const shuffle = v128.load(t + ((<usize>mask) << 4));
  v128.store(o + ((<usize>kept) << 2), i8x16.swizzle(v, shuffle));
  v128.store(st + ((<usize>kept) << 2), i8x16.swizzle(i32x4.add(i32x4.splat(offset), stepsOf4), shuffle));
  return kept + <i32>popcnt<u32>(mask);
}

/** keep() for row r of a block whose counts live in memory; returns 1 if v was kept, else 0. */
function keepInRow(w: usize, counts: usize, steps: usize, kb: i32, r: i32, v: f32, offset: u32): i32 {
  const cp = counts + ((<usize>r) << 2);
  const c = load<i32>(cp);
  store<f32>(w + ((<usize>(r * kb + c)) << 2), v);
  store<u32>(steps + ((<usize>(r * kb + c)) << 2), offset);
  const nonzero = <i32>(v !== 0);
  store<i32>(cp, c + nonzero);
  return nonzero;
}

/**
 * acc rows += their sparse A rows times one k block of B, columns [0, ncp) in groups of 8 and a last
 * one of 4: column j's group starts at b + j * colBytes, and a kept step's row at the stored offset
 * (packed 8-wide panels: colBytes = kb * 4, offsets p * 32, halved (`narrow` = 1) for a last panel 4
 * wide; B read in place: colBytes = 4, offsets p * n * 4). Column groups outermost (up to 28 columns,
 * seven running vectors, at a time), so their rows of B stay in L1 while every A row passes over
 * them. A last group of 4 always joins the pass before it: a pass over one vector would wait on its
 * single sum every step.
 */
function sparseRows(
  w: usize,
  counts: usize,
  steps: usize,
  mc: i32,
  kb: i32,
  b: usize,
  colBytes: usize,
  narrow: u32,
  ncp: i32,
  acc: usize,
): void {
  const group = colBytes << 3; // from one group of 8 columns to the next
  for (let j = 0; j < ncp; ) {
    const rest = ncp - j;
    // Widths 28 (3 groups and the last 4), 24, 20, 16, 12, 8 or 4 (ncp is a multiple of 4).
    const width = rest >= 32 ? 24 : rest;
    const bj = b + <usize>j * colBytes;
    for (let r = 0; r < mc; r++) {
      const kept = load<i32>(counts + ((<usize>r) << 2));
      if (kept === 0) continue;
      const av = w + ((<usize>(r * kb)) << 2);
      const st = steps + ((<usize>(r * kb)) << 2);
      const c = acc + ((<usize>(r * ncp + j)) << 2);
      if (width === 24) sparseRun<Three, NoTail>(av, st, kept, bj, group, narrow, c);
      else if (width === 28) sparseRun<Three, Tail>(av, st, kept, bj, group, narrow, c);
      else if (width === 20) sparseRun<Two, Tail>(av, st, kept, bj, group, narrow, c);
      else if (width === 16) sparseRun<Two, NoTail>(av, st, kept, bj, group, narrow, c);
      else if (width === 12) sparseRun<One, Tail>(av, st, kept, bj, group, narrow, c);
      else if (width === 8) sparseRun<One, NoTail>(av, st, kept, bj, group, narrow, c);
      else sparse4(av, st, kept, bj, narrow, c);
    }
    j += width;
  }
}

/** The number of groups of 8 columns of a sparseRun, as a type argument (a compile-time choice). */
type One = u8;
type Two = u16;
type Three = u32;
/** Whether a sparseRun also does a last group of 4 columns, as a type argument. */
type Tail = bool;
type NoTail = u8;

/**
 * c[0..8G) += av[t] * (G groups of 8 columns at bp, bp+P, bp+2P, row steps[t]) over kept steps t;
 * with Tail also c[8G..8G+4) from the group of 4 at bp+G*P (its offset shifted right by `narrow`).
 */
function sparseRun<G, T>(av: usize, st: usize, kept: i32, bp: usize, P: usize, narrow: u32, c: usize): void {
  const g = sizeof<G>() === 4 ? 3 : sizeof<G>();
  const tail = isBoolean<T>();
  let s0 = v128.load(c);
  let s1 = v128.load(c, 16);
  let s2 = g >= 2 ? v128.load(c, 32) : f32x4.splat(0);
  let s3 = g >= 2 ? v128.load(c, 48) : f32x4.splat(0);
  let s4 = g >= 3 ? v128.load(c, 64) : f32x4.splat(0);
  let s5 = g >= 3 ? v128.load(c, 80) : f32x4.splat(0);
  const ct = c + ((<usize>g) << 5);
  const bt = bp + <usize>g * P;
  let s6 = tail ? v128.load(ct) : f32x4.splat(0);
  const end = st + ((<usize>kept) << 2);
  for (; st < end; st += 4) {
    const off = <usize>load<u32>(st);
    const q0 = bp + off;
    const x = v128.load32_splat(av);
    s0 = f32x4.add(s0, f32x4.mul(x, v128.load(q0)));
    s1 = f32x4.add(s1, f32x4.mul(x, v128.load(q0, 16)));
    if (g >= 2) {
      const q1 = q0 + P;
      s2 = f32x4.add(s2, f32x4.mul(x, v128.load(q1)));
      s3 = f32x4.add(s3, f32x4.mul(x, v128.load(q1, 16)));
    }
    if (g >= 3) {
      const q2 = q0 + P + P;
      s4 = f32x4.add(s4, f32x4.mul(x, v128.load(q2)));
      s5 = f32x4.add(s5, f32x4.mul(x, v128.load(q2, 16)));
    }
    if (tail) s6 = f32x4.add(s6, f32x4.mul(x, v128.load(bt + (off >> narrow))));
    av += 4;
  }
  v128.store(c, s0);
  v128.store(c, s1, 16);
  if (g >= 2) {
    v128.store(c, s2, 32);
    v128.store(c, s3, 48);
  }
  if (g >= 3) {
    v128.store(c, s4, 64);
    v128.store(c, s5, 80);
  }
  if (tail) v128.store(ct, s6);
}

/** sparseRun for 4 columns alone (narrow = 1: a packed panel 4 wide, whose steps are 16 bytes
 * apart, half the stored offset). */
function sparse4(av: usize, st: usize, kept: i32, bp: usize, narrow: u32, c: usize): void {
  let s0 = v128.load(c);
  const end = st + ((<usize>kept) << 2);
  for (; st < end; st += 4) {
    s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(av), v128.load(bp + <usize>(load<u32>(st) >> narrow))));
    av += 4;
  }
  v128.store(c, s0);
}

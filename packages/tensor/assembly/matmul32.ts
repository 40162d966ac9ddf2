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
// pc blocks of at most KC along k, then register tiles), with f32x4 lanes across output columns: an
// MR x NR = 4 x 8 tile holds 8 running f32x4 sums (two vectors per row), so one step does 8 mul and
// 8 add instructions for 32 multiply-adds, twice the float64 kernel's 16. A last panel of at most 4
// columns uses a 4 x 4 tile (no work on padding beyond the next multiple of 4). Each tile's sums are
// carried from one k block to the next through a float32 scratch block: the running sum *is* a
// float32 value, so storing it is exact and the blocking changes nothing.
//
// Zeros in A are skipped when that pays and is exact, as in the float64 kernel: when every packed B
// value of a strip is finite and at most half of a block's A values are nonzero, each output row is
// summed over its nonzero A values only, still in increasing p. A zero A value times a finite B value
// is +0 or -0 (exact in float32 too), and adding +0 or -0 to a float32 running sum that starts at +0
// leaves it unchanged (round-to-nearest gives -0 only for (-0) + (-0)). Where B holds an Inf or NaN
// nothing is skipped.
//
// All addresses are byte offsets in linear memory chosen by the caller (no data segments, no globals
// that matter): one compiled module serves every thread over one shared memory.

/** Rows of the register tile (and of a packed A panel). */
const MR: i32 = 4;
/** Columns of the register tile (and of a packed B panel): two f32x4 vectors. A last panel of at
 * most 4 columns is 4 wide. */
const NR: i32 = 8;
/** Upper bound of the k block; the actual block is k split into equal parts (depends on k only). */
const KC: i32 = 256;
/** Rows per block of A (a multiple of MR). */
const MC: i32 = 64;
/** Columns per strip of B (a multiple of NR). */
const NC: i32 = 240;
/** Sparse rows are used when at most this share of a block's A values is nonzero. */
const SPARSE_MAX = 0.5;

function roundUp(x: i32, to: i32): i32 {
  return ((x + to - 1) / to) * to;
}

function kBlock(k: i32): i32 {
  if (k <= 0) return 1;
  const blocks = (k + KC - 1) / KC;
  return (k + blocks - 1) / blocks;
}

/** Bytes of scratch `matmul32` needs for a product with these n and k. */
export function matmul32ScratchBytes(n: i32, k: i32): i32 {
  const ncMax = roundUp(min(NC, n), 4);
  const kc = kBlock(k);
  // A panels (or sparse A values), B strip, sums, then per row a count and its steps.
  return (MC * kc + k * ncMax + MC * ncMax + MC + MC * kc) << 2;
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
  const bPanels = aPanels + ((<usize>(MC * kc)) << 2);
  const acc = bPanels + ((<usize>(k * ncMax)) << 2);
  const counts = acc + ((<usize>(MC * ncMax)) << 2);
  const steps = counts + ((<usize>MC) << 2);

  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    const ncp = roundUp(nc, 4);
    const bFinite = packB(b, n, k, transB, jc, nc, kc, bPanels);
    for (let ic = rowStart; ic < rowEnd; ic += MC) {
      const mc = min(MC, rowEnd - ic);
      const mcp = roundUp(mc, MR);
      memory.fill(acc, 0, (<usize>(mcp * ncp)) << 2);
      for (let pc = 0; pc < k; pc += kc) {
        const kb = min(kc, k - pc);
        const bBlock = bPanels + ((<usize>(pc * ncp)) << 2);
        if (bFinite && packRows(a, m, k, transA, ic, mc, pc, kb, aPanels, counts, steps)) {
          sparseRows(aPanels, counts, steps, mc, kb, bBlock, ncp, acc);
          continue;
        }
        packA(a, m, k, transA, ic, mc, pc, kb, aPanels);
        const ldc = (<usize>ncp) << 2;
        let jr = 0;
        for (; jr + NR <= ncp; jr += NR) {
          const bp = bBlock + ((<usize>(jr * kb)) << 2);
          for (let ir = 0; ir < mcp; ir += MR) {
            tile4x8(aPanels + ((<usize>(ir * kb)) << 2), bp, kb, acc + ((<usize>(ir * ncp + jr)) << 2), ldc);
          }
        }
        if (jr < ncp) {
          const bp = bBlock + ((<usize>(jr * kb)) << 2);
          for (let ir = 0; ir < mcp; ir += MR) {
            tile4x4(aPanels + ((<usize>(ir * kb)) << 2), bp, kb, acc + ((<usize>(ir * ncp + jr)) << 2), ldc);
          }
        }
      }
      for (let i = 0; i < mc; i++) {
        memory.copy(out + ((<usize>((ic + i) * n + jc)) << 2), acc + ((<usize>(i * ncp)) << 2), (<usize>nc) << 2);
      }
    }
  }
}

/**
 * c[r][0..8) = f32(c[r][j] + f32(a[p][r] * b[p][j])) for p < kb in order, for the 4 x 8 tile at c
 * (rows ldc bytes apart), with the 8 running f32x4 sums in locals. a: 4 values per step, b: 8.
 */
function tile4x8(ap: usize, bp: usize, kb: i32, c: usize, ldc: usize): void {
  const c1 = c + ldc;
  const c2 = c1 + ldc;
  const c3 = c2 + ldc;
  let s00 = v128.load(c);
  let s01 = v128.load(c, 16);
  let s10 = v128.load(c1);
  let s11 = v128.load(c1, 16);
  let s20 = v128.load(c2);
  let s21 = v128.load(c2, 16);
  let s30 = v128.load(c3);
  let s31 = v128.load(c3, 16);
  for (let p = 0; p < kb; p++) {
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
    bp += 32;
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

/** tile4x8 for a last panel of 4 columns (b: 4 values per step). */
function tile4x4(ap: usize, bp: usize, kb: i32, c: usize, ldc: usize): void {
  const c1 = c + ldc;
  const c2 = c1 + ldc;
  const c3 = c2 + ldc;
  let s0 = v128.load(c);
  let s1 = v128.load(c1);
  let s2 = v128.load(c2);
  let s3 = v128.load(c3);
  for (let p = 0; p < kb; p++) {
    const b0 = v128.load(bp);
    s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(ap), b0));
    s1 = f32x4.add(s1, f32x4.mul(v128.load32_splat(ap, 4), b0));
    s2 = f32x4.add(s2, f32x4.mul(v128.load32_splat(ap, 8), b0));
    s3 = f32x4.add(s3, f32x4.mul(v128.load32_splat(ap, 12), b0));
    ap += 16;
    bp += 16;
  }
  v128.store(c, s0);
  v128.store(c1, s1);
  v128.store(c2, s2);
  v128.store(c3, s3);
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
  if (lanes === 4 && width === 4) {
    const s1 = first + laneStride;
    const s2 = s1 + laneStride;
    const s3 = s2 + laneStride;
    if (laneStride === 1) {
      // The panel's 4 values at each step are contiguous: one vector copy per step.
      for (let p = 0; p < kb; p++) {
        v128.store(o, v128.load(src + ((<usize>(first + p * stepStride)) << 2)));
        o += 16;
      }
      return o;
    }
    for (let p = 0; p < kb; p++) {
      const q = p * stepStride;
      store<f32>(o, load<f32>(src + ((<usize>(first + q)) << 2)));
      store<f32>(o, load<f32>(src + ((<usize>(s1 + q)) << 2)), 4);
      store<f32>(o, load<f32>(src + ((<usize>(s2 + q)) << 2)), 8);
      store<f32>(o, load<f32>(src + ((<usize>(s3 + q)) << 2)), 12);
      o += 16;
    }
    return o;
  }
  if (lanes === 8 && laneStride === 1) {
    for (let p = 0; p < kb; p++) {
      const q = src + ((<usize>(first + p * stepStride)) << 2);
      v128.store(o, v128.load(q));
      v128.store(o, v128.load(q, 16), 16);
      o += 32;
    }
    return o;
  }
  for (let p = 0; p < kb; p++) {
    for (let lane = 0; lane < width; lane++) {
      store<f32>(o, lane < lanes ? load<f32>(src + ((<usize>(first + lane * laneStride + p * stepStride)) << 2)) : 0);
      o += 4;
    }
  }
  return o;
}

/** Packs rows [ic, ic+mc) x columns [pc, pc+kb) of op(A) into panels of MR rows at w. */
function packA(a: usize, m: i32, k: i32, transA: bool, ic: i32, mc: i32, pc: i32, kb: i32, w: usize): void {
  const rowStride = transA ? 1 : k;
  const colStride = transA ? m : 1;
  let o = w;
  for (let ir = 0; ir < mc; ir += MR) {
    o = packPanel(a, (ic + ir) * rowStride + pc * colStride, rowStride, colStride, min(MR, mc - ir), 4, kb, o);
  }
}

/**
 * Packs columns [jc, jc+nc) of op(B), all k rows, at w: for each k block of kc rows (at pc * ncp
 * values), panels of NR columns (each kb steps of NR values) and a last panel of 4 when the columns
 * rounded up to 4 leave 4. Returns whether every packed value is finite.
 */
function packB(b: usize, n: i32, k: i32, transB: bool, jc: i32, nc: i32, kc: i32, w: usize): bool {
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
  return allFinite(w, k * ncp);
}

/** Whether all `len` float32 values at p are finite (x - x is 0 for finite x, NaN otherwise). */
function allFinite(p: usize, len: i32): bool {
  let bad = f32x4.splat(0);
  const end = p + ((<usize>(len & ~3)) << 2);
  for (; p < end; p += 16) {
    const v = v128.load(p);
    bad = f32x4.add(bad, f32x4.sub(v, v));
  }
  let tail: f32 = 0;
  for (let i = len & 3; i > 0; i--) {
    const v = load<f32>(p);
    tail += v - v;
    p += 4;
  }
  return !v128.any_true(f32x4.ne(bad, f32x4.splat(0))) && tail === 0;
}

/**
 * Packs rows [ic, ic+mc) x steps [pc, pc+kb) of op(A) keeping only the nonzero values: row r's values
 * at w + r*kb*4, their steps p (as byte offsets p * 32 into an 8-wide B panel) at steps + r*kb*4, its
 * count at counts + 4r. Returns false (the caller packs densely) when more than SPARSE_MAX of the
 * values are nonzero, giving up as soon as the rows so far are too dense (one row of slack).
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
): bool {
  if (transA) return packRowsTransposed(a, m, ic, mc, pc, kb, w, counts, steps);
  const perRow = SPARSE_MAX * <f64>kb;
  let limit = <f64>kb;
  let total = 0;
  for (let r = 0; r < mc; r++) {
    const first = (ic + r) * k + pc;
    const o = w + ((<usize>(r * kb)) << 2);
    const st = steps + ((<usize>(r * kb)) << 2);
    // Four zeros (long runs of them in images) are passed over with one branch; otherwise each value
    // is written at the next free slot, which advances only past nonzeros (no branch per value).
    let kept = 0;
    let p = 0;
    for (; p + 4 <= kb; p += 4) {
      const q = a + ((<usize>(first + p)) << 2);
      const v = v128.load(q);
      if (!v128.any_true(f32x4.ne(v, f32x4.splat(0)))) continue;
      kept = keep(o, st, kept, f32x4.extract_lane(v, 0), p << 5);
      kept = keep(o, st, kept, f32x4.extract_lane(v, 1), (p + 1) << 5);
      kept = keep(o, st, kept, f32x4.extract_lane(v, 2), (p + 2) << 5);
      kept = keep(o, st, kept, f32x4.extract_lane(v, 3), (p + 3) << 5);
    }
    for (; p < kb; p++) kept = keep(o, st, kept, load<f32>(a + ((<usize>(first + p)) << 2)), p << 5);
    store<i32>(counts + ((<usize>r) << 2), kept);
    total += kept;
    limit += perRow;
    if (<f64>total > limit) return false;
  }
  return true;
}

/** packRows for a transposed A (stored k x m): one contiguous run of mc values per step p, each
 * nonzero appended to its row's list, so every list is in increasing p. */
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
): bool {
  memory.fill(counts, 0, (<usize>mc) << 2);
  let total = 0;
  for (let p = 0; p < kb; p++) {
    const row = a + ((<usize>((pc + p) * m + ic)) << 2);
    const off = <u32>(p << 5);
    let r = 0;
    for (; r + 4 <= mc; r += 4) {
      const v = v128.load(row + ((<usize>r) << 2));
      if (!v128.any_true(f32x4.ne(v, f32x4.splat(0)))) continue;
      total += keepInRow(w, counts, steps, kb, r, f32x4.extract_lane(v, 0), off);
      total += keepInRow(w, counts, steps, kb, r + 1, f32x4.extract_lane(v, 1), off);
      total += keepInRow(w, counts, steps, kb, r + 2, f32x4.extract_lane(v, 2), off);
      total += keepInRow(w, counts, steps, kb, r + 3, f32x4.extract_lane(v, 3), off);
    }
    for (; r < mc; r++) total += keepInRow(w, counts, steps, kb, r, load<f32>(row + ((<usize>r) << 2)), off);
    if (<f64>total > SPARSE_MAX * <f64>mc * <f64>(p + 1) + <f64>mc) return false;
  }
  return <f64>total <= SPARSE_MAX * <f64>mc * <f64>kb;
}

/** Writes v and its step offset at slot `kept` of a sparse row; returns the next free slot. */
function keep(o: usize, st: usize, kept: i32, v: f32, offset: i32): i32 {
  store<f32>(o + ((<usize>kept) << 2), v);
  store<u32>(st + ((<usize>kept) << 2), <u32>offset);
  return kept + <i32>(v !== 0);
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
 * acc rows += their sparse A rows times one k block of packed B (ncp columns: 8-wide panels, a last
 * one of 4). Column groups outermost (three panels, 24 columns and six running vectors, at a time),
 * so their rows of B stay in L1 while every A row passes over them.
 */
function sparseRows(w: usize, counts: usize, steps: usize, mc: i32, kb: i32, b: usize, ncp: i32, acc: usize): void {
  const panel = (<usize>kb) << 5; // bytes of an 8-wide panel
  for (let j = 0; j < ncp; ) {
    const rest = ncp - j;
    const width = rest >= 24 ? 24 : rest >= 8 ? 8 : 4;
    const bj = b + <usize>j * <usize>kb * 4;
    for (let r = 0; r < mc; r++) {
      const kept = load<i32>(counts + ((<usize>r) << 2));
      if (kept === 0) continue;
      const av = w + ((<usize>(r * kb)) << 2);
      const st = steps + ((<usize>(r * kb)) << 2);
      const c = acc + ((<usize>(r * ncp + j)) << 2);
      if (width === 24) sparse24(av, st, kept, bj, panel, c);
      else if (width === 8) sparse8(av, st, kept, bj, c);
      else sparse4(av, st, kept, bj, c);
    }
    j += width;
  }
}

/** c[0..24) += av[t] * (three 8-wide panels at bp, bp+P, bp+2P, step steps[t]) over kept steps t. */
function sparse24(av: usize, st: usize, kept: i32, bp: usize, P: usize, c: usize): void {
  let s0 = v128.load(c);
  let s1 = v128.load(c, 16);
  let s2 = v128.load(c, 32);
  let s3 = v128.load(c, 48);
  let s4 = v128.load(c, 64);
  let s5 = v128.load(c, 80);
  const end = st + ((<usize>kept) << 2);
  for (; st < end; st += 4) {
    const q0 = bp + <usize>load<u32>(st);
    const q1 = q0 + P;
    const q2 = q1 + P;
    const x = v128.load32_splat(av);
    s0 = f32x4.add(s0, f32x4.mul(x, v128.load(q0)));
    s1 = f32x4.add(s1, f32x4.mul(x, v128.load(q0, 16)));
    s2 = f32x4.add(s2, f32x4.mul(x, v128.load(q1)));
    s3 = f32x4.add(s3, f32x4.mul(x, v128.load(q1, 16)));
    s4 = f32x4.add(s4, f32x4.mul(x, v128.load(q2)));
    s5 = f32x4.add(s5, f32x4.mul(x, v128.load(q2, 16)));
    av += 4;
  }
  v128.store(c, s0);
  v128.store(c, s1, 16);
  v128.store(c, s2, 32);
  v128.store(c, s3, 48);
  v128.store(c, s4, 64);
  v128.store(c, s5, 80);
}

/** sparse24 for one 8-wide panel. */
function sparse8(av: usize, st: usize, kept: i32, bp: usize, c: usize): void {
  let s0 = v128.load(c);
  let s1 = v128.load(c, 16);
  const end = st + ((<usize>kept) << 2);
  for (; st < end; st += 4) {
    const q0 = bp + <usize>load<u32>(st);
    const x = v128.load32_splat(av);
    s0 = f32x4.add(s0, f32x4.mul(x, v128.load(q0)));
    s1 = f32x4.add(s1, f32x4.mul(x, v128.load(q0, 16)));
    av += 4;
  }
  v128.store(c, s0);
  v128.store(c, s1, 16);
}

/** sparse24 for a last panel 4 wide (its steps are 16 bytes apart: half the stored offset). */
function sparse4(av: usize, st: usize, kept: i32, bp: usize, c: usize): void {
  let s0 = v128.load(c);
  const end = st + ((<usize>kept) << 2);
  for (; st < end; st += 4) {
    s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(av), v128.load(bp + <usize>(load<u32>(st) >> 1))));
    av += 4;
  }
  v128.store(c, s0);
}

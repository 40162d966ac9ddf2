// The window and layout kernels of src/kernels/ (im2colImpl, col2imImpl, transposeImpl's batched 2-d
// case) in WebAssembly, with the same results bit for bit: all but
// col2im only copy values, and col2im adds each window's value into its output element in the
// TypeScript kernel's order (per plane, ky then kx outermost, then oy, ox), starting from +0. A
// float32 sum rounds the exact sum of two float32 values once, as TypeScript's float64 sum rounded on
// store does (float64 holds more than twice float32's precision plus two bits). Each kernel is
// written once for both element types (T = f64 or f32). Pointers are byte offsets.

// The window geometry (src/kernels/im2col.ts, WindowGeometry without n) is passed as nine int32 in
// memory, at these byte offsets from `g`: c, h, w, fh, fw, stride, pad, outH, outW.
const C = 0;
const H = 4;
const W = 8;
const FH = 12;
const FW = 16;
const STRIDE = 20;
const PAD = 24;
const OUT_H = 28;
const OUT_W = 32;

/**
 * im2col rows [start, end) of an [n, c, h, w] input x into out (row `start` first): row r = (image,
 * oy, ox) holds the window at (oy, ox) as c * fh * fw values ordered (channel, ky, kx); positions in
 * the padding read 0.
 */
function im2colT<T>(x: usize, g: usize, out: usize, start: i32, end: i32): void {
  const c = load<i32>(g, C);
  const h = load<i32>(g, H);
  const w = load<i32>(g, W);
  const fh = load<i32>(g, FH);
  const fw = load<i32>(g, FW);
  const stride = load<i32>(g, STRIDE);
  const pad = load<i32>(g, PAD);
  const outH = load<i32>(g, OUT_H);
  const outW = load<i32>(g, OUT_W);
  const size = sizeof<T>();
  const plane = h * w;
  const windows = outH * outW;
  const rowBytes = <usize>(c * fh * fw) * size;
  const spanBytes = <usize>fw * size;
  // Windows whose columns all fall inside the image: ox in [oxLo, oxHi).
  const oxLo = min(outW, ceilDiv(pad, stride));
  const oxHi = max(oxLo, min(outW, floorDiv(w - fw + pad, stride) + 1));
  let r = start;
  while (r < end) {
    // One run of windows of one window row (image n, row oy), from column ox0 up to ox1.
    const n = r / windows;
    const oy = (r - n * windows) / outW;
    const ox0 = r - n * windows - oy * outW;
    const ox1 = min(outW, ox0 + (end - r));
    const y0 = oy * stride - pad;
    const rowsInside = y0 >= 0 && y0 + fh <= h;
    const a = rowsInside ? min(max(ox0, oxLo), ox1) : ox1;
    const b = rowsInside ? max(a, min(ox1, oxHi)) : ox1;
    const o0 = out + <usize>(r - start) * rowBytes;
    for (let ox = ox0; ox < a; ox++)
      im2colEdge<T>(x, n, c, h, w, fh, fw, y0, ox * stride - pad, o0 + <usize>(ox - ox0) * rowBytes);
    if (a < b) {
      // Windows inside the image, column by column of the window: the same window row of
      // consecutive windows is `stride` values further on in x and one col row further on in out.
      const srcStep = <usize>stride * size;
      for (let ch = 0; ch < c; ch++) {
        for (let ky = 0; ky < fh; ky++) {
          let s = x + <usize>((n * c + ch) * plane + (y0 + ky) * w + a * stride - pad) * size;
          let d = o0 + <usize>(a - ox0) * rowBytes + <usize>((ch * fh + ky) * fw) * size;
          if (spanBytes === 16) {
            for (let ox = a; ox < b; ox++, s += srcStep, d += rowBytes) v128.store(d, v128.load(s));
          } else if (spanBytes === 8) {
            // Two float32 (2x2 pooling): one 8-byte copy.
            for (let ox = a; ox < b; ox++, s += srcStep, d += rowBytes) store<u64>(d, load<u64>(s));
          } else {
            for (let ox = a; ox < b; ox++, s += srcStep, d += rowBytes) copyBytes(d, s, spanBytes);
          }
        }
      }
    }
    for (let ox = b; ox < ox1; ox++)
      im2colEdge<T>(x, n, c, h, w, fh, fw, y0, ox * stride - pad, o0 + <usize>(ox - ox0) * rowBytes);
    r += ox1 - ox0;
  }
}

/** Copies `bytes` bytes (a window row: a few values) from src to dst, 16 at a time. */
function copyBytes(dst: usize, src: usize, bytes: usize): void {
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(dst + i, v128.load(src + i));
  for (; i + 8 <= bytes; i += 8) store<u64>(dst + i, load<u64>(src + i));
  for (; i < bytes; i += 4) store<u32>(dst + i, load<u32>(src + i));
}

/** One window (top left at y0, x0) that may reach into the padding, whose positions read 0. */
function im2colEdge<T>(x: usize, n: i32, c: i32, h: i32, w: i32, fh: i32, fw: i32, y0: i32, x0: i32, o: usize): void {
  const size = sizeof<T>();
  const kxLo = max(0, -x0);
  const kxHi = min(fw, w - x0);
  const plane = h * w;
  for (let ch = 0; ch < c; ch++) {
    const base = (n * c + ch) * plane;
    for (let ky = 0; ky < fh; ky++) {
      const iy = y0 + ky;
      if (iy < 0 || iy >= h || kxHi <= kxLo) {
        memory.fill(o, 0, <usize>fw * size);
        o += <usize>fw * size;
        continue;
      }
      const src = x + <usize>(base + iy * w + x0) * size;
      let kx = 0;
      for (; kx < kxLo; kx++, o += size) store<T>(o, <T>0);
      for (; kx < kxHi; kx++, o += size) store<T>(o, load<T>(src + <usize>kx * size));
      for (; kx < fw; kx++, o += size) store<T>(o, <T>0);
    }
  }
}

export function im2col(x: usize, g: usize, out: usize, start: i32, end: i32, f32: bool): void {
  if (f32) im2colT<f32>(x, g, out, start, end);
  else im2colT<f64>(x, g, out, start, end);
}

/**
 * col2im planes [start, end) (plane = image * c + channel) into out (plane `start` first, each h * w
 * values): every value of col (all of it, [n * outH * outW, c * fh * fw]) added into the input
 * position its window read, in col2imImpl's order; values on the padding are dropped.
 */
function col2imT<T>(col: usize, g: usize, out: usize, start: i32, end: i32): void {
  const c = load<i32>(g, C);
  const h = load<i32>(g, H);
  const w = load<i32>(g, W);
  const fh = load<i32>(g, FH);
  const fw = load<i32>(g, FW);
  const stride = load<i32>(g, STRIDE);
  const pad = load<i32>(g, PAD);
  const outH = load<i32>(g, OUT_H);
  const outW = load<i32>(g, OUT_W);
  const size = sizeof<T>();
  const plane = h * w;
  const rowLen = c * fh * fw;
  const windows = outH * outW;
  memory.fill(out, 0, <usize>(end - start) * plane * size);
  if (stride >= fh && stride >= fw) {
    col2imDisjoint<T>(col, c, h, w, fh, fw, stride, pad, outH, outW, out, start, end);
    return;
  }
  for (let p = start; p < end; p++) {
    const n = p / c;
    const ch = p - n * c;
    const dst = out + <usize>(p - start) * plane * size;
    const colBase = n * windows * rowLen + ch * fh * fw;
    for (let ky = 0; ky < fh; ky++) {
      // Window rows oy whose row ky lands inside the image: iy = oy * stride + ky - pad in [0, h).
      const oyLo = max(0, ceilDiv(pad - ky, stride));
      const oyHi = min(outH, floorDiv(h - 1 + pad - ky, stride) + 1);
      for (let kx = 0; kx < fw; kx++) {
        const oxLo = max(0, ceilDiv(pad - kx, stride));
        const oxHi = min(outW, floorDiv(w - 1 + pad - kx, stride) + 1);
        const k = colBase + ky * fw + kx;
        for (let oy = oyLo; oy < oyHi; oy++) {
          let o = dst + <usize>((oy * stride + ky - pad) * w + oxLo * stride + kx - pad) * size;
          let s = col + <usize>(k + (oy * outW + oxLo) * rowLen) * size;
          for (let ox = oxLo; ox < oxHi; ox++) {
            store<T>(o, load<T>(o) + load<T>(s));
            o += <usize>stride * size;
            s += <usize>rowLen * size;
          }
        }
      }
    }
  }
}

/**
 * col2imT when windows do not overlap (stride >= both filter sizes, as in 2x2 pooling with stride 2):
 * every output element receives at most one value, `0 + v` (so -0 becomes +0, as the book's `+=`
 * into zeros gives), and the output is written row by row. A window row of 16 bytes (two float64 or
 * four float32 values) or 8 bytes (two float32) that lies inside the image is one vector add of
 * lanes that each compute the same IEEE `0 + v`.
 */
function col2imDisjoint<T>(
  col: usize,
  c: i32,
  h: i32,
  w: i32,
  fh: i32,
  fw: i32,
  stride: i32,
  pad: i32,
  outH: i32,
  outW: i32,
  out: usize,
  start: i32,
  end: i32,
): void {
  const size = sizeof<T>();
  const rowLen = c * fh * fw;
  const windows = outH * outW;
  const colStep = <usize>rowLen * size;
  const outStep = <usize>stride * size;
  // Windows whose columns all fall inside the image: ox in [a, b); with 16- or 8-byte window rows
  // they are one vector add each.
  const spanBytes = <usize>fw * size;
  const pairs32 = spanBytes === 8 && size === 4;
  const a = spanBytes === 16 || pairs32 ? min(outW, ceilDiv(pad, stride)) : outW;
  const b = max(a, min(outW, floorDiv(w - fw + pad, stride) + 1));
  for (let p = start; p < end; p++) {
    const n = p / c;
    const ch = p - n * c;
    const dst = out + <usize>(p - start) * <usize>(h * w) * size;
    for (let oy = 0; oy < outH; oy++) {
      for (let ky = 0; ky < fh; ky++) {
        const iy = oy * stride + ky - pad;
        if (iy < 0 || iy >= h) continue;
        const s0 = col + <usize>((n * windows + oy * outW) * rowLen + ch * fh * fw + ky * fw) * size;
        const o0 = dst + <usize>(iy * w - pad) * size; // where window column 0 starts, ox = 0
        for (let ox = 0; ox < outW; ox++) {
          if (ox === a) {
            let s = s0 + <usize>a * colStep;
            let o = o0 + <usize>a * outStep;
            if (pairs32) {
              for (; ox < b; ox++, s += colStep, o += outStep) {
                v128.store64_lane(o, f32x4.add(f32x4.splat(0), v128.load64_zero(s)), 0);
              }
            }
            for (; ox < b; ox++, s += colStep, o += outStep) {
              const v = v128.load(s);
              v128.store(o, size === 8 ? f64x2.add(f64x2.splat(0), v) : f32x4.add(f32x4.splat(0), v));
            }
            if (ox === outW) break;
          }
          const x0 = ox * stride - pad;
          const s = s0 + <usize>ox * colStep;
          const o = o0 + <usize>ox * outStep;
          for (let kx = max(0, -x0); kx < min(fw, w - x0); kx++) {
            store<T>(o + <usize>kx * size, <T>0 + load<T>(s + <usize>kx * size));
          }
        }
      }
    }
  }
}

function floorDiv(a: i32, b: i32): i32 {
  const q = a / b;
  return q * b > a ? q - 1 : q;
}

function ceilDiv(a: i32, b: i32): i32 {
  return -floorDiv(-a, b);
}

export function col2im(col: usize, g: usize, out: usize, start: i32, end: i32, f32: bool): void {
  if (f32) col2imT<f32>(col, g, out, start, end);
  else col2imT<f64>(col, g, out, start, end);
}

/** Side of the square tiles of x that `transposeBatched` copies at a time: a tile and the tile of
 * the output it writes stay in L1 (8 KiB each in float64). */
const TILE = 32;

/** out[b, c, r] = x[b, r, c] for `batches` matrices of rows x cols (x and out back to back), one
 * element at a time: matrices with fewer than 4 rows or columns. */
function transposeT<T>(x: usize, batches: i32, rows: i32, cols: i32, out: usize): void {
  const size = sizeof<T>();
  const rowBytes = <usize>cols * size;
  const colBytes = <usize>rows * size;
  for (let b = 0; b < batches; b++) {
    for (let r = 0; r < rows; r++) {
      let s = x + <usize>r * rowBytes;
      let d = out + <usize>r * size;
      for (let c = 0; c < cols; c++, s += size, d += colBytes) store<T>(d, load<T>(s));
    }
    x += <usize>rows * rowBytes;
    out += <usize>rows * rowBytes;
  }
}

/**
 * Transposes the 4x4 block of float64 at x (rows `rowBytes` apart) into out (rows `colBytes`
 * apart): eight v128 loads, eight 2x2 lane shuffles, eight v128 stores.
 */
function block64(x: usize, rowBytes: usize, out: usize, colBytes: usize): void {
  const a0 = v128.load(x);
  const a1 = v128.load(x, 16);
  const b0 = v128.load(x + rowBytes);
  const b1 = v128.load(x + rowBytes, 16);
  const c0 = v128.load(x + 2 * rowBytes);
  const c1 = v128.load(x + 2 * rowBytes, 16);
  const d0 = v128.load(x + 3 * rowBytes);
  const d1 = v128.load(x + 3 * rowBytes, 16);
  v128.store(out, i64x2.shuffle(a0, b0, 0, 2));
  v128.store(out, i64x2.shuffle(c0, d0, 0, 2), 16);
  v128.store(out + colBytes, i64x2.shuffle(a0, b0, 1, 3));
  v128.store(out + colBytes, i64x2.shuffle(c0, d0, 1, 3), 16);
  v128.store(out + 2 * colBytes, i64x2.shuffle(a1, b1, 0, 2));
  v128.store(out + 2 * colBytes, i64x2.shuffle(c1, d1, 0, 2), 16);
  v128.store(out + 3 * colBytes, i64x2.shuffle(a1, b1, 1, 3));
  v128.store(out + 3 * colBytes, i64x2.shuffle(c1, d1, 1, 3), 16);
}

/** block64 for float32: four v128 loads, a 4x4 transpose in eight lane shuffles, four stores. */
function block32(x: usize, rowBytes: usize, out: usize, colBytes: usize): void {
  const a = v128.load(x);
  const b = v128.load(x + rowBytes);
  const c = v128.load(x + 2 * rowBytes);
  const d = v128.load(x + 3 * rowBytes);
  const ab01 = i32x4.shuffle(a, b, 0, 4, 1, 5);
  const ab23 = i32x4.shuffle(a, b, 2, 6, 3, 7);
  const cd01 = i32x4.shuffle(c, d, 0, 4, 1, 5);
  const cd23 = i32x4.shuffle(c, d, 2, 6, 3, 7);
  v128.store(out, i64x2.shuffle(ab01, cd01, 0, 2));
  v128.store(out + colBytes, i64x2.shuffle(ab01, cd01, 1, 3));
  v128.store(out + 2 * colBytes, i64x2.shuffle(ab23, cd23, 0, 2));
  v128.store(out + 3 * colBytes, i64x2.shuffle(ab23, cd23, 1, 3));
}

/**
 * out[b, c, r] = x[b, r, c] in 4x4 blocks, tile by tile. Where rows or cols is not a multiple of 4,
 * the last block of a row or column of blocks is the one that ends at the matrix's edge: it overlaps
 * its neighbour and writes some elements a second time with the same values (out never overlaps x),
 * so every remainder is vector work too. Needs rows, cols >= 4.
 *
 * Within a tile the inner loop runs along the shorter side and the outer one along the longer side:
 * with [576, 30] (a conv layer's [H*W, C]) each pass of the inner loop reads 4 rows of x whole, with
 * [30, 576] it writes 4 rows of out whole (measured both ways round: 1.5 to 2 times faster than the
 * other order on those shapes).
 */
function transposeBlocks<T>(x: usize, batches: i32, rows: i32, cols: i32, out: usize): void {
  const size = sizeof<T>();
  const rowBytes = <usize>cols * size;
  const colBytes = <usize>rows * size;
  // The outer side (o) and the inner side (i): their lengths, and the bytes one index along each
  // moves in x and in out.
  const colsInner = cols <= rows;
  const oLen = colsInner ? rows : cols;
  const iLen = colsInner ? cols : rows;
  const oX = colsInner ? rowBytes : size;
  const oOut = colsInner ? size : colBytes;
  const iX = colsInner ? size : rowBytes;
  const iOut = colsInner ? colBytes : size;
  for (let b = 0; b < batches; b++) {
    for (let o0 = 0; o0 < oLen; o0 += TILE) {
      const o1 = min(oLen, o0 + TILE);
      for (let i0 = 0; i0 < iLen; i0 += TILE) {
        const i1 = min(iLen, i0 + TILE);
        for (let o = o0; o < o1; o += 4) {
          const oo = <usize>min(o, oLen - 4);
          const s = x + oo * oX;
          const d = out + oo * oOut;
          for (let i = i0; i < i1; i += 4) {
            const ii = <usize>min(i, iLen - 4);
            block<T>(s + ii * iX, rowBytes, d + ii * iOut, colBytes);
          }
        }
      }
    }
    x += <usize>rows * rowBytes;
    out += <usize>rows * rowBytes;
  }
}

/** The 4x4 block at x (rows `rowBytes` apart) transposed into out (rows `colBytes` apart). */
function block<T>(x: usize, rowBytes: usize, out: usize, colBytes: usize): void {
  if (sizeof<T>() === 8) block64(x, rowBytes, out, colBytes);
  else block32(x, rowBytes, out, colBytes);
}

export function transposeBatched(x: usize, batches: i32, rows: i32, cols: i32, out: usize, f32: bool): void {
  if (rows < 4 || cols < 4) {
    if (f32) transposeT<f32>(x, batches, rows, cols, out);
    else transposeT<f64>(x, batches, rows, cols, out);
  } else if (f32) transposeBlocks<f32>(x, batches, rows, cols, out);
  else transposeBlocks<f64>(x, batches, rows, cols, out);
}

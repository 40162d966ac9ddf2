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

/** Side of the square tiles `transposeBatched` copies at a time (both tiles stay in cache). */
const TILE = 8;

/** out[b, c, r] = x[b, r, c] for `batches` matrices of rows x cols (x and out back to back). */
function transposeT<T>(x: usize, batches: i32, rows: i32, cols: i32, out: usize): void {
  const size = sizeof<T>();
  const rowBytes = <usize>cols * size;
  const colBytes = <usize>rows * size;
  for (let b = 0; b < batches; b++) {
    for (let r0 = 0; r0 < rows; r0 += TILE) {
      const r1 = min(rows, r0 + TILE);
      for (let c0 = 0; c0 < cols; c0 += TILE) {
        const c1 = min(cols, c0 + TILE);
        for (let c = c0; c < c1; c++) {
          let s = x + <usize>r0 * rowBytes + <usize>c * size;
          let d = out + <usize>c * colBytes + <usize>r0 * size;
          for (let r = r0; r < r1; r++) {
            store<T>(d, load<T>(s));
            s += rowBytes;
            d += size;
          }
        }
      }
    }
    x += <usize>rows * rowBytes;
    out += <usize>rows * rowBytes;
  }
}

/**
 * transposeT<f64> two rows and two columns at a time: a 2x2 block is two v128 loads, two lane
 * shuffles and two v128 stores. An odd last row or column goes element by element.
 */
function transpose64(x: usize, batches: i32, rows: i32, cols: i32, out: usize): void {
  const rowBytes = (<usize>cols) << 3;
  const colBytes = (<usize>rows) << 3;
  const rows2 = rows & ~1;
  const cols2 = cols & ~1;
  for (let b = 0; b < batches; b++) {
    for (let r0 = 0; r0 < rows2; r0 += TILE) {
      const r1 = min(rows2, r0 + TILE);
      for (let c0 = 0; c0 < cols2; c0 += TILE) {
        const c1 = min(cols2, c0 + TILE);
        for (let r = r0; r < r1; r += 2) {
          const s = x + <usize>r * rowBytes;
          const d = out + ((<usize>r) << 3);
          for (let c = c0; c < c1; c += 2) {
            const top = v128.load(s + ((<usize>c) << 3));
            const bottom = v128.load(s + rowBytes + ((<usize>c) << 3));
            v128.store(d + <usize>c * colBytes, i64x2.shuffle(top, bottom, 0, 2));
            v128.store(d + <usize>(c + 1) * colBytes, i64x2.shuffle(top, bottom, 1, 3));
          }
        }
      }
    }
    for (let r = 0; r < rows; r++) {
      // The odd last column of every row, and the odd last row whole.
      const cStart = r < rows2 ? cols2 : 0;
      for (let c = cStart; c < cols; c++) {
        store<f64>(
          out + <usize>c * colBytes + ((<usize>r) << 3),
          load<f64>(x + <usize>r * rowBytes + ((<usize>c) << 3)),
        );
      }
    }
    x += <usize>rows * rowBytes;
    out += <usize>rows * rowBytes;
  }
}

export function transposeBatched(x: usize, batches: i32, rows: i32, cols: i32, out: usize, f32: bool): void {
  if (f32) transposeT<f32>(x, batches, rows, cols, out);
  else transpose64(x, batches, rows, cols, out);
}

// The window and layout kernels of src/kernels/ (im2colImpl, col2imImpl, transposeImpl's batched 2-d
// case, takeAlongImpl, putAlongImpl) in WebAssembly, with the same results bit for bit: all but
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
  let n = start / windows;
  let oy = (start - n * windows) / outW;
  let ox = start - n * windows - oy * outW;
  let o = out;
  for (let r = start; r < end; r++) {
    const y0 = oy * stride - pad;
    const x0 = ox * stride - pad;
    const kxLo = max(0, -x0);
    const kxHi = min(fw, w - x0);
    if (kxLo === 0 && kxHi === fw && y0 >= 0 && y0 + fh <= h) {
      // A window inside the image: fw values per window row, copied as whole bytes.
      const rowBytes = <usize>fw * size;
      let src = x + <usize>(n * c * plane + y0 * w + x0) * size;
      for (let ch = 0; ch < c; ch++, src += <usize>plane * size) {
        let s = src;
        for (let ky = 0; ky < fh; ky++, s += <usize>w * size) {
          copyBytes(o, s, rowBytes);
          o += rowBytes;
        }
      }
    } else {
      o = im2colEdge<T>(x, n, c, h, w, fh, fw, y0, x0, kxLo, kxHi, o);
    }
    if (++ox === outW) {
      ox = 0;
      if (++oy === outH) {
        oy = 0;
        n++;
      }
    }
  }
}

/** Copies `bytes` bytes (a window row: a few values) from src to dst, 16 at a time. */
function copyBytes(dst: usize, src: usize, bytes: usize): void {
  let i: usize = 0;
  for (; i + 16 <= bytes; i += 16) v128.store(dst + i, v128.load(src + i));
  for (; i + 8 <= bytes; i += 8) store<u64>(dst + i, load<u64>(src + i));
  for (; i < bytes; i += 4) store<u32>(dst + i, load<u32>(src + i));
}

/** One window that reaches into the padding (positions there read 0); returns where its row ends. */
function im2colEdge<T>(
  x: usize,
  n: i32,
  c: i32,
  h: i32,
  w: i32,
  fh: i32,
  fw: i32,
  y0: i32,
  x0: i32,
  kxLo: i32,
  kxHi: i32,
  o: usize,
): usize {
  const size = sizeof<T>();
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
  return o;
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

export function transposeBatched(x: usize, batches: i32, rows: i32, cols: i32, out: usize, f32: bool): void {
  if (f32) transposeT<f32>(x, batches, rows, cols, out);
  else transposeT<f64>(x, batches, rows, cols, out);
}

/** out[r] = x[r * depth + indices[r]] for r in [0, rows) (indices int32, in range). */
function takeAlongT<T>(x: usize, depth: i32, indices: usize, out: usize, rows: i32): void {
  const size = sizeof<T>();
  for (let r = 0; r < rows; r++) {
    const k = load<i32>(indices + ((<usize>r) << 2));
    store<T>(out + <usize>r * size, load<T>(x + <usize>(r * depth + k) * size));
  }
}

export function takeAlong(x: usize, depth: i32, indices: usize, out: usize, rows: i32, f32: bool): void {
  if (f32) takeAlongT<f32>(x, depth, indices, out, rows);
  else takeAlongT<f64>(x, depth, indices, out, rows);
}

/** Rows [0, rows) of out (rows of `depth` values): values[r] at column indices[r], 0 elsewhere. */
function putAlongT<T>(values: usize, depth: i32, indices: usize, out: usize, rows: i32): void {
  const size = sizeof<T>();
  memory.fill(out, 0, <usize>rows * depth * size);
  for (let r = 0; r < rows; r++) {
    const k = load<i32>(indices + ((<usize>r) << 2));
    store<T>(out + <usize>(r * depth + k) * size, load<T>(values + <usize>r * size));
  }
}

export function putAlong(values: usize, depth: i32, indices: usize, out: usize, rows: i32, f32: bool): void {
  if (f32) putAlongT<f32>(values, depth, indices, out, rows);
  else putAlongT<f64>(values, depth, indices, out, rows);
}

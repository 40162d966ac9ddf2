// The window and layout kernels of src/kernels/ (im2colImpl, col2imImpl, transposeImpl's batched 2-d
// case) in WebAssembly, with the same results bit for bit: all but
// col2im only copy values, and col2im adds each window's value into its output element in the
// TypeScript kernel's order (per plane, ky then kx outermost, then oy, ox), starting from +0. A
// float32 sum rounds the exact sum of two float32 values once, as TypeScript's float64 sum rounded on
// store does (float64 holds more than twice float32's precision plus two bits). Each kernel is
// written once for both element types (T = f64 or f32). Pointers are byte offsets.

import { fillTo } from "./fill";

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
  if (c === 1 && fh === 2 && fw === 2 && stride === 2 && pad === 0 && w === 2 * outW && h === 2 * outH) {
    // 2x2 pooling over whole planes: window row q (all images' rows in order) reads lines 2q and
    // 2q + 1 of x, which follow each other in memory. out is written in order; float64's is zeroed a
    // piece at a time ahead of the stores (assembly/fill.ts): [3000,1,24,24] out of cache 1.40 ->
    // 1.20 ms, in cache 0.83 -> 0.70. float32's is not: out of cache 0.60 -> 0.53 ms, but in cache
    // 0.31 -> 0.40, and in the float32 training step's profile no faster (0.57 ms either way).
    // (Those figures are of this loop, a call per window row; im2colPool2, used where the lines are
    // whole vectors, zeroes both and is faster.)
    const outEnd = out + <usize>(end - start) * rowBytes;
    const lineBytes = <usize>w * size;
    let q = start / outW;
    let ox0 = start - q * outW;
    if ((lineBytes & 15) === 0) {
      im2colPool2<T>(x + <usize>q * 2 * lineBytes, out, outEnd, ox0, end - start, outW, lineBytes);
      return;
    }
    let filled = sizeof<T>() === 8 ? out : outEnd;
    for (let r = start; r < end; q++, ox0 = 0) {
      const count = min(outW - ox0, end - r);
      filled = fillTo(filled, out + <usize>(r + count - start) * rowBytes, outEnd);
      pairedRows(
        x + <usize>q * 2 * lineBytes + <usize>ox0 * 2 * size,
        out + <usize>(r - start) * rowBytes,
        count,
        lineBytes,
        spanBytes,
      );
      r += count;
    }
    return;
  }
  // Where row `start` is, carried from run to run (no division per run).
  let n = start / windows;
  let oy = (start - n * windows) / outW;
  let ox0 = start - n * windows - oy * outW;
  let r = start;
  while (r < end) {
    // One run of windows of one window row (image n, row oy), from column ox0 up to ox1.
    const ox1 = min(outW, ox0 + (end - r));
    const y0 = oy * stride - pad;
    const rowsInside = y0 >= 0 && y0 + fh <= h;
    const a = rowsInside ? min(max(ox0, oxLo), ox1) : ox1;
    const b = rowsInside ? max(a, min(ox1, oxHi)) : ox1;
    const o0 = out + <usize>(r - start) * rowBytes;
    for (let ox = ox0; ox < a; ox++)
      im2colEdge<T>(x, n, c, h, w, fh, fw, y0, ox * stride - pad, o0 + <usize>(ox - ox0) * rowBytes);
    if (a < b) {
      // Windows inside the image, one after another (out is written in order).
      const s0 = x + <usize>(n * c * plane + y0 * w + a * stride - pad) * size;
      const d = o0 + <usize>(a - ox0) * rowBytes;
      if (c === 1 && fh === 2 && stride === fw && (spanBytes === 16 || spanBytes === 8))
        pairedRows(s0, d, b - a, w * size, spanBytes);
      else if (c === 1 && fh === 5 && fw === 5 && stride === 1) windows5x5<T>(s0, d, b - a, <usize>w * size);
      else insideWindows(s0, d, b - a, c, fh, stride * size, plane * size, w * size, spanBytes);
    }
    for (let ox = b; ox < ox1; ox++)
      im2colEdge<T>(x, n, c, h, w, fh, fw, y0, ox * stride - pad, o0 + <usize>(ox - ox0) * rowBytes);
    r += ox1 - ox0;
    ox0 = 0;
    if (++oy === outH) {
      oy = 0;
      n++;
    }
  }
}

/**
 * im2col of 2x2 pooling windows over whole planes whose lines are whole vectors (lineBytes a
 * multiple of 16): `count` windows (of 4 values: 16 bytes in float32, 32 in float64) from window
 * column ox0 of the window row whose first line is at x on, into out (up to outEnd), zeroed a piece
 * at a time ahead of the stores (assembly/fill.ts). Whole window rows run in one loop over their two
 * lines, 16 bytes of each at a time (two float32 windows, one float64 window); a window row begun
 * or left unfinished goes through pairedRows.
 *
 * Before, every window row was a call of pairedRows (and a fill check): float32 [3000,1,24,24],
 * 36000 window rows of 12 windows, took 0.32 ms in cache (1.3 times a copy of its bytes) for 0.19
 * now. With that cost gone the zeroing pays in float32 too (it did not when each row was a call):
 * both modules in one process (layout-ops --cold --warm), 0.325 -> 0.267 ms in cache, 0.70 -> 0.60
 * out of cache, 0.53 -> 0.40 with its input in cache; in the float32 SimpleConvNet step's profile
 * (conv-step's step, both modules in one process, 20 rounds of 10 steps, medians) 0.46 -> 0.37 ms,
 * the loop without the zeroing 0.43; in four more runs (50 rounds of 3 steps, either order) 0.51 ->
 * 0.45 on average, faster in each.
 */
function im2colPool2<T>(x: usize, out: usize, outEnd: usize, ox0: i32, count: i32, outW: i32, lineBytes: usize): void {
  const size = sizeof<T>();
  const windowBytes = (<usize>size) << 2;
  let filled = out;
  if (ox0 > 0) {
    const n = min(outW - ox0, count);
    pairedRows(x + <usize>ox0 * 2 * size, out, n, lineBytes, size << 1);
    out += <usize>n * windowBytes;
    filled = out;
    count -= n;
    x += lineBytes << 1;
  }
  const rowBytes = <usize>outW * windowBytes;
  for (; count >= outW; count -= outW, x += lineBytes) {
    filled = fillTo(filled, out + rowBytes, outEnd);
    for (const lineEnd = x + lineBytes; x < lineEnd; x += 16, out += 32) {
      const top = v128.load(x);
      const bottom = v128.load(x + lineBytes);
      if (size === 8) {
        v128.store(out, top);
        v128.store(out, bottom, 16);
      } else {
        v128.store(out, i64x2.shuffle(top, bottom, 0, 2));
        v128.store(out, i64x2.shuffle(top, bottom, 1, 3), 16);
      }
    }
  }
  if (count > 0) pairedRows(x, out, count, lineBytes, size << 1);
}

/**
 * insideWindows for one channel, two window rows and windows that touch (stride = fw: 2x2 pooling):
 * window i is x's span i of one line, then of the next line (`lineBytes` on). Spans of 16 bytes
 * (two float64, four float32) are one vector each; spans of 8 bytes (two float32) go two windows at
 * a time, their two lines' 16 bytes regrouped by 64-bit lane shuffles.
 */
function pairedRows(x: usize, out: usize, count: i32, lineBytes: usize, spanBytes: usize): void {
  let i = 0;
  if (spanBytes === 16) {
    for (; i < count; i++, x += 16, out += 32) {
      v128.store(out, v128.load(x));
      v128.store(out, v128.load(x + lineBytes), 16);
    }
    return;
  }
  for (; i + 2 <= count; i += 2, x += 16, out += 32) {
    const top = v128.load(x);
    const bottom = v128.load(x + lineBytes);
    v128.store(out, i64x2.shuffle(top, bottom, 0, 2));
    v128.store(out, i64x2.shuffle(top, bottom, 1, 3), 16);
  }
  if (i < count) {
    store<u64>(out, load<u64>(x));
    store<u64>(out + 8, load<u64>(x + lineBytes));
  }
}

/**
 * insideWindows for one channel of 5x5 windows with stride 1 (a conv layer on one-channel images):
 * four float32 windows (two float64), 400 bytes of out, at a time as 25 whole vectors, each either
 * one load of four (two) values that lie in one window row of x, or the end of one window row and
 * the start of the next joined by one lane shuffle; then the remaining windows one by one. Each
 * group reads x's 5 lines at 8 values from its first column on, all inside the image.
 */
function windows5x5<T>(x: usize, out: usize, count: i32, lineBytes: usize): void {
  const size = sizeof<T>();
  const group: i32 = sizeof<T>() === 4 ? 4 : 2;
  let i = 0;
  for (; i + group <= count; i += group, x += <usize>group * size, out += 400) {
    const r0 = x;
    const r1 = r0 + lineBytes;
    const r2 = r1 + lineBytes;
    const r3 = r2 + lineBytes;
    const r4 = r3 + lineBytes;
    if (sizeof<T>() === 4) {
      v128.store(out, v128.load(r0, 0), 0);
      v128.store(out, i32x4.shuffle(v128.load(r0, 4), v128.load(r1, 0), 3, 4, 5, 6), 16);
      v128.store(out, i32x4.shuffle(v128.load(r1, 4), v128.load(r2, 0), 2, 3, 4, 5), 32);
      v128.store(out, i32x4.shuffle(v128.load(r2, 4), v128.load(r3, 0), 1, 2, 3, 4), 48);
      v128.store(out, v128.load(r3, 4), 64);
      v128.store(out, v128.load(r4, 0), 80);
      v128.store(out, i32x4.shuffle(v128.load(r4, 4), v128.load(r0, 4), 3, 4, 5, 6), 96);
      v128.store(out, i32x4.shuffle(v128.load(r0, 8), v128.load(r1, 4), 2, 3, 4, 5), 112);
      v128.store(out, i32x4.shuffle(v128.load(r1, 8), v128.load(r2, 4), 1, 2, 3, 4), 128);
      v128.store(out, v128.load(r2, 8), 144);
      v128.store(out, v128.load(r3, 4), 160);
      v128.store(out, i32x4.shuffle(v128.load(r3, 8), v128.load(r4, 4), 3, 4, 5, 6), 176);
      v128.store(out, i32x4.shuffle(v128.load(r4, 8), v128.load(r0, 8), 2, 3, 4, 5), 192);
      v128.store(out, i32x4.shuffle(v128.load(r0, 12), v128.load(r1, 8), 1, 2, 3, 4), 208);
      v128.store(out, v128.load(r1, 12), 224);
      v128.store(out, v128.load(r2, 8), 240);
      v128.store(out, i32x4.shuffle(v128.load(r2, 12), v128.load(r3, 8), 3, 4, 5, 6), 256);
      v128.store(out, i32x4.shuffle(v128.load(r3, 12), v128.load(r4, 8), 2, 3, 4, 5), 272);
      v128.store(out, i32x4.shuffle(v128.load(r4, 12), v128.load(r0, 12), 1, 2, 3, 4), 288);
      v128.store(out, v128.load(r0, 16), 304);
      v128.store(out, v128.load(r1, 12), 320);
      v128.store(out, i32x4.shuffle(v128.load(r1, 16), v128.load(r2, 12), 3, 4, 5, 6), 336);
      v128.store(out, i32x4.shuffle(v128.load(r2, 16), v128.load(r3, 12), 2, 3, 4, 5), 352);
      v128.store(out, i32x4.shuffle(v128.load(r3, 16), v128.load(r4, 12), 1, 2, 3, 4), 368);
      v128.store(out, v128.load(r4, 16), 384);
    } else {
      v128.store(out, v128.load(r0, 0), 0);
      v128.store(out, v128.load(r0, 16), 16);
      v128.store(out, i64x2.shuffle(v128.load(r0, 24), v128.load(r1, 0), 1, 2), 32);
      v128.store(out, v128.load(r1, 8), 48);
      v128.store(out, v128.load(r1, 24), 64);
      v128.store(out, v128.load(r2, 0), 80);
      v128.store(out, v128.load(r2, 16), 96);
      v128.store(out, i64x2.shuffle(v128.load(r2, 24), v128.load(r3, 0), 1, 2), 112);
      v128.store(out, v128.load(r3, 8), 128);
      v128.store(out, v128.load(r3, 24), 144);
      v128.store(out, v128.load(r4, 0), 160);
      v128.store(out, v128.load(r4, 16), 176);
      v128.store(out, i64x2.shuffle(v128.load(r4, 24), v128.load(r0, 8), 1, 2), 192);
      v128.store(out, v128.load(r0, 16), 208);
      v128.store(out, v128.load(r0, 32), 224);
      v128.store(out, v128.load(r1, 8), 240);
      v128.store(out, v128.load(r1, 24), 256);
      v128.store(out, i64x2.shuffle(v128.load(r1, 32), v128.load(r2, 8), 1, 2), 272);
      v128.store(out, v128.load(r2, 16), 288);
      v128.store(out, v128.load(r2, 32), 304);
      v128.store(out, v128.load(r3, 8), 320);
      v128.store(out, v128.load(r3, 24), 336);
      v128.store(out, i64x2.shuffle(v128.load(r3, 32), v128.load(r4, 8), 1, 2), 352);
      v128.store(out, v128.load(r4, 16), 368);
      v128.store(out, v128.load(r4, 32), 384);
    }
  }
  if (i < count) insideWindows(x, out, count - i, 1, 5, size, 0, lineBytes, 5 * size);
}

/**
 * `count` windows inside the image, the first at x (its top left value) and written from out on:
 * each window is c * fh window rows of `spanBytes` (at least 4), rows `lineBytes` apart and channels
 * `planeBytes` apart in x; the next window starts `stepBytes` further on in x. A window row is
 * copied 16 bytes at a time, the last 16 (or 8, or 4) ending at its end and overlapping the copy
 * before them, so that every length is a few whole-vector copies.
 */
function insideWindows(
  x: usize,
  out: usize,
  count: i32,
  c: i32,
  fh: i32,
  stepBytes: usize,
  planeBytes: usize,
  lineBytes: usize,
  spanBytes: usize,
): void {
  for (let i = 0; i < count; i++, x += stepBytes) {
    let sc = x;
    for (let ch = 0; ch < c; ch++, sc += planeBytes) {
      let s = sc;
      for (let ky = 0; ky < fh; ky++, s += lineBytes, out += spanBytes) {
        if (spanBytes >= 16) {
          for (let k: usize = 0; k + 16 < spanBytes; k += 16) v128.store(out + k, v128.load(s + k));
          v128.store(out + spanBytes - 16, v128.load(s + spanBytes - 16));
        } else if (spanBytes >= 8) {
          store<u64>(out, load<u64>(s));
          store<u64>(out + spanBytes - 8, load<u64>(s + spanBytes - 8));
        } else {
          store<u32>(out, load<u32>(s));
          store<u32>(out + spanBytes - 4, load<u32>(s + spanBytes - 4));
        }
      }
    }
  }
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
  if (c === 1 && fh === 2 && fw === 2 && stride === 2 && pad === 0 && w === 2 * outW && h === 2 * outH) {
    // 2x2 pooling over whole planes: window row q (all images' rows in order) fills lines 2q and
    // 2q + 1 of out, every element of them.
    // out zeroed a piece at a time ahead of the stores (assembly/fill.ts): float32 [3000,1,24,24] in
    // the SimpleConvNet step's profile 0.52 -> 0.43 ms (means of 13 runs), timed alone in cache 0.24
    // -> 0.33.
    const lineBytes = <usize>w * size;
    const first = <usize>start * outH;
    const outEnd = out + <usize>(end - start) * plane * size;
    let filled = out;
    if ((lineBytes & 15) === 0) {
      // Whole lines of vectors: one loop per window row, as in im2colPool2 (float32 in cache 0.33 ->
      // 0.26 ms; in the step's profile, both modules in one process, 0.43 -> 0.40 in one run, within
      // noise in four more, 0.53 against 0.52 on average).
      let s = col + first * <usize>outW * 4 * size;
      for (let q: usize = 0; q < <usize>(end - start) * outH; q++, out += lineBytes) {
        filled = fillTo(filled, out + 2 * lineBytes, outEnd);
        for (const lineEnd = out + lineBytes; out < lineEnd; out += 16, s += 32) {
          const a = v128.load(s);
          const b = v128.load(s, 16);
          if (size === 8) {
            v128.store(out, f64x2.add(f64x2.splat(0), a));
            v128.store(out + lineBytes, f64x2.add(f64x2.splat(0), b));
          } else {
            v128.store(out, f32x4.add(f32x4.splat(0), i64x2.shuffle(a, b, 0, 2)));
            v128.store(out + lineBytes, f32x4.add(f32x4.splat(0), i64x2.shuffle(a, b, 1, 3)));
          }
        }
      }
      return;
    }
    for (let q: usize = 0; q < <usize>(end - start) * outH; q++) {
      filled = fillTo(filled, out + (q + 1) * 2 * lineBytes, outEnd);
      pairedLines<T>(col + (first + q) * <usize>outW * 4 * size, out + q * 2 * lineBytes, outW, lineBytes);
    }
    return;
  }
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

/**
 * col2imDisjoint for one channel of 2x2 windows with stride 2 and no padding: `count` windows of
 * col (4 values each, from col on) into two lines of out (`lineBytes` apart), each value as `0 + v`.
 * float64: a window's two rows are one vector each; float32: two windows' four rows are two vectors,
 * regrouped into the two lines by 64-bit lane shuffles.
 */
function pairedLines<T>(col: usize, out: usize, count: i32, lineBytes: usize): void {
  let i = 0;
  if (sizeof<T>() === 8) {
    const zero = f64x2.splat(0);
    for (; i < count; i++, col += 32, out += 16) {
      v128.store(out, f64x2.add(zero, v128.load(col)));
      v128.store(out + lineBytes, f64x2.add(zero, v128.load(col, 16)));
    }
    return;
  }
  const zero = f32x4.splat(0);
  for (; i + 2 <= count; i += 2, col += 32, out += 16) {
    const first = v128.load(col);
    const second = v128.load(col, 16);
    v128.store(out, f32x4.add(zero, i64x2.shuffle(first, second, 0, 2)));
    v128.store(out + lineBytes, f32x4.add(zero, i64x2.shuffle(first, second, 1, 3)));
  }
  if (i < count) {
    const last = f32x4.add(zero, v128.load(col));
    v128.store64_lane(out, last, 0);
    v128.store64_lane(out + lineBytes, last, 1);
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
 * other order on those shapes). In float32 the inner loop steps pointers from block to block and
 * leaves the block that ends at the edge to after it: float32 [100,576,30] and [100,30,576] 0.33-0.36 ->
 * 0.28-0.29 ms when in cache, and as much less (1.12 -> 1.07-1.11, 1.24 -> 1.10-1.12 ms, medians)
 * with the data out of the caches, where the time is the work plus the misses.
 *
 * float32 with the inner loop along the columns ([576, 30] -> [30, 576]: each tile writes 16 bytes at
 * a time into every row of out) zeroes each matrix of out first with one `memory.fill` (as
 * assembly/fill.ts does for its kernels). In a training step x was just written (in cache) and out
 * was not, and those scattered stores read each line of out from memory first: x in cache and out
 * not, [100,576,30] 0.90-0.96 -> 0.77-0.91 ms (medians); in the float32 SimpleConvNet step's
 * profile (both modules in one process, 80-100 steps each) 1.09 -> 1.05 ms over 14 runs, 0.13 ms
 * less in each of six runs against the same module without this fill; all in cache 0.27 -> 0.36,
 * all out of cache 0-10 % slower. Not zeroed: the other orientation,
 * whose stores run along out (in the step 0.54 -> 0.62 ms zeroed whole, 20-30 % slower alone per
 * tile), and float64 (0.3 ms slower in cache, 3 % faster out of it).
 *
 * Why [576, 30] -> [30, 576] is slower than the other direction in the float32 SimpleConvNet step
 * (0.75-0.9 ms against 0.4-0.55 in the step's profile, conv-step's step with modules swapped in one
 * process, 20 rounds of 10 steps, medians): its stores land in 30 rows of out 2304 bytes apart, and
 * out is not in cache. Stores to lines not in cache in that pattern wait for each line (no zeroing:
 * 0.93 ms); the zeroing saves that, but is itself a write of all of out (0.2 ms here): a
 * `memory.copy` of the same bytes in place of the transpose took 0.54 ms in the step, the zeroing
 * and that copy 0.74, this kernel 0.75-0.80 in the same runs, so the transpose itself costs almost
 * nothing beyond the zeroing. Measured in the step and not kept (all slower): tiles of 64 or 144 rows
 * (0.85-0.87 against 0.89, within noise) and whole matrices as one tile; per 4 KiB pieces or with
 * vector stores of zeros instead of one fill (within noise); out written in order, a band of 4, 8
 * or 32 rows of out at a time over all of x (x read again from L2 per band; 0.88-1.05 ms without
 * zeroing, 0.86 with each band zeroed first; in cache 1.2-1.5 times slower); tiles of 144 rows with
 * the bands inside them (1.24); the matrix transposed into a scratch matrix that stays in L2, then
 * copied to out by `memory.copy` or by vector loads and stores (1.13, 1.18); the next matrix of out
 * zeroed a piece after each tile of this one instead of whole before it (1.22 against 0.91).
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
  // One block on along the inner side, and the last block of a row of blocks (iLen - 4).
  const iX4 = iX << 2;
  const iOut4 = iOut << 2;
  const iLast = <usize>(iLen - 4);
  const matBytes = <usize>rows * rowBytes;
  const zeroFirst = size === 4 && colsInner;
  for (let b = 0; b < batches; b++) {
    if (zeroFirst) memory.fill(out, 0, matBytes);
    for (let o0 = 0; o0 < oLen; o0 += TILE) {
      const o1 = min(oLen, o0 + TILE);
      for (let i0 = 0; i0 < iLen; i0 += TILE) {
        const i1 = min(iLen, i0 + TILE);
        for (let o = o0; o < o1; o += 4) {
          const oo = <usize>min(o, oLen - 4);
          const s0 = x + oo * oX;
          const d0 = out + oo * oOut;
          if (size === 8) {
            for (let i = i0; i < i1; i += 4) {
              const ii = <usize>min(i, iLen - 4);
              block<T>(s0 + ii * iX, rowBytes, d0 + ii * iOut, colBytes);
            }
            continue;
          }
          // float32: whole blocks by pointer steps (no clamp, no multiply per block), then the
          // clamped one. (float64's blocks, twice the loads and stores, measured 6-14 % slower so.)
          let s = s0 + <usize>i0 * iX;
          let d = d0 + <usize>i0 * iOut;
          let i = i0;
          for (; i + 4 <= i1; i += 4, s += iX4, d += iOut4) block<T>(s, rowBytes, d, colBytes);
          if (i < i1) block<T>(s0 + iLast * iX, rowBytes, d0 + iLast * iOut, colBytes);
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

import type { TypedArray } from "../dtype.js";

/**
 * Where the windows of a convolution or pooling sit on an [n, c, h, w] input: filterH x filterW
 * windows moved by `stride` over the input padded with `pad` zeros on every side, giving an
 * outH x outW grid of windows per image, outH = (h + 2*pad - filterH) / stride + 1 (validated to be
 * a positive integer before a kernel sees it), outW likewise.
 */
export interface WindowGeometry {
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  readonly filterH: number;
  readonly filterW: number;
  readonly stride: number;
  readonly pad: number;
  readonly outH: number;
  readonly outW: number;
}

/**
 * The book's im2col: col row r = (image, oy, ox), in that order, holds the window at (oy, ox) as
 * c * filterH * filterW values ordered (channel, ky, kx); positions in the padding read 0.
 * col is [n * outH * outW, c * filterH * filterW], row-major; rows [start, end) are written.
 * Each output element is a copy, so any split of the rows gives the same bits.
 */
export function im2colImpl(x: TypedArray, g: WindowGeometry, col: TypedArray, start: number, end: number): void {
  const { c, h, w, filterH, filterW, stride, pad, outH, outW } = g;
  const rowLen = c * filterH * filterW;
  const plane = h * w;
  const windows = outH * outW;
  let n = Math.floor(start / windows);
  let oy = Math.floor((start - n * windows) / outW);
  let ox = start - n * windows - oy * outW;
  for (let r = start; r < end; r++) {
    let o = r * rowLen;
    const y0 = oy * stride - pad;
    const x0 = ox * stride - pad;
    // The window's columns that fall inside the image: kx in [kxLo, kxHi).
    const kxLo = Math.max(0, -x0);
    const kxHi = Math.min(filterW, w - x0);
    if (kxLo === 0 && kxHi === filterW && y0 >= 0 && y0 + filterH <= h) {
      // A window inside the image: plain copies of filterW values per window row.
      let src = n * c * plane + y0 * w + x0;
      for (let ch = 0; ch < c; ch++, src += plane) {
        for (let ky = 0, s = src; ky < filterH; ky++, s += w) {
          for (let kx = 0; kx < filterW; kx++) col[o++] = x[s + kx]!;
        }
      }
    } else {
      for (let ch = 0; ch < c; ch++) {
        const base = (n * c + ch) * plane;
        for (let ky = 0; ky < filterH; ky++) {
          const iy = y0 + ky;
          if (iy < 0 || iy >= h || kxHi <= kxLo) {
            col.fill(0, o, o + filterW);
            o += filterW;
            continue;
          }
          const src = base + iy * w + x0;
          let kx = 0;
          for (; kx < kxLo; kx++) col[o++] = 0;
          for (; kx < kxHi; kx++) col[o++] = x[src + kx]!;
          for (; kx < filterW; kx++) col[o++] = 0;
        }
      }
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

/**
 * The book's col2im, the adjoint of im2col: every value of col is added into the input position its
 * window read (values that fell on the padding are dropped). out is [n, c, h, w]; planes
 * p = image * c + channel in [start, end) are overwritten.
 *
 * Order of operations: each plane starts from 0 and receives the windows' values in the book's
 * order, ky then kx outermost (then oy, ox), so every output element is the sum `((0 + v0) + v1) + ...`
 * taken in increasing (ky, kx), exactly as the book's loop of `img[...] += col[...]` (windows that
 * do not overlap give each element at most one value, and take a faster path, `col2imDisjoint`). A plane's sums
 * do not depend on any other plane, so splitting planes between threads gives the same bits.
 */
export function col2imImpl(col: TypedArray, g: WindowGeometry, out: TypedArray, start: number, end: number): void {
  const { c, h, w, filterH, filterW, stride, pad, outH, outW } = g;
  const rowLen = c * filterH * filterW;
  const plane = h * w;
  const windows = outH * outW;
  out.fill(0, start * plane, end * plane);
  if (stride >= filterH && stride >= filterW) {
    col2imDisjoint(col, g, out, start, end);
    return;
  }
  for (let p = start; p < end; p++) {
    const n = Math.floor(p / c);
    const ch = p - n * c;
    const dst = p * plane;
    const colBase = n * windows * rowLen + ch * filterH * filterW;
    for (let ky = 0; ky < filterH; ky++) {
      // Window rows oy whose row ky lands inside the image: iy = oy * stride + ky - pad in [0, h).
      const oyLo = Math.max(0, Math.ceil((pad - ky) / stride));
      const oyHi = Math.min(outH, Math.floor((h - 1 + pad - ky) / stride) + 1);
      for (let kx = 0; kx < filterW; kx++) {
        const oxLo = Math.max(0, Math.ceil((pad - kx) / stride));
        const oxHi = Math.min(outW, Math.floor((w - 1 + pad - kx) / stride) + 1);
        const k = colBase + ky * filterW + kx;
        for (let oy = oyLo; oy < oyHi; oy++) {
          let o = dst + (oy * stride + ky - pad) * w + oxLo * stride + kx - pad;
          let s = k + (oy * outW + oxLo) * rowLen;
          for (let ox = oxLo; ox < oxHi; ox++) {
            out[o] = out[o]! + col[s]!;
            o += stride;
            s += rowLen;
          }
        }
      }
    }
  }
}

/**
 * col2im when windows do not overlap (stride >= both filter sizes, as in 2x2 pooling with stride 2):
 * every output element receives at most one value, so the order of the additions cannot matter and
 * col is read row by row (window by window) instead of plane by plane, which keeps its reads
 * sequential. Each value is still added to the zeroed output (`0 + v`, as the book's `+=`).
 */
function col2imDisjoint(col: TypedArray, g: WindowGeometry, out: TypedArray, start: number, end: number): void {
  const { c, h, w, filterH, filterW, stride, pad, outH, outW } = g;
  const window = filterH * filterW;
  const rowLen = c * window;
  const plane = h * w;
  const nLo = Math.floor(start / c);
  const nHi = Math.ceil(end / c);
  for (let n = nLo; n < nHi; n++) {
    const chLo = Math.max(0, start - n * c);
    const chHi = Math.min(c, end - n * c);
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        const y0 = oy * stride - pad;
        const x0 = ox * stride - pad;
        const kyLo = Math.max(0, -y0);
        const kyHi = Math.min(filterH, h - y0);
        const kxLo = Math.max(0, -x0);
        const kxHi = Math.min(filterW, w - x0);
        const rowBase = ((n * outH + oy) * outW + ox) * rowLen;
        for (let ch = chLo; ch < chHi; ch++) {
          const src = rowBase + ch * window;
          const dst = (n * c + ch) * plane + y0 * w + x0;
          for (let ky = kyLo; ky < kyHi; ky++) {
            for (let kx = kxLo; kx < kxHi; kx++) {
              const o = dst + ky * w + kx;
              out[o] = out[o]! + col[src + ky * filterW + kx]!;
            }
          }
        }
      }
    }
  }
}

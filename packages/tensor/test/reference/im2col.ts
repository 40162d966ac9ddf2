// The book's im2col and col2im (common/util.py), transcribed loop for loop onto plain numbers,
// sharing no code with src/kernels: pad the image, copy the strided slice of every filter offset
// (ky, kx) into a [N, C, fh, fw, outH, outW] array, then lay it out as rows (n, oy, ox) and columns
// (c, ky, kx). col2im runs the same loops backwards with `+=` into a padded image (which the book
// makes `stride - 1` larger) and crops the padding. Results are stored in the dtype (float32 rounds
// every `+=` once, as NumPy does).
import type { DType } from "../../src/index.js";
import { store, type Ref } from "./float64.js";

interface Geometry {
  n: number;
  c: number;
  h: number;
  w: number;
  outH: number;
  outW: number;
}

function geometry(shape: readonly number[], fh: number, fw: number, stride: number, pad: number): Geometry {
  const [n, c, h, w] = shape as [number, number, number, number];
  return { n, c, h, w, outH: (h + 2 * pad - fh) / stride + 1, outW: (w + 2 * pad - fw) / stride + 1 };
}

export function im2colRef(x: Ref, fh: number, fw: number, stride: number, pad: number): Ref {
  const { n, c, h, w, outH, outW } = geometry(x.shape, fh, fw, stride, pad);
  const ph = h + 2 * pad;
  const pw = w + 2 * pad;
  const img = (i: number, ch: number, y: number, xx: number): number => {
    const iy = y - pad;
    const ix = xx - pad;
    return iy < 0 || iy >= h || ix < 0 || ix >= w ? 0 : x.data[((i * c + ch) * h + iy) * w + ix]!;
  };
  // col6[i][ch][ky][kx][oy][ox] = img[i, ch, ky + stride*oy, kx + stride*ox]
  const col6 = (i: number, ch: number, ky: number, kx: number, oy: number, ox: number): number => {
    const y = ky + stride * oy;
    const xx = kx + stride * ox;
    return y < ph && xx < pw ? img(i, ch, y, xx) : 0;
  };
  const data: number[] = [];
  for (let i = 0; i < n; i++)
    for (let oy = 0; oy < outH; oy++)
      for (let ox = 0; ox < outW; ox++)
        for (let ch = 0; ch < c; ch++)
          for (let ky = 0; ky < fh; ky++) for (let kx = 0; kx < fw; kx++) data.push(col6(i, ch, ky, kx, oy, ox));
  return { data, shape: [n * outH * outW, c * fh * fw] };
}

export function col2imRef(
  col: Ref,
  inputShape: readonly number[],
  fh: number,
  fw: number,
  stride: number,
  pad: number,
  dtype: DType = "float64",
): Ref {
  const { n, c, h, w, outH, outW } = geometry(inputShape, fh, fw, stride, pad);
  const ph = h + 2 * pad + stride - 1;
  const pw = w + 2 * pad + stride - 1;
  const img = new Array<number>(n * c * ph * pw).fill(0);
  const rowLen = c * fh * fw;
  for (let ky = 0; ky < fh; ky++)
    for (let kx = 0; kx < fw; kx++)
      for (let i = 0; i < n; i++)
        for (let ch = 0; ch < c; ch++)
          for (let oy = 0; oy < outH; oy++)
            for (let ox = 0; ox < outW; ox++) {
              const at = ((i * c + ch) * ph + ky + stride * oy) * pw + kx + stride * ox;
              const v = col.data[(i * outH * outW + oy * outW + ox) * rowLen + (ch * fh + ky) * fw + kx]!;
              img[at] = store(dtype, img[at]! + v);
            }
  const data: number[] = [];
  for (let i = 0; i < n; i++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let xx = 0; xx < w; xx++) data.push(img[((i * c + ch) * ph + y + pad) * pw + xx + pad]!);
  return { data, shape: [...inputShape] };
}

// A drawing made MNIST-like, as the data set's images were made: the digit's bounding box scaled
// (keeping its aspect ratio) to fit 20×20 pixels, then placed in a 28×28 field so that its centre
// of mass is at the field's centre (14, 14). Pure functions on gray values in [0, 1].

export const SIDE = 28;
export const BOX = 20;

/** Pixels at or below this count as background when finding the bounding box. */
const INK = 0.05;

/**
 * `gray` (`width` × `height`, row-major, 0 = background, 1 = ink) as the 784 inputs of an MNIST
 * net, or null when nothing is drawn.
 */
export function toMnist(gray: ArrayLike<number>, width: number, height: number): Float64Array | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (gray[y * width + x]! > INK) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  const scale = BOX / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * scale));
  const th = Math.max(1, Math.round(bh * scale));
  const small = resample(gray, width, x0, y0, bw, bh, tw, th);
  // Centre of mass of the scaled digit, at pixel centres.
  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const v = small[y * tw + x]!;
      mass += v;
      mx += v * (x + 0.5);
      my += v * (y + 0.5);
    }
  }
  const ox = Math.round(SIDE / 2 - mx / mass);
  const oy = Math.round(SIDE / 2 - my / mass);
  const out = new Float64Array(SIDE * SIDE);
  for (let y = 0; y < th; y++) {
    for (let x = 0; x < tw; x++) {
      const X = x + ox;
      const Y = y + oy;
      if (X >= 0 && X < SIDE && Y >= 0 && Y < SIDE) out[Y * SIDE + X] = Math.min(1, small[y * tw + x]!);
    }
  }
  return out;
}

/** Area-average resampling of the box (x0, y0, bw, bh) of `gray` to tw × th (nearest pixel when
 * a target pixel is smaller than a source pixel). */
function resample(
  gray: ArrayLike<number>,
  width: number,
  x0: number,
  y0: number,
  bw: number,
  bh: number,
  tw: number,
  th: number,
): Float64Array {
  const out = new Float64Array(tw * th);
  const sx = bw / tw;
  const sy = bh / th;
  for (let ty = 0; ty < th; ty++) {
    for (let tx = 0; tx < tw; tx++) {
      const ax = x0 + tx * sx;
      const ay = y0 + ty * sy;
      let sum = 0;
      let n = 0;
      for (let y = Math.ceil(ay - 0.5); y + 0.5 < ay + sy; y++) {
        for (let x = Math.ceil(ax - 0.5); x + 0.5 < ax + sx; x++) {
          sum += gray[y * width + x]!;
          n++;
        }
      }
      out[ty * tw + tx] = n > 0 ? sum / n : gray[Math.floor(ay + sy / 2) * width + Math.floor(ax + sx / 2)]!;
    }
  }
  return out;
}

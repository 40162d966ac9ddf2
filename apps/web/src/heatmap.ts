// Heat maps of the page: a matrix one pixel per value, or rows/columns as side × side tiles (digits,
// W1's hidden units). Red is positive, blue negative, white zero, each scaled by the largest |v|
// of the whole map or of its tile. Canvases are drawn at one pixel per value and scaled by CSS
// (image-rendering: pixelated).

const GAP = 2;

/** Fills `canvas` (width × height pixels) from `valueAt(x, y)`, already scaled to [-1, 1] (NaN and
 * ±Infinity are drawn black). */
function paint(
  canvas: HTMLCanvasElement,
  width: number,
  height: number,
  valueAt: (x: number, y: number) => number | null,
): void {
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext("2d");
  if (ctx === null) return;
  const img = ctx.createImageData(width, height);
  img.data.fill(255);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = valueAt(x, y);
      if (v === null) continue;
      const at = (y * width + x) * 4;
      if (!Number.isFinite(v)) {
        img.data.set([0, 0, 0], at);
        continue;
      }
      const fade = Math.round(255 * (1 - Math.min(1, Math.abs(v))));
      img.data[at] = v >= 0 ? 255 : fade;
      img.data[at + 1] = fade;
      img.data[at + 2] = v >= 0 ? fade : 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

function maxAbs(values: ArrayLike<number>, from = 0, to = values.length, stride = 1): number {
  let max = 0;
  for (let i = from; i < to; i += stride) {
    const a = Math.abs(values[i]!);
    if (Number.isFinite(a) && a > max) max = a;
  }
  return max;
}

/** A rows × cols matrix (row-major), one pixel per value, scaled by its largest |v| (or by `max`:
 * 1 for probabilities and masks). */
export function drawMatrix(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  max = maxAbs(values) || 1,
): void {
  paint(canvas, cols, rows, (x, y) => values[y * cols + x]! / max);
}

export interface TileOptions {
  /** Tiles per row of the canvas. */
  columns: number;
  /** Tile t is column t of a [side², count] matrix (W1's hidden units) instead of row t. */
  byColumn?: boolean;
  /** Scale each tile by its own largest |v| (default: one scale for all). */
  perTile?: boolean;
}

/** `count` side × side tiles of `values`, `columns` to a row with a 2-pixel gap. */
export function drawTiles(
  canvas: HTMLCanvasElement,
  values: ArrayLike<number>,
  count: number,
  side: number,
  options: TileOptions,
): void {
  const pixels = side * side;
  const cols = Math.min(options.columns, count);
  const rows = Math.ceil(count / cols);
  const index =
    options.byColumn === true ? (t: number, p: number) => p * count + t : (t: number, p: number) => t * pixels + p;
  const scales = Array.from({ length: count }, (_, t) =>
    options.byColumn === true ? maxAbs(values, t, pixels * count, count) : maxAbs(values, t * pixels, (t + 1) * pixels),
  );
  const all = Math.max(...scales) || 1;
  paint(canvas, cols * (side + GAP) - GAP, rows * (side + GAP) - GAP, (x, y) => {
    const [tx, px] = [Math.floor(x / (side + GAP)), x % (side + GAP)];
    const [ty, py] = [Math.floor(y / (side + GAP)), y % (side + GAP)];
    const t = ty * cols + tx;
    if (px >= side || py >= side || t >= count) return null;
    const scale = options.perTile === true ? scales[t] || 1 : all;
    return values[index(t, py * side + px)]! / scale;
  });
}

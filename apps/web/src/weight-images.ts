// W1's columns as 28×28 images: what each hidden unit looks for in a digit. Red is a positive
// weight, blue a negative one, each unit scaled by its own largest |w|.

const COLS = 10;
const GAP = 2;

/** Draws `hidden` units of W1 ([side × side, hidden], row-major) on one canvas, ten to a row, each
 * a side × side image (28 for TwoLayerNet's W1, 5 for SimpleConvNet's filters). */
export function drawWeights(canvas: HTMLCanvasElement, w1: Float64Array, hidden: number, side = 28): void {
  const CELL = side;
  const pixels = side * side;
  const rows = Math.ceil(hidden / COLS);
  const width = COLS * (CELL + GAP) - GAP;
  const height = rows * (CELL + GAP) - GAP;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  const ctx = canvas.getContext("2d");
  if (ctx === null) return;
  const img = ctx.createImageData(width, height);
  img.data.fill(255);
  for (let u = 0; u < hidden; u++) {
    let max = 0;
    for (let p = 0; p < pixels; p++) max = Math.max(max, Math.abs(w1[p * hidden + u]!));
    const ox = (u % COLS) * (CELL + GAP);
    const oy = Math.floor(u / COLS) * (CELL + GAP);
    for (let p = 0; p < pixels; p++) {
      const v = max > 0 ? w1[p * hidden + u]! / max : 0;
      const at = ((oy + Math.floor(p / CELL)) * width + ox + (p % CELL)) * 4;
      const fade = Math.round(255 * (1 - Math.abs(v)));
      img.data[at] = v >= 0 ? 255 : fade;
      img.data[at + 1] = fade;
      img.data[at + 2] = v >= 0 ? fade : 255;
      img.data[at + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
}

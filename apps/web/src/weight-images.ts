// W1's columns as 28×28 images: what each hidden unit looks for in a digit. Red is a positive
// weight, blue a negative one, each unit scaled by its own largest |w|.
import { drawTiles } from "./heatmap.js";

/** Draws `hidden` units of W1 ([side × side, hidden], row-major) on one canvas, ten to a row, each
 * a side × side image (28 for TwoLayerNet's W1, 5 for SimpleConvNet's filters). */
export function drawWeights(canvas: HTMLCanvasElement, w1: Float64Array, hidden: number, side = 28): void {
  drawTiles(canvas, w1, hidden, side, { columns: 10, byColumn: true, perTile: true });
}

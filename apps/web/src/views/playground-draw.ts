// Drawing the playground: the decision boundary (P(class 1) per grid cell, orange to blue) with the
// train points (white ring) and test points (black ring) on top, and each hidden neuron's output
// over the same square as a small heat map.
import { h } from "../dom.js";
import { lang, t } from "../i18n/index.js";
import { drawMatrix } from "../heatmap.js";
import { GRID } from "../playground-model.js";
import type { ToyData } from "../toy-data.js";

const ORANGE = [245, 147, 34];
const BLUE = [8, 119, 189];
const SIZE = 320;

function mix(p: number): string {
  const c = ORANGE.map((o, i) =>
    Math.round(255 + (o + (BLUE[i]! - o) * p - 255) * Math.min(1, 2 * Math.abs(p - 0.5)) * 0.6),
  );
  return `rgb(${c.join(",")})`;
}

export function drawBoundary(canvas: HTMLCanvasElement, p1: Float64Array, data: ToyData, showTest: boolean): void {
  canvas.width = SIZE;
  canvas.height = SIZE;
  const ctx = canvas.getContext("2d");
  if (ctx === null) return;
  const cell = SIZE / GRID;
  for (let r = 0; r < GRID; r++) {
    for (let c = 0; c < GRID; c++) {
      ctx.fillStyle = mix(p1[r * GRID + c]!);
      ctx.fillRect(c * cell, r * cell, cell + 0.5, cell + 0.5);
    }
  }
  const dot = (x: number, y: number, label: number, ring: string) => {
    ctx.beginPath();
    ctx.arc(((x + 1) / 2) * SIZE, ((1 - y) / 2) * SIZE, 3.5, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${(label === 1 ? BLUE : ORANGE).join(",")})`;
    ctx.fill();
    ctx.strokeStyle = ring;
    ctx.lineWidth = 1.2;
    ctx.stroke();
  };
  for (let i = 0; i < data.tTrain.length; i++)
    dot(data.xTrain[2 * i]!, data.xTrain[2 * i + 1]!, data.tTrain[i]!, "#fff");
  if (showTest)
    for (let i = 0; i < data.tTest.length; i++) dot(data.xTest[2 * i]!, data.xTest[2 * i + 1]!, data.tTest[i]!, "#000");
}

/** One row per hidden layer, one small image per neuron (the canvases are reused while the net's
 * shape stays the same). */
export function drawNeurons(box: HTMLElement, neurons: Float64Array[][]): void {
  // (Built again for another shape or language.)
  const shape = `${neurons.map((l) => l.length).join(",")} ${lang()}`;
  if (box.dataset.shape !== shape) {
    box.dataset.shape = shape;
    box.replaceChildren(
      ...neurons.map((layer, l) =>
        h(
          "div",
          { class: "neuron-layer", "data-layer": l + 1 },
          h("span", {}, t("pg.hiddenLayer", { l: l + 1 })),
          ...layer.map((_, u) =>
            h("canvas", { class: "heat-canvas neuron", title: t("pg.neuron", { l: l + 1, u: u + 1 }) }),
          ),
        ),
      ),
    );
  }
  const canvases = box.querySelectorAll<HTMLCanvasElement>("canvas.neuron");
  let i = 0;
  for (const layer of neurons) for (const values of layer) drawMatrix(canvases[i++]!, values, GRID, GRID);
}

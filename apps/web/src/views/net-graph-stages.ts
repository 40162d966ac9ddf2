// The stages of TwoLayerNet's graph, drawn from a NetGraphRun: each tensor with its shape, its
// forward values above and its gradient below as heat maps, and each layer with what it keeps for
// backward and (after its backward) its dW and db.
import { h } from "../dom.js";
import { drawMatrix, drawTiles } from "../heatmap.js";
import { INPUT, type NetGraphRun, type Snapshot } from "../net-graph-model.js";
import { t } from "../i18n/index.js";
import { drawWeights } from "../weight-images.js";

/** Pixels on the page per value of a matrix heat map (per pixel for 28×28 tiles). */
const CELL = 6;
const TILE_SCALE = 2;

type Draw = (canvas: HTMLCanvasElement, s: Snapshot) => void;

const matrix: Draw = (c, s) => drawMatrix(c, s.data, s.rows, s.cols);
/** Rows of 784 values as 28×28 digits, side by side. */
const digits: Draw = (c, s) => drawTiles(c, s.data, s.rows, 28, { columns: s.rows });

function map(id: string, label: string, s: Snapshot | undefined, draw: Draw, scale: number, empty = "–"): HTMLElement {
  if (s === undefined)
    return h(
      "div",
      { class: "heat empty", id, "data-empty": "true" },
      h("span", {}, label),
      h("span", { class: "pending" }, empty),
    );
  const canvas = h("canvas", { class: "heat-canvas", "aria-hidden": "true" });
  draw(canvas, s);
  canvas.style.width = `${canvas.width * scale}px`;
  return h("div", { class: "heat", id }, h("span", {}, `${label} (${s.rows}×${s.cols})`), canvas);
}

function tensorStage(
  run: NetGraphRun,
  key: string,
  name: string,
  shape: string,
  draw: Draw,
  scale: number,
  noGradient?: string,
): HTMLElement {
  return h(
    "div",
    { class: "stage tensor", id: `stage-${key}` },
    h("strong", { class: "shape" }, `${name} · ${shape}`),
    map(`fwd-${key}`, name, run.fwd.get(key), draw, scale),
    map(`bwd-${key}`, `dL/d${name}`, run.bwd.get(key), draw, scale, noGradient),
  );
}

function layerStage(name: string, current: boolean, keeps: string, ...maps: HTMLElement[]): HTMLElement {
  return h(
    "div",
    { class: current ? "stage layer current" : "stage layer", id: `stage-${name}` },
    h("strong", {}, name),
    h("span", { class: "keeps" }, keeps),
    ...maps,
  );
}

const arrow = (): HTMLElement => h("span", { class: "flow-arrow", "aria-hidden": "true" }, "→");

/** The stages of the graph after `run.position` steps; `current` is the layer of the last step. */
export function netGraphStages(run: NetGraphRun, current: string | null): HTMLElement[] {
  const N = String(run.n);
  const hidden = run.fwd.get("a1")?.cols ?? Number(run.net.config.hiddenSize);
  const dW1 = run.kept.get("dW1");
  const dW1map = (c: HTMLCanvasElement, s: Snapshot) => drawWeights(c, s.data, s.cols);
  const y = run.fwd.get("y");
  return [
    tensorStage(run, "x", "x", `${N}×${INPUT}`, digits, TILE_SCALE, run.done ? t("net.noDx") : undefined),
    arrow(),
    layerStage(
      "Affine1",
      current === "Affine1",
      t("net.affine1Keeps"),
      map("dW1", t("net.dW1"), dW1, dW1map, 1),
      map("db1", "db1", run.kept.get("db1"), matrix, CELL),
    ),
    arrow(),
    tensorStage(run, "a1", "a1", `${N}×${hidden}`, matrix, CELL),
    arrow(),
    layerStage(
      "Relu1",
      current === "Relu1",
      t("net.relu1Keeps"),
      map(
        "mask",
        t("net.mask"),
        run.kept.get("mask"),
        (c, s) =>
          drawMatrix(
            c,
            s.data.map((v) => (v > 0 ? 1 : 0)),
            s.rows,
            s.cols,
            1,
          ),
        CELL,
      ),
    ),
    arrow(),
    tensorStage(run, "z1", "z1", `${N}×${hidden}`, matrix, CELL),
    arrow(),
    layerStage(
      "Affine2",
      current === "Affine2",
      t("net.affine2Keeps"),
      map("dW2", "dW2", run.kept.get("dW2"), matrix, CELL),
      map("db2", "db2", run.kept.get("db2"), matrix, CELL),
    ),
    arrow(),
    tensorStage(run, "a2", t("net.scores"), `${N}×10`, matrix, CELL * 2),
    arrow(),
    layerStage(
      "SoftmaxWithLoss",
      current === "SoftmaxWithLoss",
      t("net.softmaxKeeps"),
      map("y", t("net.y"), y, (c, s) => drawMatrix(c, s.data, s.rows, s.cols, 1), CELL * 2),
      h(
        "p",
        { class: "loss", id: "net-loss" },
        run.loss === null ? t("net.lossNone") : t("net.loss", { loss: String(run.loss) }),
      ),
    ),
  ];
}

// Inside the net while it trains (ConvNetJS-style), in the Train view: one chosen test image
// through every layer (each layer's output as a heat map, a Relu's mask, the softmax as bars), the
// last step's dW and db as heat maps, a grid of test images with the net's two top guesses, and
// the running minibatch accuracy, all from the worker's "inside" messages (inside-probe.ts).
import { h } from "../dom.js";
import { onLang, t, tx } from "../i18n/index.js";
import { drawMatrix } from "../heatmap.js";
import type { InsideMessage, Matrix, PageMessage } from "../messages.js";
import { drawWeights } from "../weight-images.js";
import { drawDigit, renderBars } from "./digit-images.js";

/** Page pixels per value of a layer's 1 × units heat map. */
const CELL = 5;

function heat(m: Matrix, mask = false): HTMLElement {
  const canvas = h("canvas", { class: "heat-canvas", "aria-hidden": "true" });
  const values = mask ? m.values.map((v) => (v > 0 ? 1 : 0)) : m.values;
  if (m.rows === 784) drawWeights(canvas, m.values, m.cols);
  else drawMatrix(canvas, values, m.rows, m.cols, mask ? 1 : undefined);
  canvas.style.width = `${m.rows === 784 ? canvas.width : canvas.width * CELL}px`;
  const label = mask ? t("inside.mask", { name: m.name }) : `${m.name} (${m.rows}×${m.cols})`;
  return h("div", { class: "heat", "data-name": mask ? `${m.name}-mask` : m.name }, h("span", {}, label), canvas);
}

export interface TrainInside {
  element: HTMLElement;
  show(m: InsideMessage): void;
}

export function createTrainInside(send: (m: PageMessage) => void): TrainInside {
  const imageInput = h("input", {
    id: "inside-image",
    type: "number",
    min: 0,
    value: 0,
    onchange: () => {
      const v = Number(imageInput.value);
      const ok = Number.isInteger(v) && v >= 0;
      imageInput.setAttribute("aria-invalid", String(!ok));
      if (ok) send({ type: "probe", image: v });
    },
  });
  const digit = h("canvas", { id: "inside-digit", class: "digit28", "aria-hidden": "true" });
  const about = h("p", { id: "inside-about" }, t("inside.start"));
  const bars = h("ul", { id: "inside-probs", class: "bars" });
  const layers = h("div", { id: "inside-layers", class: "net-flow" });
  const grads = h("div", { id: "inside-grads", class: "net-flow" });
  const grid = h("ul", { id: "inside-grid", class: "inside-grid" });
  const accuracy = h("p", { id: "inside-batch-accuracy" });
  const element = h(
    "details",
    { id: "inside", class: "inside", open: true },
    h("summary", {}, tx("inside.summary")),
    h("label", { class: "field" }, tx("inside.image"), imageInput),
    h("div", { class: "inside-probe" }, digit, bars),
    about,
    h("h4", {}, tx("inside.layers")),
    layers,
    h("h4", {}, tx("inside.grads")),
    grads,
    h("h4", {}, tx("inside.grid")),
    accuracy,
    grid,
  );

  let last: InsideMessage | null = null;
  const view = {
    element,
    show(m: InsideMessage) {
      last = m;
      drawDigit(digit, m.pixels, 255);
      renderBars(bars, m.probs, m.label);
      const best = m.probs.indexOf(Math.max(...m.probs));
      about.textContent = t("inside.about", {
        iteration: String(m.iteration),
        image: String(m.image),
        label: String(m.label),
        best: String(best),
        p: (m.probs[best]! * 100).toFixed(1),
      });
      layers.replaceChildren(
        ...m.layers.flatMap((l) =>
          /^(Relu|Activation_function)\d+$/.test(l.name) ? [heat(l), heat(l, true)] : [heat(l)],
        ),
      );
      grads.replaceChildren(...m.grads.map((g) => heat(g)));
      accuracy.textContent =
        m.batchAccuracy === null
          ? t("inside.noStep")
          : t("inside.batchAccuracy", { p: (m.batchAccuracy * 100).toFixed(1) });
      grid.replaceChildren(
        ...m.grid.map((g) => {
          const c = h("canvas", { class: "digit28 small", "aria-hidden": "true" });
          drawDigit(c, g.pixels, 255);
          const [first, second] = g.top;
          const right = first![0] === g.label;
          return h(
            "li",
            { class: right ? "right" : "wrong", "data-index": g.index },
            c,
            h("span", {}, `${first![0]} ${t("common.percent", { p: (first![1] * 100).toFixed(0) })}`),
            h(
              "span",
              { class: "second" },
              `${second![0]} ${t("common.percent", { p: (second![1] * 100).toFixed(0) })}`,
            ),
            h(
              "span",
              { class: "visually-hidden" },
              right ? t("inside.right") : t("inside.wrong", { label: String(g.label) }),
            ),
          );
        }),
      );
      element.dataset.iteration = String(m.iteration);
      element.dataset.json = JSON.stringify({
        iteration: m.iteration,
        image: m.image,
        label: m.label,
        probs: m.probs,
        layers: m.layers.map((l) => [l.name, l.rows, l.cols]),
        grads: m.grads.map((g) => [g.name, g.rows, g.cols, Array.from(g.values.subarray(0, 3))]),
        batchAccuracy: m.batchAccuracy,
        grid: m.grid.map((g) => [g.index, g.label, g.top[0]![0]]),
      });
    },
  };
  // A new language: the last readout drawn again.
  onLang(() => {
    if (last !== null) view.show(last);
    else about.textContent = t("inside.start");
  });
  return view;
}

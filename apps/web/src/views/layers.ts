// Layers view: one of the book's layers (Relu, Sigmoid, Affine, SoftmaxWithLoss) on a small tensor
// you edit: its forward output, the dx its backward returns for a dout you edit, and the rule in
// words. The numbers come from the real layers of @bp/layers.
import { Affine, Relu, Sigmoid, SoftmaxWithLoss } from "@bp/layers";
import { tensor, type Tensor } from "@bp/tensor";
import { h } from "../dom.js";
import { fill, onLang, t, tx } from "../i18n/index.js";
import { parseMatrix, type Matrix } from "../matrix-text.js";
import { param, setParams } from "../url-state.js";
import { LAYERS, type LayerName } from "./layer-rules.js";
import type { ViewFactory } from "./view.js";

const NAMES = Object.keys(LAYERS) as LayerName[];
const DEFAULT_X = "1, -0.5; -2, 3";

const toTensor = (m: Matrix): Tensor => tensor(m.data, { shape: [m.rows, m.cols] });

/** A titled matrix (the title outside the table, so that a narrow matrix does not squeeze it). */
function matrixTable(id: string, title: string, t: { shape: readonly number[]; data: ArrayLike<number> }): HTMLElement {
  const [rows, cols] = t.shape.length === 1 ? [1, t.shape[0]!] : [t.shape[0]!, t.shape[1]!];
  return h(
    "div",
    { class: "scroll-x" },
    h("p", { id: `${id}-title`, class: "matrix-title" }, title),
    h(
      "table",
      { id, class: "numbers", "aria-labelledby": `${id}-title` },
      h(
        "tbody",
        {},
        ...Array.from({ length: rows }, (_, r) =>
          h("tr", {}, ...Array.from({ length: cols }, (_, c) => h("td", {}, String(t.data[r * cols + c])))),
        ),
      ),
    ),
  );
}

const shapeText = (m: { shape: readonly number[] }): string => m.shape.join("×");
const shapeOf = (m: { shape: readonly number[] }): string => ` (${shapeText(m)})`;

/** A value forward kept for backward (copied now: the layer may replace it); `id` is its name in
 * the layer (mask, out, x, y, t), `name` what the page calls it. */
function keptTable(
  id: string,
  m: { shape: readonly number[]; data: ArrayLike<number> },
  name: string = id,
): HTMLElement {
  const copy = { shape: [...m.shape], data: Array.from(m.data) };
  return matrixTable(`layer-kept-${id}`, t("layers.kept", { name, shape: shapeText(copy) }), copy);
}

export const createLayersView: ViewFactory = () => {
  const layerSelect = h(
    "select",
    { id: "layer-choice", onchange: () => onLayer() },
    ...NAMES.map((n) => h("option", { value: n }, n)),
  );
  const xInput = h("input", {
    id: "layer-x",
    type: "text",
    value: param("x") ?? DEFAULT_X,
    oninput: () => compute(),
    "aria-describedby": "layer-error",
  });
  const extra = h("div", { class: "fields wide" });
  const error = h("p", { id: "layer-error", class: "field-error" });
  const rules = h("div", { id: "layer-rules" });
  const results = h("div", { id: "layer-results" });

  const element = h(
    "section",
    { "aria-labelledby": "layers-title", class: "view" },
    h("h2", { id: "layers-title" }, tx("layers.title")),
    fill(h("p"), "layers.intro"),
    h(
      "div",
      { class: "fields wide" },
      h("label", { class: "field" }, tx("layers.layer"), layerSelect),
      h("label", { class: "field" }, tx("layers.x"), xInput),
    ),
    extra,
    error,
    rules,
    results,
  );

  function onLayer(): void {
    const name = layerSelect.value as LayerName;
    setParams({ layer: name === "Relu" ? null : name });
    extra.replaceChildren(
      ...LAYERS[name].inputs.map((i) =>
        h(
          "label",
          { class: "field" },
          tx(i.label),
          h("input", {
            id: `layer-${i.id}`,
            type: "text",
            value: i.value,
            oninput: () => compute(),
            "aria-describedby": "layer-error",
          }),
        ),
      ),
    );
    compute();
  }

  function read(id: string, label: string): Matrix | string {
    const el = element.querySelector<HTMLInputElement>(`#layer-${id}`)!;
    const r = parseMatrix(label, el.value);
    el.setAttribute("aria-invalid", String("error" in r));
    return "error" in r ? r.error : r.value;
  }

  function compute(): void {
    const name = layerSelect.value as LayerName;
    const info = LAYERS[name];
    rules.replaceChildren(
      h("p", {}, h("strong", {}, t("layers.forward")), t(info.forward)),
      h("p", {}, h("strong", {}, t("layers.backward")), t(info.backward)),
    );
    const x = read("x", "x");
    const others = Object.fromEntries(info.inputs.map((i) => [i.id, read(i.id, i.id)]));
    const problems = [x, ...Object.values(others)].filter((v): v is string => typeof v === "string");
    if (problems.length > 0) {
      error.textContent = problems.join(" ");
      return;
    }
    setParams({ x: xInput.value === DEFAULT_X ? null : xInput.value });
    try {
      results.replaceChildren(...run(name, toTensor(x as Matrix), others as Record<string, Matrix>));
      error.textContent = "";
    } catch (e) {
      // The layers' own typed errors (ShapeError naming the op and the shapes).
      error.textContent = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      results.replaceChildren();
    }
  }

  function run(name: LayerName, x: Tensor, o: Record<string, Matrix>): HTMLElement[] {
    switch (name) {
      case "Relu":
      case "Sigmoid": {
        const layer = name === "Relu" ? new Relu() : new Sigmoid();
        const out = layer.forward(x);
        // What forward keeps for backward, read before backward runs: Relu's mask (its output,
        // nonzero where x > 0), Sigmoid's output.
        const kept =
          layer instanceof Relu
            ? keptTable("mask", { shape: out.shape, data: out.data.map((v) => (v > 0 ? 1 : 0)) }, t("layers.mask"))
            : keptTable("out", layer.out!);
        const dx = layer.backward(toTensor(o.dout!));
        return [
          matrixTable("layer-out", `${name}.forward(x)${shapeOf(out)}`, out),
          kept,
          matrixTable("layer-dx", `${name}.backward(dout) = dx${shapeOf(dx)}`, dx),
        ];
      }
      case "Affine": {
        const W = toTensor(o.W!);
        const b = tensor(o.b!.data);
        const layer = new Affine(W, b);
        const out = layer.forward(x);
        const kept = keptTable("x", layer.x!);
        const dx = layer.backward(toTensor(o.dout!))!;
        return [
          matrixTable("layer-out", `Affine.forward(x) = x · W + b${shapeOf(out)}`, out),
          kept,
          matrixTable("layer-dx", "dx = dout · Wᵀ", dx),
          matrixTable("layer-dW", "dW = xᵀ · dout", layer.dW!),
          matrixTable("layer-db", t("layers.db"), layer.db!),
        ];
      }
      case "SoftmaxWithLoss": {
        const layer = new SoftmaxWithLoss();
        const t = tensor(Int32Array.from(o.t!.data), { dtype: "int32" });
        const loss = layer.forward(x, t);
        const kept = [keptTable("y", layer.y!), keptTable("t", layer.t!)];
        const dx = layer.backward(1);
        return [
          matrixTable("layer-out", `y = softmax(x)${shapeOf(layer.y!)}`, layer.y!),
          h("p", { id: "layer-loss" }, `loss = ${loss}`),
          ...kept,
          matrixTable("layer-dx", "backward(1) = dx = (y − t) / N", dx),
        ];
      }
    }
  }

  const fromUrl = param("layer");
  layerSelect.value = NAMES.includes(fromUrl as LayerName) ? (fromUrl as string) : "Relu";
  onLayer();
  onLang(compute);
  return { element };
};

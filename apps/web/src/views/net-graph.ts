// TwoLayerNet's graph view: the layers of a real TwoLayerNet stepped one at a time on the first N
// MNIST test images (from image `from`), forward then backward, every tensor drawn as a heat map
// (net-graph-stages.ts). Settings live in the URL (?view=netgraph&netn=4&netfrom=0&netseed=0).
import { h } from "../dom.js";
import { INPUT, NET_STEPS, NetGraphRun } from "../net-graph-model.js";
import { loadTestSet, type TestSet } from "../test-set.js";
import { param, setParams } from "../url-state.js";
import { netGraphStages } from "./net-graph-stages.js";
import type { ViewFactory } from "./view.js";

const HIDDEN = 50;

/** What each step does, in the book's words. */
const STEP_TEXT = [
  "Affine1.forward: a1 = x · W1 + b1, (N×784)·(784×50) + 50 → N×50; Affine1 keeps x.",
  "Relu1.forward: z1 = max(0, a1); Relu1 keeps the mask of where a1 > 0.",
  "Affine2.forward: a2 = z1 · W2 + b2, (N×50)·(50×10) + 10 → N×10; Affine2 keeps z1.",
  "SoftmaxWithLoss.forward: y = softmax(a2), L = the mean cross-entropy of y and the labels t.",
  "SoftmaxWithLoss.backward(1): dL/da2 = (y − t) / N.",
  "Affine2.backward: dW2 = z1ᵀ · dL/da2, db2 = the column sums of dL/da2, dL/dz1 = dL/da2 · W2ᵀ.",
  "Relu1.backward: dL/da1 = dL/dz1 where the mask is set, 0 elsewhere.",
  "Affine1.backward: dW1 = xᵀ · dL/da1, db1 = the column sums of dL/da1, dL/dx = dL/da1 · W1ᵀ.",
];

function intParam(name: string, fallback: number, min: number, max: number): number {
  const v = Number(param(name) ?? fallback);
  return Number.isInteger(v) && v >= min && v <= max ? v : fallback;
}

export const createNetGraphView: ViewFactory = (ctx) => {
  let testSet: TestSet | null = null;
  let run: NetGraphRun | null = null;
  const nInput = h("input", {
    id: "net-n",
    type: "number",
    min: 1,
    max: 8,
    value: intParam("netn", 4, 1, 8),
    onchange: () => settingsChanged(),
  });
  const fromInput = h("input", {
    id: "net-from",
    type: "number",
    min: 0,
    max: 9992,
    value: intParam("netfrom", 0, 0, 9992),
    onchange: () => settingsChanged(),
  });
  const seedInput = h("input", {
    id: "net-seed",
    type: "number",
    min: 0,
    value: intParam("netseed", 0, 0, 2 ** 31),
    onchange: () => settingsChanged(),
  });
  const stepButton = h(
    "button",
    { type: "button", id: "net-step", class: "primary", onclick: () => goTo(position() + 1, true) },
    "Step",
  );
  const backButton = h("button", { type: "button", id: "net-back", onclick: () => goTo(position() - 1) }, "Back");
  const allButton = h(
    "button",
    { type: "button", id: "net-run-all", onclick: () => goTo(NET_STEPS.length) },
    "Run all",
  );
  const resetButton = h("button", { type: "button", id: "net-reset", onclick: () => goTo(0) }, "Reset");
  const status = h("p", { id: "net-status", class: "step-status" }, "Loading the MNIST test images…");
  const labels = h("p", { id: "net-labels" });
  const flow = h("div", { id: "net-flow", class: "net-flow" });

  const element = h(
    "section",
    { "aria-labelledby": "netgraph-title", class: "view" },
    h("h2", { id: "netgraph-title" }, "TwoLayerNet's graph"),
    h(
      "p",
      {},
      "The layers of a real TwoLayerNet (784-50-10, its initial weights from the seed) on a minibatch of MNIST test images, stepped like the apples graph: Affine1 → Relu1 → Affine2 → SoftmaxWithLoss, then backward from dL/dL = 1 to dW1, db1, dW2 and db2. Every tensor is a heat map, one row per image (red positive, blue negative, white 0, each map scaled by its largest |value|): its forward value above, the gradient of the loss with respect to it below.",
    ),
    h(
      "div",
      { class: "fields" },
      h("label", { class: "field" }, "Images N (1 to 8)", nInput),
      h("label", { class: "field" }, "From test image", fromInput),
      h("label", { class: "field" }, "Seed of W1, W2", seedInput),
    ),
    h("div", { class: "buttons" }, stepButton, backButton, allButton, resetButton),
    status,
    labels,
    flow,
  );

  const position = (): number => run?.position ?? 0;

  function settingsChanged(): void {
    const changes: Record<string, string | null> = {};
    for (const [input, name, def, min, max] of [
      [nInput, "netn", 4, 1, 8],
      [fromInput, "netfrom", 0, 0, 9992],
      [seedInput, "netseed", 0, 0, 2 ** 31],
    ] as const) {
      const v = Number(input.value);
      const ok = Number.isInteger(v) && v >= min && v <= max;
      input.setAttribute("aria-invalid", String(!ok));
      if (ok) changes[name] = v === def ? null : String(v);
    }
    setParams(changes);
    goTo(position());
  }

  /** A fresh run on the settings, replayed to `target` (layers keep no history to step back in). */
  function goTo(target: number, announce = false): void {
    if (testSet === null) return;
    const n = intParam("netn", 4, 1, 8);
    const from = intParam("netfrom", 0, 0, testSet.count - n);
    const images = new Float64Array(n * INPUT);
    for (let i = 0; i < n * INPUT; i++) images[i] = testSet.images[from * INPUT + i]! / 255;
    const t = Array.from(testSet.labels.subarray(from, from + n));
    run = new NetGraphRun({ hidden: HIDDEN, seed: intParam("netseed", 0, 0, 2 ** 31), images, labels: t });
    const goal = Math.max(0, Math.min(target, NET_STEPS.length));
    while (run.position < goal) run.step();
    render(t);
    if (announce) ctx.announce(status.textContent ?? "");
  }

  function render(t: number[]): void {
    const pos = position();
    stepButton.disabled = run!.done;
    allButton.disabled = run!.done;
    backButton.disabled = pos === 0;
    stepButton.textContent = pos < 4 ? "Step forward" : "Step backward";
    status.textContent =
      pos === 0
        ? `Ready: ${NET_STEPS.length} steps, 4 forward then 4 backward.`
        : `Step ${pos} of ${NET_STEPS.length}: ${STEP_TEXT[pos - 1]}`;
    labels.textContent = `Labels t of the ${t.length} images: ${t.join(", ")}`;
    const current = pos === 0 ? null : NET_STEPS[pos - 1]!.layer;
    flow.replaceChildren(...netGraphStages(run!, current));
    element.dataset.position = String(pos);
    const grads = Object.fromEntries(
      ["dW1", "db1", "dW2", "db2"].map((k) => {
        const s = run!.kept.get(k);
        return [
          k,
          s === undefined ? null : { sum: s.data.reduce((a, b) => a + b, 0), first: Array.from(s.data.subarray(0, 4)) },
        ];
      }),
    );
    element.dataset.json = JSON.stringify({ loss: run!.loss, grads });
  }

  void loadTestSet()
    .then((set) => {
      testSet = set;
      goTo(0);
    })
    .catch((e: unknown) => {
      status.textContent = `Could not load the MNIST test images: ${e instanceof Error ? e.message : String(e)}`;
    });
  return {
    element,
    show() {
      nInput.value = String(intParam("netn", 4, 1, 8));
      fromInput.value = String(intParam("netfrom", 0, 0, 9992));
      seedInput.value = String(intParam("netseed", 0, 0, 2 ** 31));
      goTo(position());
    },
  };
};

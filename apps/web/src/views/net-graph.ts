// TwoLayerNet's graph view: the layers of a real TwoLayerNet stepped one at a time on the first N
// MNIST test images (from image `from`), forward then backward, every tensor drawn as a heat map
// (net-graph-stages.ts). Settings live in the URL (?view=netgraph&netn=4&netfrom=0&netseed=0).
import { h } from "../dom.js";
import { fill, type MessageKey, onLang, t, tx } from "../i18n/index.js";
import { INPUT, NET_STEPS, NetGraphRun } from "../net-graph-model.js";
import { loadTestSet, type TestSet } from "../test-set.js";
import { param, setParams } from "../url-state.js";
import { netGraphStages } from "./net-graph-stages.js";
import type { ViewFactory } from "./view.js";

const HIDDEN = 50;

/** What each step does, in the book's words (net.step1 … net.step8). */
const stepText = (pos: number): string => t(`net.step${pos}` as MessageKey);

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
    tx("step.step"),
  );
  const backButton = h(
    "button",
    { type: "button", id: "net-back", onclick: () => goTo(position() - 1) },
    tx("step.back"),
  );
  const allButton = h(
    "button",
    { type: "button", id: "net-run-all", onclick: () => goTo(NET_STEPS.length) },
    tx("step.runAll"),
  );
  const resetButton = h("button", { type: "button", id: "net-reset", onclick: () => goTo(0) }, tx("step.reset"));
  const status = h("p", { id: "net-status", class: "step-status" }, t("net.loading"));
  const labels = h("p", { id: "net-labels" });
  const flow = h("div", { id: "net-flow", class: "net-flow" });

  const element = h(
    "section",
    { "aria-labelledby": "netgraph-title", class: "view" },
    h("h2", { id: "netgraph-title" }, tx("net.title")),
    fill(h("p"), "net.intro"),
    h(
      "div",
      { class: "fields" },
      h("label", { class: "field" }, tx("net.n"), nInput),
      h("label", { class: "field" }, tx("net.from"), fromInput),
      h("label", { class: "field" }, tx("net.seed"), seedInput),
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
    const labelsT = Array.from(testSet.labels.subarray(from, from + n));
    run = new NetGraphRun({ hidden: HIDDEN, seed: intParam("netseed", 0, 0, 2 ** 31), images, labels: labelsT });
    const goal = Math.max(0, Math.min(target, NET_STEPS.length));
    while (run.position < goal) run.step();
    render(labelsT);
    if (announce) ctx.announce(status.textContent ?? "");
  }

  function render(labelsT: number[]): void {
    const pos = position();
    stepButton.disabled = run!.done;
    allButton.disabled = run!.done;
    backButton.disabled = pos === 0;
    stepButton.textContent = t(pos < 4 ? "step.forward" : "step.backward");
    status.textContent =
      pos === 0
        ? t("step.ready", { total: NET_STEPS.length, n: 4 })
        : t("step.of", { pos, total: NET_STEPS.length, text: stepText(pos) });
    labels.textContent = t("net.labels", { n: labelsT.length, list: labelsT.join(", ") });
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
      status.textContent = t("net.loadFailed", { error: e instanceof Error ? e.message : String(e) });
    });
  onLang(() => goTo(position()));
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

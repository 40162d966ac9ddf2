// Gradient-check view: the book's check (section 5.7.3, gradient_check.py) in the training
// Worker: backprop's gradients against central differences of the loss, on the first training
// images, one row per parameter.
import { h } from "../dom.js";
import { fill, onLang, t, tx } from "../i18n/index.js";
import type { GradCheckRow, TrainConfig, WorkerMessage } from "../messages.js";
import { netTitle } from "../net-factory.js";
import { configFromParams } from "../train-config.js";
import { params } from "../url-state.js";
import type { ViewFactory } from "./view.js";

/** What the check runs: the Train view's net (from the URL) without Dropout, whose fresh masks on
 * every forward pass would make the numerical gradient a different function. */
function checkConfig(config: TrainConfig): TrainConfig {
  return { ...config, dropout: 0, backend: "cpu" };
}

export const createGradCheckView: ViewFactory = (ctx) => {
  const netText = h("p", { id: "gradcheck-net" });
  const runButton = h(
    "button",
    { type: "button", id: "gradcheck-run", class: "primary", onclick: () => run() },
    tx("gc.run"),
  );
  const status = h("p", { id: "gradcheck-status" });
  const message = h("p", { id: "gradcheck-message", class: "message" });
  const table = h("table", { id: "gradcheck-table", class: "numbers" });
  const bnNote = h("p", { id: "gradcheck-bn-note", class: "note", hidden: true });

  const element = h(
    "section",
    { "aria-labelledby": "gradcheck-title", class: "view" },
    h("h2", { id: "gradcheck-title" }, tx("gc.title")),
    fill(h("p"), "gc.intro"),
    netText,
    h("div", { class: "buttons" }, runButton),
    status,
    message,
    h("div", { class: "scroll-x" }, table),
    bnNote,
  );

  let config = checkConfig(configFromParams(params(), ctx.backends));
  let running = false;
  /** The last check's result, drawn again in a new language. */
  let lastResult: Extract<WorkerMessage, { type: "gradcheck" }> | null = null;
  /** The first 3 images, as the book; 10 with BatchNorm (measured, MultiLayerNetExtend 784-10-10
   * seed 0: on 3 images W1's central difference is off by up to 2.6e-2, since normalising three
   * nearly equal values is far from linear over ±h; on 10 it agrees to 9.0e-8). */
  const samples = (): number => (config.batchnorm ? 10 : 3);

  function describe(): void {
    config = checkConfig(configFromParams(params(), ctx.backends));
    runButton.disabled = running || config.net === "simple-conv";
    if (config.net === "simple-conv") {
      const h1 = config.hidden[0]!;
      const k = Math.round((30 * 25 + 30 + 4320 * h1 + h1 + h1 * 10 + 10) / 1000);
      netText.textContent = t("gc.conv", { net: netTitle(config), k });
      return;
    }
    // Affine weights and biases, and each BatchNorm's gamma and beta.
    const bn = config.batchnorm ? 2 * config.hidden.reduce((a, b) => a + b, 0) : 0;
    const weights =
      bn + [784, ...config.hidden, 10].reduce((sum, n, i, all) => (i === 0 ? 0 : sum + all[i - 1]! * n + n), 0);
    const what = { net: netTitle(config), dtype: config.dtype, seed: String(config.seed), weights, evals: 2 * weights };
    netText.textContent = t("gc.net", { ...what, n: samples() }) + (config.batchnorm ? t("gc.bnSamples") : "");
  }

  function run(): void {
    describe();
    running = true;
    runButton.disabled = true;
    message.textContent = "";
    bnNote.hidden = true;
    status.textContent = t("gc.running");
    element.dataset.state = "running";
    ctx.worker.send({ type: "gradcheck", config, samples: samples() });
  }

  /** The biases of the Affine layers that a BatchNorm follows (b1 … b<hidden layers>). */
  const beforeBatchNorm = (name: string): boolean =>
    config.batchnorm && /^b\d+$/.test(name) && Number(name.slice(1)) <= config.hidden.length;

  /** Why a bias before BatchNorm shows a relative error near 1 though it passes. */
  function explainBatchNorm(rows: GradCheckRow[]): void {
    const biases = rows.filter((r) => beforeBatchNorm(r.name));
    bnNote.hidden = biases.length === 0;
    bnNote.textContent =
      biases.length === 0
        ? ""
        : t("gc.bnNote", {
            names: biases.map((r) => r.name).join(", "),
            max: Math.max(...biases.map((r) => r.maxAbsDiff)).toExponential(1),
          });
  }

  function render(rows: GradCheckRow[]): void {
    explainBatchNorm(rows);
    const fmt = (v: number) => v.toExponential(3);
    table.replaceChildren(
      h("caption", {}, t("gc.caption")),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...(["gc.colParam", "gc.colShape", "gc.colMean", "gc.colMax", "gc.colRel", "gc.colResult"] as const).map(
            (key) => h("th", { scope: "col" }, t(key)),
          ),
        ),
      ),
      h(
        "tbody",
        {},
        ...rows.map((r) =>
          h(
            "tr",
            { "data-param": r.name },
            h("th", { scope: "row" }, r.name),
            h("td", {}, `[${r.shape.join(", ")}]`),
            h("td", { class: "mean" }, fmt(r.meanAbsDiff)),
            h("td", {}, fmt(r.maxAbsDiff)),
            h("td", { class: "rel" }, fmt(r.maxRelError)),
            h(
              "td",
              { class: r.passed ? "pass" : "fail" },
              r.passed ? t("gc.pass") : t("gc.fail", { n: r.failures }),
              beforeBatchNorm(r.name) ? t("gc.bnBias") : "",
            ),
          ),
        ),
      ),
    );
  }

  ctx.worker.on((m: WorkerMessage) => {
    if (!running) return;
    if (m.type === "status") status.textContent = m.text;
    if (m.type === "error" && m.about === "gradcheck") {
      running = false;
      runButton.disabled = false;
      message.textContent = m.message;
      element.dataset.state = "error";
    }
    if (m.type === "gradcheck") {
      running = false;
      runButton.disabled = false;
      lastResult = m;
      render(m.rows);
      status.textContent = t(m.passed ? "gc.passed" : "gc.failed", { s: m.seconds.toFixed(1) });
      element.dataset.state = m.passed ? "passed" : "failed";
      ctx.announce(status.textContent);
    }
  });

  describe();
  onLang(() => {
    describe();
    if (lastResult !== null && !running) {
      render(lastResult.rows);
      status.textContent = t(lastResult.passed ? "gc.passed" : "gc.failed", { s: lastResult.seconds.toFixed(1) });
    }
  });
  return { element, show: describe };
};

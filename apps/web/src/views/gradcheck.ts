// Gradient-check view: the book's check (section 5.7.3, gradient_check.py) in the training
// Worker: backprop's gradients against central differences of the loss, on the first training
// images, one row per parameter.
import { h } from "../dom.js";
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
    "Run the check",
  );
  const status = h("p", { id: "gradcheck-status" });
  const message = h("p", { id: "gradcheck-message", class: "message" });
  const table = h("table", { id: "gradcheck-table", class: "numbers" });
  const bnNote = h("p", { id: "gradcheck-bn-note", class: "note", hidden: true });

  const element = h(
    "section",
    { "aria-labelledby": "gradcheck-title", class: "view" },
    h("h2", { id: "gradcheck-title" }, "Gradient check"),
    h(
      "p",
      {},
      "Backpropagation is fast but easy to get wrong; the numerical gradient, (L(w + h) − L(w − h)) / 2h for every weight with h = 1e-4, is slow but simple. The book's check compares the two on the first 3 training images: the mean differences should be tiny. Expect about 1e-10 to 1e-7 here, and relative errors near 1e-6: the loss is −log(y + 1e-7), and that 1e-7 is in the numerical gradient but not in the backward rule y − t. A wrong rule gives errors of 1e-3 or more. The net is the one set in the Train view (without Dropout).",
    ),
    netText,
    h("div", { class: "buttons" }, runButton),
    status,
    message,
    h("div", { class: "scroll-x" }, table),
    bnNote,
  );

  let config = checkConfig(configFromParams(params(), ctx.backends));
  let running = false;
  /** The first 3 images, as the book; 10 with BatchNorm (measured, MultiLayerNetExtend 784-10-10
   * seed 0: on 3 images W1's central difference is off by up to 2.6e-2, since normalising three
   * nearly equal values is far from linear over ±h; on 10 it agrees to 9.0e-8). */
  const samples = (): number => (config.batchnorm ? 10 : 3);

  function describe(): void {
    config = checkConfig(configFromParams(params(), ctx.backends));
    runButton.disabled = running || config.net === "simple-conv";
    if (config.net === "simple-conv") {
      netText.textContent = `${netTitle(config)} has about ${Math.round((30 * 25 + 30 + 4320 * config.hidden[0]! + config.hidden[0]! + config.hidden[0]! * 10 + 10) / 1000)} thousand weights: checking each numerically (two forward passes of a convolution per weight) would take hours in a page. Choose TwoLayerNet, MultiLayerNet or MultiLayerNetExtend in the Train view to check them here.`;
      return;
    }
    // Affine weights and biases, and each BatchNorm's gamma and beta.
    const bn = config.batchnorm ? 2 * config.hidden.reduce((a, b) => a + b, 0) : 0;
    const weights =
      bn + [784, ...config.hidden, 10].reduce((sum, n, i, all) => (i === 0 ? 0 : sum + all[i - 1]! * n + n), 0);
    netText.textContent = `${netTitle(config)}, ${config.dtype}, seed ${config.seed}: ${weights} weights, so ${2 * weights} loss evaluations on the first ${samples()} training images.${config.batchnorm ? " (10 rather than the book's 3: with BatchNorm, W1's numerical gradient on 3 nearly equal images is off by up to 0.03, because normalising them is far from linear over ±h.)" : ""}`;
  }

  function run(): void {
    describe();
    running = true;
    runButton.disabled = true;
    message.textContent = "";
    bnNote.hidden = true;
    status.textContent = "Running in the worker (a few seconds per 10 000 weights)…";
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
        : `${biases.map((r) => r.name).join(", ")}: a relative error near 1 is expected here. Each of these biases is added just before a BatchNorm layer, which subtracts the minibatch mean: adding b to every row moves the mean by b too, so the bias cancels and the loss does not depend on it. Its true gradient is 0, and both numbers are round-off (the largest |backprop − numerical| is ${Math.max(...biases.map((r) => r.maxAbsDiff)).toExponential(1)}); two round-off values differ by about their own size, so their relative error is about 1. The absolute differences are what count, and they pass.`;
  }

  function render(rows: GradCheckRow[]): void {
    explainBatchNorm(rows);
    const fmt = (v: number) => v.toExponential(3);
    table.replaceChildren(
      h(
        "caption",
        {},
        "Backprop against numerical gradients, per parameter (pass: every element within 1e-5 + 1e-3 × |numerical|)",
      ),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ...[
            "parameter",
            "shape",
            "mean |diff| (the book's figure)",
            "max |diff|",
            "max relative error",
            "result",
          ].map((t) => h("th", { scope: "col" }, t)),
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
              r.passed ? "pass" : `fail (${r.failures} elements)`,
              beforeBatchNorm(r.name) ? " (a bias before BatchNorm: see below)" : "",
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
      render(m.rows);
      status.textContent = `${m.passed ? "Every parameter passed" : "Some parameters failed"} (${m.seconds.toFixed(1)} s).`;
      element.dataset.state = m.passed ? "passed" : "failed";
      ctx.announce(status.textContent);
    }
  });

  describe();
  return { element, show: describe };
};

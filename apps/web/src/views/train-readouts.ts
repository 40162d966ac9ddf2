// What the Train view draws while a run goes: the readouts, the loss and accuracy chart with its
// table of epochs, the hidden units' weights (or Conv1's filters) as images, and the result.
import { h } from "../dom.js";
import { LossChart } from "../loss-chart.js";
import type { EpochRow, TrainConfig, WorkerMessage } from "../messages.js";
import { drawWeights } from "../weight-images.js";

const fmt = (v: number, digits = 4): string => (Number.isFinite(v) ? v.toFixed(digits) : String(v));

const WEIGHTS_CAPTION =
  "Each hidden unit's 784 input weights (a column of W1) as a 28×28 image: red positive, blue negative.";

export interface TrainReadouts {
  /** The readouts, status, message and result lines, then the chart, the table and the weights. */
  elements: HTMLElement[];
  /** The line for what went wrong (a bad setting, a net that does not learn, a failure). */
  message: HTMLElement;
  /** The run's state in words. */
  state: HTMLElement;
  /** Clears everything for a new run of `config`. */
  reset(config: TrainConfig): void;
  /** Draws what a worker message reports. */
  show(m: WorkerMessage): void;
  /** Minibatch losses so far. */
  readonly losses: number[];
}

export function createTrainReadouts(): TrainReadouts {
  const stateOut = h("span", { id: "train-state" }, "not started");
  const iterationOut = h("span", { id: "train-iteration" }, "-");
  const lossOut = h("span", { id: "train-loss" }, "-");
  const statusText = h("p", { id: "train-status", class: "hint" });
  const message = h("div", { id: "train-message", class: "message" });
  const result = h("p", { id: "train-result", class: "note" });
  const chartBox = h("div", {
    class: "chart",
    id: "train-chart",
    role: "img",
    "aria-label": "Chart of the loss and the accuracies against epochs; the numbers are in the table below it",
  });
  const chartSummary = h("p", { id: "chart-summary", class: "hint" }, "No run yet.");
  const logBox = h("input", {
    id: "chart-log",
    type: "checkbox",
    onchange: () => chart?.setLogScale(logBox.checked),
  });
  const epochBody = h("tbody");
  const columns = ["epoch", "iteration", "mean minibatch loss", "train accuracy", "test accuracy"];
  const epochTable = h(
    "table",
    { id: "epochs", class: "numbers" },
    h("caption", {}, "One row per epoch (the chart's accuracies and epoch mean losses as a table)"),
    h("thead", {}, h("tr", {}, ...columns.map((t) => h("th", { scope: "col" }, t)))),
    epochBody,
  );
  const weightsCanvas = h("canvas", {
    id: "weights",
    class: "weights-canvas",
    role: "img",
    "aria-label": "W1 images: no run yet",
  });
  const weightsCaption = h("figcaption", {}, WEIGHTS_CAPTION);
  const weightsTitle = h("h3", {}, "What the hidden units look at");
  const chartCaption =
    "Thin blue line: the loss of each minibatch (noisy). Dark line with dots: the mean loss over each epoch. Green and orange with big dots: accuracy on the training and test images (all of them, or the first N set above) after each epoch (right axis). Thin orange with small dots: accuracy on the first N test images (Accuracy subset) every N iterations (Accuracy every; auto: about ten times per epoch); dotted green: the mean accuracy of the last 50 minibatches. On the linear axis a loss above 2.5 (or 1.5 times the first loss) runs off the top: tick the log scale to see how far a diverging loss grew. ";

  let chart: LossChart | null = null;
  let runConfig: TrainConfig | null = null;
  let losses: number[] = [];
  let perEpoch = 600;
  // The empty chart (axes and legend) once the view is in the page and has a width.
  requestAnimationFrame(() => {
    chart ??= new LossChart(chartBox);
  });

  function addEpochRow(row: EpochRow): void {
    chart?.addEpoch(row);
    const cells = [
      fmt(row.epoch, 2),
      String(row.iteration),
      fmt(row.loss),
      fmt(row.trainAccuracy),
      fmt(row.testAccuracy),
    ];
    epochBody.append(h("tr", {}, ...cells.map((v) => h("td", {}, v))));
    // A net that gives every class 1/10 has loss ln 10 ≈ 2.3026 and accuracy 0.1: guessing.
    if (runConfig !== null && (row.loss > Math.log(10) || row.testAccuracy < 0.2)) {
      message.textContent = `After epoch ${fmt(row.epoch, 2)} the mean loss is ${fmt(row.loss)} and the test accuracy ${fmt(row.testAccuracy)}: no better than guessing (a net that guesses scores ln 10 ≈ 2.3026 and 0.1), so the net is not learning. The learning rate ${runConfig.lr} is probably too large (the book uses 0.1 for SGD): stop, lower it and start again.`;
    }
    chartSummary.textContent = `After epoch ${fmt(row.epoch, 2)} (iteration ${row.iteration}): mean minibatch loss ${fmt(row.loss)}, train accuracy ${fmt(row.trainAccuracy)}, test accuracy ${fmt(row.testAccuracy)}.`;
  }

  function showWeights(m: Extract<WorkerMessage, { type: "weights" }>): void {
    const images = m.side === 28;
    drawWeights(weightsCanvas, m.w1, m.hidden, m.side);
    weightsCanvas.setAttribute(
      "aria-label",
      images
        ? `W1 of the ${m.hidden} hidden units as 28×28 images, at iteration ${m.iteration}`
        : `The ${m.hidden} filters of Conv1 (W1) as ${m.side}×${m.side} images, at iteration ${m.iteration}`,
    );
    weightsTitle.textContent = images ? "What the hidden units look at" : "What Conv1's filters look for";
    weightsCaption.textContent = images
      ? WEIGHTS_CAPTION
      : `Each of Conv1's ${m.hidden} filters (W1 [${m.hidden}, 1, ${m.side}, ${m.side}]) as a ${m.side}×${m.side} image: red positive, blue negative.`;
  }

  function showResult(m: Extract<WorkerMessage, { type: "result" }>): void {
    const f = m.final;
    if (f.iteration % perEpoch !== 0) addEpochRow(f);
    result.textContent = `${m.state === "finished" ? "Finished" : "Stopped"} after ${f.iteration} iterations (${m.seconds.toFixed(1)} s of training): train accuracy ${fmt(f.trainAccuracy)}, test accuracy ${fmt(f.testAccuracy)}. The run is kept under Runs below; a run that learned is the one the Predict view uses.`;
    const json = { state: m.state, final: f, seconds: m.seconds, w2: m.w2, losses, config: m.config };
    result.dataset.json = JSON.stringify(json);
  }

  const sources = { network: "downloaded, now cached", cache: "from the browser's cache", memory: "already in memory" };
  return {
    elements: [
      h(
        "p",
        { class: "readouts" },
        h("span", {}, "State: ", stateOut),
        h("span", {}, "Iteration: ", iterationOut),
        h("span", {}, "Last minibatch loss: ", lossOut),
      ),
      statusText,
      message,
      result,
      h("label", { class: "field inline" }, logBox, "Loss on a log scale"),
      h("figure", {}, chartBox, h("figcaption", {}, chartCaption, chartSummary)),
      h("div", { class: "scroll-x" }, epochTable),
      weightsTitle,
      h("figure", {}, weightsCanvas, weightsCaption),
    ],
    message,
    state: stateOut,
    get losses() {
      return losses;
    },
    reset(config) {
      runConfig = config;
      message.textContent = "";
      result.textContent = "";
      delete result.dataset.json;
      losses = [];
      epochBody.replaceChildren();
      iterationOut.textContent = "-";
      lossOut.textContent = "-";
      chartSummary.textContent = "No epoch finished yet.";
      chart ??= new LossChart(chartBox);
      chart.reset(600);
    },
    show(m) {
      switch (m.type) {
        case "status":
          statusText.textContent = m.text;
          break;
        case "ready":
          perEpoch = m.iterationsPerEpoch;
          chart?.reset(perEpoch);
          statusText.textContent = `${m.net}: ${m.trainSize} training images, ${m.testSize} test images; ${m.backend} backend, ${m.threads} thread(s); data ready in ${m.loadSeconds.toFixed(1)} s (${sources[m.source]}). 1 epoch = ${perEpoch} iterations.${m.curveEvery > 0 ? ` Test accuracy curve: every ${m.curveEvery} iterations on the first ${m.curveRows} test images.` : ""}`;
          break;
        case "progress":
          losses.push(...m.losses);
          chart?.addLosses(m.first, m.losses);
          iterationOut.textContent = `${losses.length} / ${runConfig?.iterations ?? "?"} (epoch ${fmt(losses.length / perEpoch, 2)})`;
          lossOut.textContent = fmt(m.losses.at(-1)!);
          break;
        case "epoch":
          addEpochRow(m.row);
          break;
        case "curve":
          chart?.addCurve(m.iteration, m.testAccuracy, m.batchAccuracy);
          chartBox.dataset.curve = JSON.stringify(chart?.curve ?? []);
          break;
        case "weights":
          showWeights(m);
          break;
        case "result":
          showResult(m);
          break;
        case "diverged":
          message.textContent = m.message;
          break;
        case "error":
          if (m.about === "train") message.textContent = m.message;
          break;
      }
    },
  };
}

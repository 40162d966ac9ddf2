// What the Train view draws while a run goes: the readouts, the loss and accuracy chart with its
// table of epochs, the hidden units' weights (or Conv1's filters) as images, and the result.
import { h } from "../dom.js";
import { attr, type MessageKey, onLang, t, tx } from "../i18n/index.js";
import { LossChart } from "../loss-chart.js";
import type { EpochRow, TrainConfig, WorkerMessage } from "../messages.js";
import { drawWeights } from "../weight-images.js";

const fmt = (v: number, digits = 4): string => (Number.isFinite(v) ? v.toFixed(digits) : String(v));

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
  const stateOut = h("span", { id: "train-state" }, t("state.idle"));
  const iterationOut = h("span", { id: "train-iteration" }, "-");
  const lossOut = h("span", { id: "train-loss" }, "-");
  const statusText = h("p", { id: "train-status", class: "hint" });
  const message = h("div", { id: "train-message", class: "message" });
  const result = h("p", { id: "train-result", class: "note" });
  const chartBox = attr(h("div", { class: "chart", id: "train-chart", role: "img" }), "aria-label", "chart.label");
  const chartSummary = h("p", { id: "chart-summary", class: "hint" }, t("chart.noRun"));
  const logBox = h("input", {
    id: "chart-log",
    type: "checkbox",
    onchange: () => chart?.setLogScale(logBox.checked),
  });
  const epochBody = h("tbody");
  const columns: MessageKey[] = [
    "chart.colEpoch",
    "chart.colIteration",
    "chart.colLoss",
    "chart.colTrain",
    "chart.colTest",
  ];
  const epochTable = h(
    "table",
    { id: "epochs", class: "numbers" },
    h("caption", {}, tx("chart.tableCaption")),
    h("thead", {}, h("tr", {}, ...columns.map((key) => h("th", { scope: "col" }, tx(key))))),
    epochBody,
  );
  const weightsCanvas = h("canvas", {
    id: "weights",
    class: "weights-canvas",
    role: "img",
    "aria-label": t("weights.none"),
  });
  const weightsCaption = h("figcaption", {}, t("weights.caption"));
  const weightsTitle = h("h3", {}, t("weights.title"));

  let chart: LossChart | null = null;
  let runConfig: TrainConfig | null = null;
  /** What the texts that change are drawn from, to draw them again in another language. */
  let lastRow: EpochRow | null = null;
  let lastReady: Extract<WorkerMessage, { type: "ready" }> | null = null;
  let lastWeights: Extract<WorkerMessage, { type: "weights" }> | null = null;
  let lastResult: Extract<WorkerMessage, { type: "result" }> | null = null;
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
    lastRow = row;
    describeRow(row);
  }

  function describeRow(row: EpochRow): void {
    const values = { epoch: fmt(row.epoch, 2), loss: fmt(row.loss), test: fmt(row.testAccuracy) };
    // A net that gives every class 1/10 has loss ln 10 ≈ 2.3026 and accuracy 0.1: guessing.
    if (runConfig !== null && (row.loss > Math.log(10) || row.testAccuracy < 0.2)) {
      message.textContent = t("chart.notLearning", { ...values, lr: String(runConfig.lr) });
    }
    chartSummary.textContent = t("chart.summary", {
      ...values,
      iteration: String(row.iteration),
      train: fmt(row.trainAccuracy),
    });
  }

  function showWeights(m: Extract<WorkerMessage, { type: "weights" }>): void {
    drawWeights(weightsCanvas, m.w1, m.hidden, m.side);
    lastWeights = m;
    describeWeights(m);
  }

  function describeWeights(m: Extract<WorkerMessage, { type: "weights" }>): void {
    const images = m.side === 28;
    const about = { n: m.hidden, side: String(m.side), iteration: String(m.iteration) };
    weightsCanvas.setAttribute("aria-label", t(images ? "weights.label" : "weights.labelConv", about));
    weightsTitle.textContent = t(images ? "weights.title" : "weights.titleConv");
    weightsCaption.textContent = t(images ? "weights.caption" : "weights.captionConv", about);
  }

  function showResult(m: Extract<WorkerMessage, { type: "result" }>): void {
    const f = m.final;
    if (f.iteration % perEpoch !== 0) addEpochRow(f);
    lastResult = m;
    describeResult(m);
    const json = { state: m.state, final: f, seconds: m.seconds, w2: m.w2, losses, config: m.config };
    result.dataset.json = JSON.stringify(json);
  }

  function describeResult(m: Extract<WorkerMessage, { type: "result" }>): void {
    const f = m.final;
    result.textContent = t(m.state === "finished" ? "result.finished" : "result.stopped", {
      iterations: f.iteration,
      seconds: m.seconds.toFixed(1),
      train: fmt(f.trainAccuracy),
      test: fmt(f.testAccuracy),
    });
  }

  function describeReady(m: Extract<WorkerMessage, { type: "ready" }>): void {
    const status = t("ready.status", {
      net: m.net,
      train: m.trainSize,
      test: m.testSize,
      backend: m.backend,
      threads: m.threads,
      seconds: m.loadSeconds.toFixed(1),
      source: t(`ready.${m.source}`),
      perEpoch,
    });
    const curve = m.curveEvery > 0 ? t("ready.curve", { every: m.curveEvery, rows: m.curveRows }) : "";
    statusText.textContent = status + curve;
  }

  function describeProgress(): void {
    iterationOut.textContent = t("readout.progress", {
      done: losses.length,
      total: runConfig?.iterations ?? "?",
      epoch: fmt(losses.length / perEpoch, 2),
    });
  }

  // A new language: every text drawn from the run so far, again (the run goes on).
  onLang(() => {
    if (lastRow !== null) describeRow(lastRow);
    else chartSummary.textContent = t(runConfig === null ? "chart.noRun" : "chart.noEpoch");
    if (lastWeights !== null) describeWeights(lastWeights);
    else {
      weightsCanvas.setAttribute("aria-label", t("weights.none"));
      weightsTitle.textContent = t("weights.title");
      weightsCaption.textContent = t("weights.caption");
    }
    if (lastResult !== null) describeResult(lastResult);
    if (lastReady !== null && statusText.dataset.from === "ready") describeReady(lastReady);
    if (losses.length > 0) describeProgress();
    chart?.relabel();
  });
  return {
    elements: [
      h(
        "p",
        { class: "readouts" },
        h("span", {}, tx("readout.state"), stateOut),
        h("span", {}, tx("readout.iteration"), iterationOut),
        h("span", {}, tx("readout.loss"), lossOut),
      ),
      statusText,
      message,
      result,
      h("label", { class: "field inline" }, logBox, tx("chart.log")),
      h("figure", {}, chartBox, h("figcaption", {}, tx("chart.caption"), chartSummary)),
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
      chartSummary.textContent = t("chart.noEpoch");
      lastRow = null;
      lastResult = null;
      lastReady = null;
      chart ??= new LossChart(chartBox);
      chart.reset(600);
    },
    show(m) {
      switch (m.type) {
        case "status":
          statusText.textContent = m.text;
          statusText.dataset.from = "status";
          break;
        case "ready":
          perEpoch = m.iterationsPerEpoch;
          chart?.reset(perEpoch);
          lastReady = m;
          statusText.dataset.from = "ready";
          describeReady(m);
          break;
        case "progress":
          losses.push(...m.losses);
          chart?.addLosses(m.first, m.losses);
          describeProgress();
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

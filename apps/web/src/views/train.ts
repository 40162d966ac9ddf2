// Train view: the book's TwoLayerNet on MNIST in the training Worker, with a live chart, the
// hidden units' weights as images, pause/resume/step/stop/reset, and a message when the loss
// stops being a number.
import { OPTIMIZER_NAMES } from "@bp/nets";
import { h } from "../dom.js";
import { LossChart } from "../loss-chart.js";
import type { EpochRow, RunState, TrainConfig, WorkerMessage } from "../messages.js";
import { modelFromBytes } from "../model-store.js";
import {
  CONV_RECIPE,
  configFromParams,
  configToParams,
  isOptimizer,
  NET_CHOICES,
  parseTexts,
  TEXT_FIELDS,
} from "../train-config.js";
import { params, setParams } from "../url-state.js";
import { drawWeights } from "../weight-images.js";
import type { ViewFactory } from "./view.js";

const fmt = (v: number, digits = 4): string => (Number.isFinite(v) ? v.toFixed(digits) : String(v));

export const createTrainView: ViewFactory = (ctx) => {
  let config = configFromParams(params(), ctx.backends);

  // ---- the form ----
  const inputs = new Map<string, HTMLInputElement>();
  const errors = new Map<string, HTMLElement>();
  const multiOnly: HTMLElement[] = [];
  let threadsLabel: HTMLElement | null = null;
  const fieldEls = TEXT_FIELDS.map((f) => {
    const input = h("input", {
      id: f.name,
      name: f.name,
      type: "text",
      inputmode: f.name === "hidden" || f.name === "init" ? "text" : "decimal",
      autocomplete: "off",
      value: (f.format as (v: unknown) => string)(config[f.name]),
      "aria-describedby": `${f.name}-hint ${f.name}-error`,
      oninput: () => onFormInput(),
    });
    const error = h("span", { class: "field-error", id: `${f.name}-error` });
    inputs.set(f.name, input);
    errors.set(f.name, error);
    const label = h(
      "label",
      { class: "field" },
      f.label,
      input,
      h("span", { class: "hint", id: `${f.name}-hint` }, f.hint),
      error,
    );
    if (f.multiOnly === true) multiOnly.push(label);
    if (f.name === "threads") threadsLabel = label;
    return label;
  });
  const select = (id: string, options: { value: string; label: string; disabled?: boolean }[], value: string) => {
    const el = h(
      "select",
      { id, onchange: () => onFormInput() },
      ...options.map((o) => h("option", { value: o.value, disabled: o.disabled === true }, o.label)),
    );
    el.value = value;
    return el;
  };
  const netSelect = select("net", NET_CHOICES, config.net);
  const optimizerSelect = select(
    "optimizer",
    OPTIMIZER_NAMES.map((o) => ({
      value: o,
      label:
        o === "sgd"
          ? "SGD"
          : o === "adagrad"
            ? "AdaGrad"
            : o === "rmsprop"
              ? "RMSprop"
              : o[0]!.toUpperCase() + o.slice(1),
    })),
    config.optimizer,
  );
  const dtypeSelect = select(
    "dtype",
    [
      { value: "float64", label: "float64 (the book's)" },
      { value: "float32", label: "float32" },
    ],
    config.dtype,
  );
  const backendSelect = select(
    "backend",
    ctx.backends.choices.map((c) => ({
      value: c.name,
      disabled: !c.available,
      label: c.available ? c.name : `${c.name}: unavailable (${c.short})`,
    })),
    config.backend,
  );
  backendSelect.setAttribute("aria-describedby", "backend-hint");
  const batchnormBox = h("input", { id: "batchnorm", type: "checkbox", onchange: () => onFormInput() });
  batchnormBox.checked = config.batchnorm;
  const batchnormLabel = h("label", { class: "field inline" }, batchnormBox, "BatchNorm before each activation");
  multiOnly.push(batchnormLabel);
  /** Fills the form with chapter 7's recipe on a subset (CONV_RECIPE). */
  function useConvRecipe(): void {
    const recipe = { ...config, ...CONV_RECIPE };
    for (const f of TEXT_FIELDS) inputs.get(f.name)!.value = (f.format as (v: unknown) => string)(recipe[f.name]);
    netSelect.value = recipe.net;
    optimizerSelect.value = recipe.optimizer;
    onFormInput();
    ctx.announce(
      `Chapter 7's recipe: Adam, learning rate ${recipe.lr}, the first ${recipe.trainSize} training images, ${recipe.iterations} iterations (1 epoch).`,
    );
  }
  const convNote = h(
    "div",
    { id: "conv-note", class: "note" },
    h(
      "p",
      {},
      "SimpleConvNet is slow in a browser: 30 convolution filters over every image, forward and backward, are far more work than TwoLayerNet, so one epoch of all 60 000 images takes several minutes (the book trains it for 20 epochs in NumPy). The book's recipe is Adam with learning rate 0.001; on the first 5000 images, one epoch (50 minibatches) took 19-23 s on the wasm backend when this page was tested, reaching a test accuracy of about 0.78 on the first 1000 test images.",
    ),
    h(
      "button",
      { type: "button", id: "conv-recipe", onclick: () => useConvRecipe() },
      "Use chapter 7's recipe on 5000 images",
    ),
  );
  const backendHint = h(
    "ul",
    { id: "backend-hint", class: "hint" },
    ...ctx.backends.choices.map((c) => h("li", {}, h("strong", {}, c.name), `: ${c.reason}`)),
  );

  // ---- controls and readouts ----
  const button = (id: string, label: string, onclick: () => void, primary = false) =>
    h("button", { type: "button", id, class: primary ? "primary" : undefined, onclick }, label);
  const startButton = button("start", "Start", () => start(false), true);
  const pauseButton = button("pause", "Pause", () => ctx.worker.send({ type: "pause" }));
  const resumeButton = button("resume", "Resume", () => ctx.worker.send({ type: "resume" }));
  const stepButton = button("step", "Step", () => ctx.worker.send({ type: "step", count: 1 }));
  const stopButton = button("stop", "Stop", () => ctx.worker.send({ type: "stop" }));
  const resetButton = button("reset", "Reset", () => start(true));
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
  const epochBody = h("tbody");
  const epochTable = h(
    "table",
    { id: "epochs", class: "numbers" },
    h("caption", {}, "One row per epoch (the chart's accuracies and epoch mean losses as a table)"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["epoch", "iteration", "mean minibatch loss", "train accuracy", "test accuracy"].map((t) =>
          h("th", { scope: "col" }, t),
        ),
      ),
    ),
    epochBody,
  );
  const weightsCanvas = h("canvas", {
    id: "weights",
    class: "weights-canvas",
    role: "img",
    "aria-label": "W1 images: no run yet",
  });
  const WEIGHTS_CAPTION =
    "Each hidden unit's 784 input weights (a column of W1) as a 28×28 image: red positive, blue negative.";
  const weightsCaption = h("figcaption", {}, WEIGHTS_CAPTION);
  const weightsTitle = h("h3", {}, "What the hidden units look at");

  const element = h(
    "section",
    { "aria-labelledby": "train-title", class: "view" },
    h("h2", { id: "train-title" }, "Train"),
    h(
      "p",
      {},
      "The book's TwoLayerNet (Affine1 → Relu1 → Affine2 → SoftmaxWithLoss), chapter 6's MultiLayerNetExtend with BatchNorm and Dropout, or chapter 7's SimpleConvNet learns MNIST by backpropagation in a Web Worker, trained by the library's Trainer. The same settings and seed give the numbers of ",
      h("code", {}, "bp train"),
      ".",
    ),
    h(
      "form",
      {
        id: "config",
        novalidate: true,
        onsubmit: (e: Event) => {
          e.preventDefault();
          start(false);
        },
      },
      h(
        "fieldset",
        {},
        h("legend", {}, "Settings"),
        h(
          "div",
          { class: "fields" },
          h("label", { class: "field" }, "Net", netSelect),
          h("label", { class: "field" }, "Optimizer", optimizerSelect),
          ...fieldEls,
          h("label", { class: "field" }, "dtype", dtypeSelect),
          h("label", { class: "field" }, "Backend", backendSelect),
          batchnormLabel,
        ),
        convNote,
        h("details", {}, h("summary", {}, "About the backends"), backendHint),
      ),
    ),
    h("div", { class: "buttons" }, startButton, pauseButton, resumeButton, stepButton, stopButton, resetButton),
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
    h(
      "figure",
      {},
      chartBox,
      h(
        "figcaption",
        {},
        "Thin blue line: the loss of each minibatch (noisy). Dark line with dots: the mean loss over each epoch. Green and orange: accuracy on the training and test images (all of them, or the first N set above) after each epoch (right axis). ",
        chartSummary,
      ),
    ),
    h("div", { class: "scroll-x" }, epochTable),
    weightsTitle,
    h("figure", {}, weightsCanvas, weightsCaption),
  );

  let chart: LossChart | null = null;
  let state: RunState | "idle" = "idle";
  let runConfig: TrainConfig | null = null;
  let losses: number[] = [];
  let epochs: EpochRow[] = [];
  let perEpoch = 600;

  function readForm(): TrainConfig | null {
    const texts: Record<string, string> = {};
    for (const [name, input] of inputs) texts[name] = input.value;
    const base: TrainConfig = {
      ...config,
      net: netSelect.value === "multi" || netSelect.value === "conv" ? netSelect.value : "two",
      optimizer: isOptimizer(optimizerSelect.value) ? optimizerSelect.value : "sgd",
      dtype: dtypeSelect.value === "float32" ? "float32" : "float64",
      backend: ctx.backends.isAvailable(backendSelect.value) ? backendSelect.value : config.backend,
      batchnorm: batchnormBox.checked,
    };
    if (base.net !== "multi") Object.assign(base, { batchnorm: false, dropout: 0, weightDecay: 0 });
    const parsed = parseTexts(texts, base);
    for (const el of multiOnly) el.hidden = base.net !== "multi";
    convNote.hidden = base.net !== "conv";
    // Threads only matter to the worker backend ("auto" picks wasm where it works, else cpu).
    if (threadsLabel !== null) threadsLabel.hidden = base.backend !== "worker";
    for (const [name, input] of inputs) {
      const error = parsed.errors[name as keyof TrainConfig] ?? "";
      errors.get(name)!.textContent = error;
      input.setAttribute("aria-invalid", String(error !== ""));
    }
    return Object.keys(parsed.errors).length === 0 ? parsed.config : null;
  }

  function onFormInput(): void {
    const next = readForm();
    if (next === null) return;
    config = next;
    setParams(configToParams(config, ctx.backends));
  }

  function setButtons(): void {
    const busy = state === "loading" || state === "running";
    startButton.disabled = busy;
    pauseButton.disabled = state !== "running";
    resumeButton.disabled = state !== "paused";
    stepButton.disabled = state !== "paused";
    stopButton.disabled = state !== "running" && state !== "paused";
    resetButton.disabled = busy;
    element.dataset.state = state;
    const words: Record<typeof state, string> = {
      idle: "not started",
      loading: "loading MNIST",
      running: "training",
      paused: "paused",
      finished: "finished",
      stopped: "stopped (results kept)",
      diverged: "stopped: the loss is not a number",
    };
    stateOut.textContent = words[state];
  }

  function start(paused: boolean): void {
    const next = readForm();
    if (next === null) {
      message.textContent = "Fix the settings marked above, then start again.";
      const firstBad = [...inputs.values()].find((i) => i.getAttribute("aria-invalid") === "true");
      firstBad?.focus();
      return;
    }
    config = next;
    setParams(configToParams(config, ctx.backends));
    runConfig = config;
    message.textContent = "";
    result.textContent = "";
    delete result.dataset.json;
    losses = [];
    epochs = [];
    epochBody.replaceChildren();
    iterationOut.textContent = "-";
    lossOut.textContent = "-";
    chartSummary.textContent = "No epoch finished yet.";
    chart ??= new LossChart(chartBox);
    chart.reset(600);
    state = "loading";
    setButtons();
    ctx.worker.send({ type: "start", config, paused });
    ctx.announce(paused ? "Reset: a new net at iteration 0, paused." : "Training started.");
  }

  function addEpochRow(row: EpochRow): void {
    epochs.push(row);
    chart?.addEpoch(row);
    const tr = h("tr");
    for (const v of [
      fmt(row.epoch, 2),
      String(row.iteration),
      fmt(row.loss),
      fmt(row.trainAccuracy),
      fmt(row.testAccuracy),
    ])
      tr.append(h("td", {}, v));
    epochBody.append(tr);
    // A net that gives every class 1/10 has loss ln 10 ≈ 2.3026 and accuracy 0.1: guessing.
    if (runConfig !== null && (row.loss > Math.log(10) || row.testAccuracy < 0.2)) {
      message.textContent = `After epoch ${fmt(row.epoch, 2)} the mean loss is ${fmt(row.loss)} and the test accuracy ${fmt(row.testAccuracy)}: no better than guessing (a net that guesses scores ln 10 ≈ 2.3026 and 0.1), so the net is not learning. The learning rate ${runConfig.lr} is probably too large (the book uses 0.1 for SGD): stop, lower it and start again.`;
    }
    chartSummary.textContent = `After epoch ${fmt(row.epoch, 2)} (iteration ${row.iteration}): mean minibatch loss ${fmt(row.loss)}, train accuracy ${fmt(row.trainAccuracy)}, test accuracy ${fmt(row.testAccuracy)}.`;
  }

  ctx.worker.on((m: WorkerMessage) => {
    if (m.type === "gradcheck") return;
    switch (m.type) {
      case "status":
        statusText.textContent = m.text;
        break;
      case "ready":
        perEpoch = m.iterationsPerEpoch;
        chart?.reset(perEpoch);
        statusText.textContent = `${m.net}: ${m.trainSize} training images, ${m.testSize} test images; ${m.backend} backend, ${m.threads} thread(s); data ready in ${m.loadSeconds.toFixed(1)} s (${m.source === "network" ? "downloaded, now cached" : m.source === "cache" ? "from the browser's cache" : "already in memory"}). 1 epoch = ${perEpoch} iterations.`;
        element.dataset.source = m.source;
        break;
      case "state":
        state = m.state;
        setButtons();
        if (m.state === "paused") ctx.announce(`Paused at iteration ${m.iteration}.`);
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
      case "weights":
        drawWeights(weightsCanvas, m.w1, m.hidden, m.side);
        weightsCanvas.setAttribute(
          "aria-label",
          m.side === 28
            ? `W1 of the ${m.hidden} hidden units as 28×28 images, at iteration ${m.iteration}`
            : `The ${m.hidden} filters of Conv1 (W1) as ${m.side}×${m.side} images, at iteration ${m.iteration}`,
        );
        weightsTitle.textContent = m.side === 28 ? "What the hidden units look at" : "What Conv1's filters look for";
        weightsCaption.textContent =
          m.side === 28
            ? WEIGHTS_CAPTION
            : `Each of Conv1's ${m.hidden} filters (W1 [${m.hidden}, 1, ${m.side}, ${m.side}]) as a ${m.side}×${m.side} image: red positive, blue negative.`;
        break;
      case "result": {
        const f = m.final;
        if (f.iteration % perEpoch !== 0) addEpochRow(f);
        result.textContent = `${m.state === "finished" ? "Finished" : "Stopped"} after ${f.iteration} iterations (${m.seconds.toFixed(1)} s of training): train accuracy ${fmt(f.trainAccuracy)}, test accuracy ${fmt(f.testAccuracy)}. The Predict view now uses this net; download it there.`;
        result.dataset.json = JSON.stringify({
          state: m.state,
          final: f,
          seconds: m.seconds,
          w2: m.w2,
          losses,
          config: m.config,
        });
        ctx.model.set(
          modelFromBytes(
            m.model,
            `trained here: ${f.iteration} iterations, ${m.config.optimizer} lr ${m.config.lr}, seed ${m.config.seed}`,
          ),
        );
        ctx.announce(`Training ${m.state}: test accuracy ${fmt(f.testAccuracy)}.`);
        break;
      }
      case "diverged":
        message.textContent = m.message;
        ctx.announce(m.message);
        break;
      case "error":
        if (m.about !== "train") break;
        message.textContent = m.message;
        state = "idle";
        setButtons();
        ctx.announce(`Training failed: ${m.message}`);
        break;
    }
  });

  setButtons();
  readForm();
  // The empty chart (axes and legend) once the view is in the page and has a width.
  requestAnimationFrame(() => {
    chart ??= new LossChart(chartBox);
  });
  return {
    element,
    show() {
      if (state === "loading" || state === "running") return;
      config = configFromParams(params(), ctx.backends);
      for (const f of TEXT_FIELDS) inputs.get(f.name)!.value = (f.format as (v: unknown) => string)(config[f.name]);
      netSelect.value = config.net;
      optimizerSelect.value = config.optimizer;
      dtypeSelect.value = config.dtype;
      backendSelect.value = config.backend;
      batchnormBox.checked = config.batchnorm;
      readForm();
    },
  };
};

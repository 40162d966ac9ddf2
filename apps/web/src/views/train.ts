// Train view: one of the book's nets on MNIST in the training Worker, with a live chart, the hidden
// units' weights as images, pause/resume/step/stop/reset, and a message when the loss stops being
// a number. The settings form is train-form.ts, the drawing train-readouts.ts; this file holds the
// run's state and the buttons that change it.
import { h } from "../dom.js";
import type { RunState, WorkerMessage } from "../messages.js";
import { modelFromBytes } from "../model-store.js";
import { configFromParams, configToParams } from "../train-config.js";
import { params, setParams } from "../url-state.js";
import { createTrainForm } from "./train-form.js";
import { createTrainInside } from "./train-inside.js";
import { createTrainReadouts } from "./train-readouts.js";
import type { ViewFactory } from "./view.js";

const STATE_WORDS: Record<RunState | "idle", string> = {
  idle: "not started",
  loading: "loading MNIST",
  running: "training",
  paused: "paused",
  finished: "finished",
  stopped: "stopped (results kept)",
  diverged: "stopped: the loss is not a number",
};

export const createTrainView: ViewFactory = (ctx) => {
  const form = createTrainForm(ctx, configFromParams(params(), ctx.backends), onFormInput, () => start(false));
  const readouts = createTrainReadouts();
  const inside = createTrainInside((m) => ctx.worker.send(m));
  let state: RunState | "idle" = "idle";

  const button = (id: string, label: string, onclick: () => void, primary = false) =>
    h("button", { type: "button", id, class: primary ? "primary" : undefined, onclick }, label);
  const startButton = button("start", "Start", () => start(false), true);
  const pauseButton = button("pause", "Pause", () => ctx.worker.send({ type: "pause" }));
  const resumeButton = button("resume", "Resume", () => ctx.worker.send({ type: "resume" }));
  const stepButton = button("step", "Step", () => ctx.worker.send({ type: "step", count: 1 }));
  const stopButton = button("stop", "Stop", () => ctx.worker.send({ type: "stop" }));
  const resetButton = button("reset", "Reset", () => start(true));

  const element = h(
    "section",
    { "aria-labelledby": "train-title", class: "view" },
    h("h2", { id: "train-title" }, "Train"),
    h(
      "p",
      {},
      "The book's TwoLayerNet (Affine1 → Relu1 → Affine2 → SoftmaxWithLoss), chapter 6's MultiLayerNet and MultiLayerNetExtend (BatchNorm, Dropout), or chapter 7's SimpleConvNet learns MNIST by backpropagation in a Web Worker, trained by the library's Trainer. The same settings and seed give the numbers of ",
      h("code", {}, "bp train"),
      " (the nets have the same names as its ",
      h("code", {}, "--net"),
      ").",
    ),
    form.element,
    h("div", { class: "buttons" }, startButton, pauseButton, resumeButton, stepButton, stopButton, resetButton),
    ...readouts.elements,
    inside.element,
  );

  function onFormInput(): void {
    const next = form.read();
    if (next !== null) setParams(configToParams(next, ctx.backends));
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
    readouts.state.textContent = STATE_WORDS[state];
  }

  function start(paused: boolean): void {
    const config = form.read();
    if (config === null) {
      readouts.message.textContent = "Fix the settings marked above, then start again.";
      form.firstInvalid()?.focus();
      return;
    }
    setParams(configToParams(config, ctx.backends));
    readouts.reset(config);
    state = "loading";
    setButtons();
    ctx.worker.send({ type: "start", config, paused });
    ctx.announce(paused ? "Reset: a new net at iteration 0, paused." : "Training started.");
  }

  ctx.worker.on((m: WorkerMessage) => {
    if (m.type === "gradcheck" || (m.type === "error" && m.about !== "train")) return;
    readouts.show(m);
    switch (m.type) {
      case "inside":
        inside.show(m);
        break;
      case "ready":
        element.dataset.source = m.source;
        break;
      case "state":
        state = m.state;
        setButtons();
        if (m.state === "paused") ctx.announce(`Paused at iteration ${m.iteration}.`);
        break;
      case "result": {
        const f = m.final;
        const about = `trained here: ${f.iteration} iterations, ${m.config.optimizer} lr ${m.config.lr}, seed ${m.config.seed}`;
        ctx.model.set(modelFromBytes(m.model, about));
        ctx.announce(`Training ${m.state}: test accuracy ${f.testAccuracy.toFixed(4)}.`);
        break;
      }
      case "diverged":
        ctx.announce(m.message);
        break;
      case "error":
        state = "idle";
        setButtons();
        ctx.announce(`Training failed: ${m.message}`);
        break;
    }
  });

  setButtons();
  form.read();
  return {
    element,
    show() {
      if (state === "loading" || state === "running") return;
      form.fill(configFromParams(params(), ctx.backends));
    },
  };
};

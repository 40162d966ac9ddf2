// Train view: one of the book's nets on MNIST in the training Worker, with a live chart, the hidden
// units' weights as images, pause/resume/step/stop/reset, and a message when the loss stops being
// a number. The settings form is train-form.ts, the drawing train-readouts.ts; this file holds the
// run's state and the buttons that change it.
import { h } from "../dom.js";
import { fill, type MessageKey, onLang, t, tx } from "../i18n/index.js";
import type { RunState, TrainConfig, WorkerMessage } from "../messages.js";
import { netTitle } from "../net-factory.js";
import { modelFromBytes } from "../model-store.js";
import { chooseRun, outcomeOf, type RunRecord, saveRun } from "../run-store.js";
import { configFromParams, configToParams } from "../train-config.js";
import { params, setParams } from "../url-state.js";
import { createEditNote } from "./train-edits.js";
import { createTrainForm } from "./train-form.js";
import { createTrainInside } from "./train-inside.js";
import { createTrainReadouts } from "./train-readouts.js";
import { createTrainRuns } from "./train-runs.js";
import type { ViewFactory } from "./view.js";

/** The run's state in words (state.idle … state.diverged). */
const stateWords = (state: RunState | "idle"): string => t(`state.${state}` as MessageKey);

export const createTrainView: ViewFactory = (ctx) => {
  const form = createTrainForm(ctx, configFromParams(params(), ctx.backends), onFormInput, () => start(false));
  const readouts = createTrainReadouts();
  const inside = createTrainInside((m) => ctx.worker.send(m));
  const runs = createTrainRuns(ctx);
  const editNote = createEditNote(ctx);
  let state: RunState | "idle" = "idle";
  let running: TrainConfig | null = null;
  let curve: RunRecord["curve"] = [];

  const button = (id: string, label: MessageKey, onclick: () => void, primary = false) =>
    h("button", { type: "button", id, class: primary ? "primary" : undefined, onclick }, tx(label));
  const startButton = button("start", "train.start", () => start(false), true);
  const pauseButton = button("pause", "train.pause", () => ctx.worker.send({ type: "pause" }));
  const resumeButton = button("resume", "train.resume", () => ctx.worker.send({ type: "resume" }));
  const stepButton = button("step", "train.step", () => ctx.worker.send({ type: "step", count: 1 }));
  const stopButton = button("stop", "train.stop", () => ctx.worker.send({ type: "stop" }));
  const resetButton = button("reset", "train.reset", () => start(true));

  const element = h(
    "section",
    { "aria-labelledby": "train-title", class: "view" },
    h("h2", { id: "train-title" }, tx("train.title")),
    fill(h("p"), "train.intro"),
    form.element,
    h("div", { class: "buttons" }, startButton, pauseButton, resumeButton, stepButton, stopButton, resetButton),
    editNote.element,
    ...readouts.elements,
    runs.element,
    inside.element,
  );

  /** While a run is under way the URL keeps describing it, and the note says what was not applied. */
  function onFormInput(): void {
    const next = form.read();
    const underWay = state === "loading" || state === "running" || state === "paused";
    editNote.update(underWay ? running : null, next);
    if (next !== null && !underWay) setParams(configToParams(next, ctx.backends));
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
    readouts.state.textContent = stateWords(state);
  }

  function start(paused: boolean): void {
    const config = form.read();
    if (config === null) {
      readouts.message.textContent = t("train.fixSettings");
      form.firstInvalid()?.focus();
      return;
    }
    setParams(configToParams(config, ctx.backends));
    readouts.reset(config);
    running = config;
    curve = [];
    editNote.update(null, null);
    state = "loading";
    setButtons();
    ctx.worker.send({ type: "start", config, paused });
    ctx.announce(t(paused ? "train.resetSaid" : "train.startedSaid"));
  }

  ctx.worker.on((m: WorkerMessage) => {
    if (m.type === "gradcheck" || (m.type === "error" && m.about !== "train")) return;
    readouts.show(m);
    switch (m.type) {
      case "inside":
        inside.show(m);
        break;
      case "curve":
        curve.push([m.iteration, m.testAccuracy, m.batchAccuracy]);
        break;
      case "ready":
        element.dataset.source = m.source;
        break;
      case "state":
        state = m.state;
        setButtons();
        onFormInput();
        if (m.state === "paused") ctx.announce(t("train.pausedAt", { iteration: m.iteration }));
        break;
      case "result":
        void keepResult(m);
        break;
      case "diverged":
        ctx.announce(m.message);
        if (running !== null) void keep(running, { outcome: "diverged", note: m.message }, null, null);
        break;
      case "error":
        state = "idle";
        setButtons();
        ctx.announce(t("train.failed", { error: m.message }));
        break;
    }
  });

  /** Keeps a run; a good one becomes the net Predict uses. */
  async function keep(
    config: TrainConfig,
    how: Pick<RunRecord, "outcome" | "note">,
    final: RunRecord["final"],
    model: Uint8Array | null,
  ): Promise<RunRecord> {
    const title = t("train.runTitle", {
      net: netTitle(config),
      optimizer: config.optimizer,
      lr: String(config.lr),
      iterations: readouts.losses.length,
      seed: String(config.seed),
    });
    const run = await saveRun({ title, ...how, config, losses: [...readouts.losses], curve, final, model });
    element.dataset.runs = String(run.id);
    await runs.refresh();
    return run;
  }

  async function keepResult(m: Extract<WorkerMessage, { type: "result" }>): Promise<void> {
    const f = m.final;
    const how = outcomeOf(m.state, f);
    const model = modelFromBytes(m.model, "");
    const run = await keep(m.config, how, f, m.model);
    if (how.outcome === "failed") {
      ctx.announce(t("train.learnedNothing", { title: run.title }));
      return;
    }
    model.source = `${run.title} (${how.note})`;
    model.runId = run.id;
    await chooseRun(run.id);
    ctx.model.set(model);
    await runs.refresh();
    ctx.announce(
      t(m.state === "finished" ? "train.doneFinished" : "train.doneStopped", { accuracy: f.testAccuracy.toFixed(4) }),
    );
  }

  setButtons();
  form.read();
  void runs.refresh();
  // A new language: the state in words (the form, readouts, runs and inside follow on their own).
  onLang(setButtons);
  return {
    element,
    show() {
      if (state === "loading" || state === "running" || state === "paused") return;
      form.fill(configFromParams(params(), ctx.backends));
    },
  };
};

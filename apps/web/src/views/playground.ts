// The 2-D playground (after TensorFlow Playground): a toy data set, any MultiLayerNet or
// MultiLayerNetExtend built by createNet, one Play button. While it plays, each animation frame
// trains whole epochs on the page's thread (the nets are tiny), then draws the
// decision boundary, every hidden neuron's output, the epoch, the losses and ms per epoch. About
// 25 ms of training per frame keeps the page near 30 frames per second and spends most of the
// time training.
import { DEFAULT_LR, type OptimizerName } from "@bp/nets";
import { h } from "../dom.js";
import { attr, fill, type MessageKey, onLang, t, tx } from "../i18n/index.js";
import { Playground, type PlaygroundConfig } from "../playground-model.js";
import { playgroundControls, readPlaygroundConfig } from "./playground-controls.js";
import { drawBoundary, drawNeurons } from "./playground-draw.js";
import type { ViewFactory } from "./view.js";

const FRAME_BUDGET_MS = 25;

export const createPlaygroundView: ViewFactory = (ctx) => {
  const c = playgroundControls();
  const playButton = h(
    "button",
    { type: "button", id: "pg-play", class: "primary", onclick: () => toggle() },
    t("pg.play"),
  );
  const stepButton = h("button", { type: "button", id: "pg-step", onclick: () => stepOnce() }, tx("pg.stepEpoch"));
  const resetButton = h("button", { type: "button", id: "pg-reset", onclick: () => reset() }, tx("step.reset"));
  const message = h("p", { id: "pg-message", class: "message" });
  const stats = h("p", { id: "pg-stats", class: "step-status" });
  const boundary = attr(h("canvas", { id: "pg-boundary", role: "img" }), "aria-label", "pg.boundary");
  const neurons = h("div", { id: "pg-neurons", class: "neurons" });
  const label = (key: MessageKey, el: HTMLElement) => h("label", { class: "field" }, tx(key), el);
  const ranged = (key: MessageKey, min: number, max: number, el: HTMLElement) =>
    h(
      "label",
      { class: "field" },
      tx("pg.range", () => ({ name: t(key), min, max })),
      el,
    );

  const element = h(
    "section",
    { "aria-labelledby": "playground-title", class: "view" },
    h("h2", { id: "playground-title" }, tx("pg.title")),
    fill(h("p"), "pg.intro"),
    h(
      "div",
      { class: "fields" },
      label("pg.data", c.dataset),
      ranged("pg.noise", 0, 0.5, c.noise),
      ranged("pg.trainShare", 0.1, 0.9, c.trainRatio),
      label("pg.hidden", c.hidden),
      label("pg.activation", c.activation),
      label("pg.init", c.init),
      label("pg.optimizer", c.optimizer),
      label("pg.lr", c.lr),
      label("pg.batch", c.batch),
      label("pg.decayLabel", c.weightDecay),
      label("pg.dropout", c.dropout),
      h("label", { class: "field check" }, c.batchnorm, "BatchNorm"),
      h("label", { class: "field check" }, c.showTest, tx("pg.showTest")),
    ),
    h("div", { class: "buttons" }, playButton, stepButton, resetButton),
    message,
    stats,
    h("div", { class: "playground" }, boundary, neurons),
  );

  let pg: Playground | null = null;
  let playing = false;
  let secondStart = 0;
  let epochsAtSecond = 0;
  let epochsPerSecond = 0;

  function reset(): void {
    pause();
    message.textContent = "";
    let config: PlaygroundConfig | null = null;
    try {
      config = readPlaygroundConfig(c);
    } catch (e) {
      message.textContent = e instanceof Error ? e.message : String(e);
    }
    pg = config === null ? null : new Playground(config);
    draw();
  }

  function draw(): void {
    element.dataset.epoch = String(pg?.epoch ?? 0);
    if (pg === null) return;
    const { p1, neurons: outs } = pg.gridOutputs();
    drawBoundary(boundary, p1, pg.data, c.showTest.checked);
    drawNeurons(neurons, outs);
    const e = pg.evaluate();
    const ms = pg.epoch === 0 ? 0 : pg.trainMs / pg.epoch;
    stats.textContent = t("pg.stats", {
      epoch: pg.epoch,
      ms: ms.toFixed(2),
      eps: epochsPerSecond,
      trainLoss: e.trainLoss.toFixed(4),
      testLoss: e.testLoss.toFixed(4),
      trainAcc: (e.trainAccuracy * 100).toFixed(1),
      testAcc: (e.testAccuracy * 100).toFixed(1),
    });
    element.dataset.json = JSON.stringify({ epoch: pg.epoch, msPerEpoch: ms, epochsPerSecond, ...e });
  }

  function fail(e: unknown): void {
    pause();
    message.textContent = t("pg.stopped", { error: e instanceof Error ? e.message : String(e) });
  }

  function frame(now: number): void {
    if (!playing || pg === null) return;
    try {
      const start = performance.now();
      do pg.trainEpoch();
      while (performance.now() - start < FRAME_BUDGET_MS);
    } catch (e) {
      fail(e);
      return;
    }
    if (now - secondStart >= 1000) {
      epochsPerSecond = Math.round(((pg.epoch - epochsAtSecond) * 1000) / (now - secondStart));
      secondStart = now;
      epochsAtSecond = pg.epoch;
    }
    draw();
    requestAnimationFrame(frame);
  }

  function toggle(): void {
    if (playing) {
      pause();
      return;
    }
    if (pg === null) reset();
    if (pg === null) return;
    playing = true;
    playButton.textContent = t("pg.pause");
    element.dataset.state = "playing";
    secondStart = performance.now();
    epochsAtSecond = pg.epoch;
    ctx.announce(t("pg.training"));
    requestAnimationFrame(frame);
  }

  function pause(): void {
    playing = false;
    playButton.textContent = t("pg.play");
    element.dataset.state = "paused";
  }

  function stepOnce(): void {
    pause();
    if (pg === null) reset();
    try {
      pg?.trainEpoch();
    } catch (e) {
      fail(e);
    }
    draw();
  }

  // First (before the reset every setting triggers): a new optimizer suggests ten times the
  // book's MNIST learning rate for it (SGD 0.1, Adam 0.01): these nets are tiny.
  c.optimizer.addEventListener("change", () => {
    c.lr.value = String(DEFAULT_LR[c.optimizer.value as OptimizerName] * 10);
  });
  for (const el of Object.values(c)) el.addEventListener("change", () => (el === c.showTest ? draw() : reset()));
  reset();
  // A new language: the texts drawn from the state, and the settings' error (the net keeps training).
  onLang(() => {
    playButton.textContent = t(playing ? "pg.pause" : "pg.play");
    if (message.textContent !== "" && pg === null) {
      try {
        readPlaygroundConfig(c);
      } catch (e) {
        message.textContent = e instanceof Error ? e.message : String(e);
      }
    }
    draw();
  });
  return { element, hide: pause };
};

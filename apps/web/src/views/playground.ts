// The 2-D playground (after TensorFlow Playground): a toy data set, any MultiLayerNet or
// MultiLayerNetExtend built by createNet, one Play button. While it plays, each animation frame
// trains whole epochs on the page's thread (the nets are tiny), then draws the
// decision boundary, every hidden neuron's output, the epoch, the losses and ms per epoch. About
// 25 ms of training per frame keeps the page near 30 frames per second and spends most of the
// time training.
import { DEFAULT_LR, type OptimizerName } from "@bp/nets";
import { h } from "../dom.js";
import { Playground, type PlaygroundConfig } from "../playground-model.js";
import { playgroundControls, readPlaygroundConfig } from "./playground-controls.js";
import { drawBoundary, drawNeurons } from "./playground-draw.js";
import type { ViewFactory } from "./view.js";

const FRAME_BUDGET_MS = 25;

export const createPlaygroundView: ViewFactory = (ctx) => {
  const c = playgroundControls();
  const playButton = h("button", { type: "button", id: "pg-play", class: "primary", onclick: () => toggle() }, "Play");
  const stepButton = h("button", { type: "button", id: "pg-step", onclick: () => stepOnce() }, "Step an epoch");
  const resetButton = h("button", { type: "button", id: "pg-reset", onclick: () => reset() }, "Reset");
  const message = h("p", { id: "pg-message", class: "message" });
  const stats = h("p", { id: "pg-stats", class: "step-status" });
  const boundary = h("canvas", { id: "pg-boundary", role: "img", "aria-label": "decision boundary and data points" });
  const neurons = h("div", { id: "pg-neurons", class: "neurons" });
  const label = (text: string, el: HTMLElement) => h("label", { class: "field" }, text, el);

  const element = h(
    "section",
    { "aria-labelledby": "playground-title", class: "view" },
    h("h2", { id: "playground-title" }, "Playground"),
    h(
      "p",
      {},
      "A small net learns to separate two classes of points in the plane (orange 0, blue 1; train points ringed white, test points black). The background is the net's P(blue) at each place; under it, what each hidden neuron outputs over the same square. The net is a real MultiLayerNet (MultiLayerNetExtend with BatchNorm or Dropout) of @bp/nets with 2 inputs and 2 classes, trained in minibatches by the chosen optimizer. Changing a setting starts again.",
    ),
    h(
      "div",
      { class: "fields" },
      label("Data", c.dataset),
      label("Noise (0 to 0.5)", c.noise),
      label("Train share (0.1 to 0.9)", c.trainRatio),
      label("Hidden sizes", c.hidden),
      label("Activation", c.activation),
      label("Init", c.init),
      label("Optimizer", c.optimizer),
      label("Learning rate", c.lr),
      label("Batch", c.batch),
      label("Weight decay λ", c.weightDecay),
      label("Dropout ratio", c.dropout),
      h("label", { class: "field check" }, c.batchnorm, "BatchNorm"),
      h("label", { class: "field check" }, c.showTest, "Show test points"),
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
    stats.textContent = `Epoch ${pg.epoch} · ${ms.toFixed(2)} ms per epoch · ${epochsPerSecond} epochs/s · loss train ${e.trainLoss.toFixed(4)}, test ${e.testLoss.toFixed(4)} · accuracy train ${(e.trainAccuracy * 100).toFixed(1)} %, test ${(e.testAccuracy * 100).toFixed(1)} %`;
    element.dataset.json = JSON.stringify({ epoch: pg.epoch, msPerEpoch: ms, epochsPerSecond, ...e });
  }

  function fail(e: unknown): void {
    pause();
    message.textContent = `Training stopped: ${e instanceof Error ? e.message : String(e)}. Try a smaller learning rate.`;
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
    playButton.textContent = "Pause";
    element.dataset.state = "playing";
    secondStart = performance.now();
    epochsAtSecond = pg.epoch;
    ctx.announce("Training");
    requestAnimationFrame(frame);
  }

  function pause(): void {
    playing = false;
    playButton.textContent = "Play";
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
  return { element, hide: pause };
};

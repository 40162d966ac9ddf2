// The page: reads the form, starts a fresh training Worker per run, and draws what it reports (a
// loss line, the epoch table, the final accuracies). No tensor math runs here, so the frame
// counter keeps ticking while the worker trains.
import type { BackendName, EpochRow, TrainRequest, WorkerMessage } from "./messages.js";

function el<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`index.html has no element #${id}`);
  return found as T;
}

const form = el<HTMLFormElement>("config");
const startButton = el<HTMLButtonElement>("start");
const stopButton = el<HTMLButtonElement>("stop");
const framesOut = el<HTMLOutputElement>("frames");
const isolatedOut = el<HTMLOutputElement>("isolated");
const iterationOut = el<HTMLOutputElement>("iteration");
const lossOut = el<HTMLOutputElement>("loss");
const statusText = el<HTMLSpanElement>("status");
const errorBox = el<HTMLDivElement>("error");
const canvas = el<HTMLCanvasElement>("chart");
const epochBody = el<HTMLTableElement>("epochs").tBodies[0]!;
const result = el<HTMLParagraphElement>("result");

// The frame counter: proof that the page stays responsive while the worker computes.
let frames = 0;
const tick = (): void => {
  frames++;
  framesOut.value = String(frames);
  requestAnimationFrame(tick);
};
requestAnimationFrame(tick);

isolatedOut.value = String(globalThis.crossOriginIsolated);
if (!globalThis.crossOriginIsolated) {
  showError(
    "This page is not cross-origin isolated (it needs the headers Cross-Origin-Opener-Policy: same-origin and " +
      "Cross-Origin-Embedder-Policy: require-corp), so SharedArrayBuffer is unavailable and the worker backend " +
      "cannot start. The cpu backend still works.",
  );
}

function showError(text: string): void {
  errorBox.textContent = text;
}

function intField(id: string, min: number): number {
  const input = el<HTMLInputElement>(id);
  const v = Number(input.value);
  if (!Number.isInteger(v) || v < min)
    throw new Error(`${id} must be an integer of at least ${min}, got "${input.value}"`);
  return v;
}

function readConfig(): TrainRequest {
  const lrInput = el<HTMLInputElement>("lr");
  const lr = Number(lrInput.value);
  if (!Number.isFinite(lr) || lr <= 0)
    throw new Error(`learning rate must be a positive number, got "${lrInput.value}"`);
  const iterations = intField("iterations", 1);
  return {
    type: "start",
    iterations,
    batch: intField("batch", 1),
    lr,
    hidden: intField("hidden", 1),
    seed: intField("seed", 0),
    dtype: el<HTMLSelectElement>("dtype").value === "float32" ? "float32" : "float64",
    backend: el<HTMLSelectElement>("backend").value as BackendName,
    threads: intField("threads", 1),
    reportEvery: Math.max(1, Math.floor(iterations / 200)),
  };
}

// The loss line.
let points: { iteration: number; loss: number }[] = [];
let totalIterations = 1;
let drawPending = false;

function scheduleDraw(): void {
  if (drawPending) return;
  drawPending = true;
  requestAnimationFrame(() => {
    drawPending = false;
    draw();
  });
}

function draw(): void {
  const ctx = canvas.getContext("2d");
  if (ctx === null) return;
  const { width, height } = canvas;
  const pad = { left: 44, right: 10, top: 10, bottom: 24 };
  ctx.clearRect(0, 0, width, height);
  const maxLoss = Math.max(2.5, ...points.map((p) => (Number.isFinite(p.loss) ? p.loss : 0)));
  const x = (it: number): number => pad.left + ((width - pad.left - pad.right) * it) / totalIterations;
  const y = (loss: number): number => pad.top + (height - pad.top - pad.bottom) * (1 - loss / maxLoss);
  ctx.strokeStyle = "#999";
  ctx.fillStyle = "#555";
  ctx.font = "11px system-ui, sans-serif";
  ctx.beginPath();
  ctx.moveTo(pad.left, pad.top);
  ctx.lineTo(pad.left, height - pad.bottom);
  ctx.lineTo(width - pad.right, height - pad.bottom);
  ctx.stroke();
  for (const l of [0, maxLoss / 2, maxLoss]) ctx.fillText(l.toFixed(2), 4, y(l) + 4);
  ctx.fillText("0", pad.left, height - 8);
  ctx.fillText(`${totalIterations} iterations`, width - pad.right - 80, height - 8);
  ctx.strokeStyle = "#1565c0";
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  for (const [i, p] of points.entries()) {
    if (i === 0) ctx.moveTo(x(p.iteration), y(p.loss));
    else ctx.lineTo(x(p.iteration), y(p.loss));
  }
  ctx.stroke();
}

function addEpochRow(row: EpochRow): void {
  const tr = epochBody.insertRow();
  for (const v of [
    row.epoch.toFixed(0),
    String(row.iteration),
    row.loss.toFixed(4),
    row.trainAccuracy.toFixed(4),
    row.testAccuracy.toFixed(4),
  ]) {
    tr.insertCell().textContent = v;
  }
}

// One Worker per run; Stop terminates it (and with it the worker backend's threads).
let worker: Worker | null = null;

function finish(state: "done" | "error" | "stopped"): void {
  worker?.terminate();
  worker = null;
  document.body.dataset.state = state;
  startButton.disabled = false;
  stopButton.disabled = true;
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  if (worker !== null) return;
  let cfg: TrainRequest;
  try {
    cfg = readConfig();
  } catch (err) {
    showError(err instanceof Error ? err.message : String(err));
    return;
  }
  showError("");
  points = [];
  totalIterations = cfg.iterations;
  epochBody.replaceChildren();
  result.textContent = "";
  delete result.dataset.json;
  iterationOut.value = "-";
  lossOut.value = "-";
  draw();
  document.body.dataset.state = "running";
  startButton.disabled = true;
  stopButton.disabled = false;
  let framesAtReady = frames;

  const w = new Worker(new URL("./train.worker.ts", import.meta.url), { type: "module" });
  worker = w;
  w.addEventListener("error", (ev) => {
    showError(`The training worker failed: ${ev.message || "its script could not be loaded"}`);
    statusText.textContent = "failed";
    finish("error");
  });
  w.addEventListener("message", (ev: MessageEvent<WorkerMessage>) => {
    const m = ev.data;
    switch (m.type) {
      case "status":
        statusText.textContent = `${m.text} (worker cross-origin isolated: ${m.crossOriginIsolated})`;
        break;
      case "ready":
        framesAtReady = frames;
        statusText.textContent = `training on ${m.trainSize} images, ${m.backend} backend, ${m.threads} thread(s); data loaded in ${m.loadSeconds.toFixed(1)} s`;
        break;
      case "progress":
        iterationOut.value = `${m.iteration} / ${cfg.iterations}`;
        lossOut.value = m.loss.toFixed(4);
        points.push({ iteration: m.iteration, loss: m.loss });
        scheduleDraw();
        break;
      case "epoch":
        addEpochRow(m.row);
        break;
      case "done": {
        const framesDuringTraining = frames - framesAtReady;
        statusText.textContent = `done in ${m.seconds.toFixed(1)} s of training`;
        result.textContent =
          `train accuracy ${m.trainAccuracy.toFixed(4)}, test accuracy ${m.testAccuracy.toFixed(4)}, ` +
          `loss ${m.loss.toFixed(4)}; W2[0..8] = ${m.w2.map((v) => v.toFixed(6)).join(", ")}`;
        result.dataset.json = JSON.stringify({ ...m, framesDuringTraining, config: cfg });
        finish("done");
        break;
      }
      case "error":
        showError(m.message);
        statusText.textContent = "failed";
        finish("error");
        break;
    }
  });
  w.postMessage(cfg);
});

stopButton.addEventListener("click", () => {
  if (worker === null) return;
  statusText.textContent = "stopped";
  finish("stopped");
});

draw();

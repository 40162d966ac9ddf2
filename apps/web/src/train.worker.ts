// The dedicated module Worker that does all the tensor work: fetches MNIST (through Cache
// Storage), builds the tensors on the chosen backend, trains, and runs the gradient check; the page
// only sends requests and draws what comes back.
//
// Training runs in slices of a few tens of milliseconds, so that pause, step and stop messages
// are handled between two iterations. Pausing changes nothing about the run: the same net, the same
// minibatch generator and the same optimizer continue, so a paused and resumed run gives exactly
// the numbers of an uninterrupted one. The iteration is the book's (ch05/train_neuralnet.py, the
// loop of `trainNet` in @bp/nets and `bp train --sampling choice`): weights from Rng(seed),
// minibatches from Rng(seed + 1), backprop gradient, SGD update.
import { mnistFromIdx, sampleMinibatch, type MnistData, type MnistIdx } from "@bp/data";
import { checkNet } from "@bp/gradcheck";
import { SGD, TwoLayerNet, iterationsPerEpoch, type EpochRow } from "@bp/nets";
import { Rng, cpu, type Backend, type FloatDType, type Tensor } from "@bp/tensor";
import { createWorkerBackend } from "@bp/tensor/worker";
import type { GradCheckRequest, NetParams, PageMessage, RunState, TrainConfig, WorkerMessage } from "./messages.js";
import { fetchIdx, MNIST_FILES } from "./mnist-files.js";

/** The parts of DedicatedWorkerGlobalScope used here (the DOM lib types `self` as a Window). */
interface WorkerScope {
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
  addEventListener(type: "message", listener: (e: MessageEvent<PageMessage>) => void): void;
  location: Location;
}
const scope = self as unknown as WorkerScope;
const post = (m: WorkerMessage, transfer: Transferable[] = []): void => scope.postMessage(m, transfer);

/** How long one slice of iterations may run before the worker looks at its messages again. */
const SLICE_MS = 30;
/** How often the hidden units' images are sent. */
const WEIGHTS_MS = 250;

// ---- data, kept between runs ----

let idxFiles: MnistIdx | null = null;
let loaded: { key: string; backend: Backend; data: MnistData } | null = null;

async function loadIdx(): Promise<"cache" | "network" | "memory"> {
  if (idxFiles !== null) return "memory";
  post({
    type: "status",
    text: "fetching MNIST (4 IDX files, 55 MB; kept in the browser's cache after the first time)",
  });
  const keys = Object.keys(MNIST_FILES) as (keyof MnistIdx)[];
  const fetched = await Promise.all(keys.map((k) => fetchIdx(k, scope.location.href)));
  idxFiles = Object.fromEntries(keys.map((k, i) => [k, fetched[i]!.idx])) as unknown as MnistIdx;
  return fetched.every((f) => f.fromCache) ? "cache" : "network";
}

/** MNIST as tensors of `dtype` on `backend` (reused when the last run asked for the same). */
async function loadData(
  backendName: TrainConfig["backend"],
  threads: number,
  dtype: FloatDType,
): Promise<{ data: MnistData; backend: Backend; source: "cache" | "network" | "memory" }> {
  const key = `${backendName}/${threads}/${dtype}`;
  const source = await loadIdx();
  if (loaded?.key === key) return { data: loaded.data, backend: loaded.backend, source };
  if (loaded !== null && loaded.backend !== cpu) loaded.backend.dispose();
  loaded = null;
  post({ type: "status", text: `starting the ${backendName} backend` });
  const backend = backendName === "worker" ? await createWorkerBackend({ threads }) : cpu;
  post({ type: "status", text: `converting MNIST to ${dtype} tensors` });
  const data = mnistFromIdx(idxFiles!, { dtype, backend });
  loaded = { key, backend, data };
  return { data, backend, source };
}

// ---- the training run ----

interface Run {
  config: TrainConfig;
  data: MnistData;
  net: TwoLayerNet;
  rng: Rng;
  optimizer: SGD;
  perEpoch: number;
  iteration: number;
  state: RunState;
  /** Minibatch losses since the last epoch row (the row's mean loss). */
  lossSum: number;
  lossCount: number;
  lastLoss: number;
  /** Pending losses not yet posted. */
  pending: number[];
  pendingFirst: number;
  trainMs: number;
  lastWeights: number;
}

let run: Run | null = null;
let runToken = 0;

function setState(r: Run, state: RunState): void {
  r.state = state;
  post({ type: "state", state, iteration: r.iteration });
}

function evaluate(r: Run): EpochRow {
  const { data, net } = r;
  const row: EpochRow = {
    epoch: r.iteration / r.perEpoch,
    iteration: r.iteration,
    trainAccuracy: net.accuracy(data.xTrain, data.tTrain),
    testAccuracy: net.accuracy(data.xTest, data.tTest),
    loss: r.lossCount > 0 ? r.lossSum / r.lossCount : r.lastLoss,
  };
  r.lossSum = 0;
  r.lossCount = 0;
  return row;
}

function flushLosses(r: Run): void {
  if (r.pending.length === 0) return;
  post({ type: "progress", first: r.pendingFirst, losses: r.pending, seconds: r.trainMs / 1000 });
  r.pending = [];
  r.pendingFirst = r.iteration + 1;
}

function postWeights(r: Run): void {
  r.lastWeights = performance.now();
  const w1 = Float64Array.from(r.net.params.W1.data);
  post({ type: "weights", iteration: r.iteration, hidden: r.config.hidden, w1 }, [w1.buffer]);
}

function paramsOf(net: TwoLayerNet): NetParams {
  const copy = (t: Tensor) => ({
    shape: [...t.shape],
    data: t.dtype === "float32" ? Float32Array.from(t.data) : Float64Array.from(t.data),
  });
  const { W1, b1, W2, b2 } = net.params;
  return { W1: copy(W1), b1: copy(b1), W2: copy(W2), b2: copy(b2) };
}

/** One iteration; false when the loss was not finite (the run stops before that update). */
function iterate(r: Run): boolean {
  const { xTrain, tTrain } = r.data;
  const { xBatch, tBatch } = sampleMinibatch(xTrain, tTrain, r.config.batch, r.rng);
  const grads = r.net.gradient(xBatch, tBatch);
  const loss = r.net.lastLayer.loss ?? Number.NaN;
  if (!Number.isFinite(loss)) {
    r.iteration++;
    r.pending.push(loss);
    return false;
  }
  r.optimizer.update(r.net.params, grads);
  r.iteration++;
  r.lastLoss = loss;
  r.lossSum += loss;
  r.lossCount++;
  r.pending.push(loss);
  if (r.iteration % r.perEpoch === 0) {
    flushLosses(r);
    post({ type: "epoch", row: evaluate(r) });
  }
  return true;
}

function divergedMessage(r: Run, loss: number): string {
  const { lr, weightInitStd } = r.config;
  return (
    `The loss became ${loss} at iteration ${r.iteration}: the updates grew so large that the numbers overflowed, ` +
    `so training stopped (the net is kept as it was before that update). ` +
    `Try a smaller learning rate (it is ${lr}; the book uses 0.1)` +
    (weightInitStd > 0.1 ? ` or a smaller weight init std (it is ${weightInitStd}; the book uses 0.01)` : "") +
    ", then start again."
  );
}

function finish(r: Run, state: "finished" | "stopped"): void {
  flushLosses(r);
  postWeights(r);
  const final = evaluate(r);
  setState(r, state);
  post({ type: "result", state, final, seconds: r.trainMs / 1000, params: paramsOf(r.net), config: r.config });
}

/** Runs up to `max` iterations for at most `ms`; reports; false when the run ended or diverged. */
function runSome(r: Run, max: number, ms: number): boolean {
  const t0 = performance.now();
  let ok = true;
  let n = 0;
  while (r.iteration < r.config.iterations && n < max && performance.now() - t0 < ms) {
    ok = iterate(r);
    n++;
    if (!ok) break;
  }
  r.trainMs += performance.now() - t0;
  flushLosses(r);
  if (!ok) {
    const loss = r.pending.at(-1) ?? r.net.lastLayer.loss ?? Number.NaN;
    postWeights(r);
    setState(r, "diverged");
    post({ type: "diverged", iteration: r.iteration, loss, message: divergedMessage(r, loss) });
    return false;
  }
  if (r.iteration >= r.config.iterations) {
    finish(r, "finished");
    return false;
  }
  if (performance.now() - r.lastWeights > WEIGHTS_MS) postWeights(r);
  return true;
}

/** Runs slices of iterations until the run is paused, stopped, replaced, finished or diverged. */
function pump(r: Run): void {
  if (r !== run || r.state !== "running") return;
  if (runSome(r, Number.POSITIVE_INFINITY, SLICE_MS)) setTimeout(() => pump(r), 0);
}

async function start(config: TrainConfig, paused: boolean): Promise<void> {
  const token = ++runToken;
  run = null;
  const t0 = performance.now();
  post({ type: "state", state: "loading", iteration: 0 });
  const { data, backend, source } = await loadData(config.backend, config.threads, config.dtype);
  if (token !== runToken) return; // a newer start arrived while loading
  const trainSize = data.xTrain.shape[0]!;
  const perEpoch = iterationsPerEpoch(trainSize, config.batch);
  post({
    type: "ready",
    trainSize,
    testSize: data.xTest.shape[0]!,
    backend: backend.name,
    threads: config.backend === "worker" ? config.threads : 1,
    loadSeconds: (performance.now() - t0) / 1000,
    source,
    iterationsPerEpoch: perEpoch,
  });
  const net = new TwoLayerNet(data.xTrain.shape[1]!, config.hidden, 10, {
    seed: config.seed,
    dtype: config.dtype,
    backend,
    weightInitStd: config.weightInitStd,
  });
  const r: Run = {
    config,
    data,
    net,
    rng: new Rng(config.seed + 1),
    optimizer: new SGD({ lr: config.lr }),
    perEpoch,
    iteration: 0,
    state: "paused",
    lossSum: 0,
    lossCount: 0,
    lastLoss: Number.NaN,
    pending: [],
    pendingFirst: 1,
    trainMs: 0,
    lastWeights: 0,
  };
  run = r;
  postWeights(r);
  if (paused) setState(r, "paused");
  else {
    setState(r, "running");
    pump(r);
  }
}

// ---- the gradient check ----

async function gradCheck(req: GradCheckRequest): Promise<void> {
  const t0 = performance.now();
  const { data } = await loadData("cpu", 1, req.dtype);
  post({ type: "status", text: `gradient check: ${req.samples} images, hidden size ${req.hidden}` });
  const rows = Array.from({ length: req.samples }, (_, i) => i);
  const x = data.xTrain.gather(rows);
  const t = data.tTrain.gather(rows);
  const net = new TwoLayerNet(data.xTrain.shape[1]!, req.hidden, 10, { seed: req.seed, dtype: req.dtype });
  const report = checkNet(net, x, t);
  post({
    type: "gradcheck",
    passed: report.passed,
    seconds: (performance.now() - t0) / 1000,
    rows: Object.values(report.comparisons).map((c) => ({
      name: c.name,
      shape: [...c.shape],
      meanAbsDiff: c.meanAbsDiff,
      maxAbsDiff: c.maxAbsDiff,
      maxRelError: c.maxRelError,
      failures: c.failures,
      passed: c.passed,
    })),
  });
}

// ---- messages ----

function handle(m: PageMessage): Promise<void> | void {
  const r = run;
  switch (m.type) {
    case "start":
      return start(m.config, m.paused);
    case "gradcheck":
      return gradCheck(m);
    case "pause":
      if (r?.state === "running") {
        setState(r, "paused");
        postWeights(r);
      }
      return;
    case "resume":
      if (r?.state === "paused") {
        setState(r, "running");
        pump(r);
      }
      return;
    case "step":
      if (r?.state === "paused" && runSome(r, m.count, Number.POSITIVE_INFINITY)) {
        postWeights(r);
        setState(r, "paused");
      }
      return;
    case "stop":
      if (r?.state === "running" || r?.state === "paused") finish(r, "stopped");
      return;
    case "reset":
      runToken++;
      run = null;
      return;
  }
}

scope.addEventListener("message", (e) => {
  Promise.resolve()
    .then(() => handle(e.data))
    .catch((err: unknown) => {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      post({ type: "error", message });
    });
});

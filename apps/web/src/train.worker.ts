// The dedicated module Worker that does all the tensor work: fetches MNIST (through Cache
// Storage), builds the tensors on the chosen backend, trains, and runs the gradient check; the page
// only sends requests and draws what comes back.
//
// Training is the library's `Trainer` (the book's common/trainer.py, with bp's seeded setup:
// weights from Rng(seed), minibatches from Rng(seed + 1)), driven one `trainStep()` at a time in
// slices of a few tens of milliseconds, so that pause, step and stop messages are handled between
// two iterations. Pausing changes nothing about the run: the same trainer continues, so a paused
// and resumed run gives exactly the numbers of an uninterrupted one.
import { mnistFromIdx, type MnistData, type MnistIdx } from "@bp/data";
import { checkNet } from "@bp/gradcheck";
import { DivergenceError, encodeNet, firstRows, NETS, Trainer, type Net } from "@bp/nets";
import { cpu, tensor, type Backend, type FloatDType, type Tensor } from "@bp/tensor";
import { createBackend } from "@bp/tensor/backends";
import type { BackendName, GradCheckRequest, PageMessage, RunState, TrainConfig, WorkerMessage } from "./messages.js";
import { InsideProbe } from "./inside-probe.js";
import { fetchIdx, MNIST_FILES } from "./mnist-files.js";
import { buildNet, netTitle } from "./net-factory.js";

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
/** Test rows of the chart's accuracy curve. */
const CURVE_ROWS = 500;
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
  backendName: BackendName,
  threads: number,
  dtype: FloatDType,
): Promise<{ data: MnistData; backend: Backend; source: "cache" | "network" | "memory" }> {
  const key = `${backendName}/${threads}/${dtype}`;
  const source = await loadIdx();
  if (loaded?.key === key) return { data: loaded.data, backend: loaded.backend, source };
  loaded?.backend.dispose();
  loaded = null;
  post({ type: "status", text: `starting the ${backendName} backend` });
  const backend = await createBackend(backendName, { worker: { threads } });
  post({ type: "status", text: `converting MNIST to ${dtype} tensors` });
  const data = mnistFromIdx(idxFiles!, { dtype, backend });
  loaded = { key, backend, data };
  return { data, backend, source };
}

// ---- the training run ----

interface Run {
  config: TrainConfig;
  data: MnistData;
  net: Net;
  trainer: Trainer;
  state: RunState;
  /** Losses not yet posted, and the iteration of the first. */
  pending: number[];
  pendingFirst: number;
  trainMs: number;
  lastWeights: number;
  /** Inside the net (not for SimpleConvNet, whose layers take images). */
  probe: InsideProbe | null;
}

/** The test image the inside readout follows (the page's "probe" message). */
let probeImage = 0;

let run: Run | null = null;
let runToken = 0;

function setState(r: Run, state: RunState): void {
  r.state = state;
  post({ type: "state", state, iteration: r.trainer.currentIter });
}

function flushLosses(r: Run): void {
  if (r.pending.length === 0) return;
  post({ type: "progress", first: r.pendingFirst, losses: r.pending, seconds: r.trainMs / 1000 });
  r.pending = [];
  r.pendingFirst = r.trainer.currentIter + 1;
}

function postWeights(r: Run): void {
  r.lastWeights = performance.now();
  postInside(r);
  const W1 = r.net.params.W1!;
  const iteration = r.trainer.currentIter;
  if (W1.rank === 2) {
    const w1 = Float64Array.from(W1.data);
    post({ type: "weights", iteration, hidden: W1.shape[1]!, side: 28, w1 }, [w1.buffer]);
    return;
  }
  // SimpleConvNet's W1 [filters, 1, side, side]: filter f's pixel p goes to w1[p * filters + f].
  const [filters, , side] = W1.shape as [number, number, number, number];
  const w1 = new Float64Array(filters * side * side);
  for (let f = 0; f < filters; f++)
    for (let p = 0; p < side * side; p++) w1[p * filters + f] = W1.data[f * side * side + p]!;
  post({ type: "weights", iteration, hidden: filters, side, w1 }, [w1.buffer]);
}

function postInside(r: Run): void {
  if (r.probe === null) return;
  const m = r.probe.snapshot(r.trainer.currentIter, probeImage, r.data.xTest, r.data.tTest);
  const buffers = [
    m.pixels,
    ...m.layers.map((l) => l.values),
    ...m.grads.map((g) => g.values),
    ...m.grid.map((g) => g.pixels),
  ];
  post(
    m,
    buffers.map((b) => b.buffer),
  );
}

/** The run's rows of the data (the first trainSize and testSize), as images [N, 1, 28, 28] for
 * SimpleConvNet (a reshape: the same storage). */
function runData(data: MnistData, config: TrainConfig): MnistData {
  const images = (x: Tensor) => (NETS[config.net].images ? x.reshape([-1, 1, 28, 28]) : x);
  return {
    xTrain: images(firstRows(data.xTrain, config.trainSize)),
    tTrain: firstRows(data.tTrain, config.trainSize),
    xTest: images(firstRows(data.xTest, config.testSize)),
    tTest: firstRows(data.tTest, config.testSize),
  };
}

function finish(r: Run, state: "finished" | "stopped"): void {
  flushLosses(r);
  postWeights(r);
  // The Trainer's own end of a run: whole sets, the mean loss since the last epoch row.
  const final = r.trainer.finish().final;
  const model = encodeNet(r.net, { data: "mnist", trainedBy: "bp web", iterations: String(final.iteration) });
  const w2 = Array.from(r.net.params.W2!.data.subarray(0, 8));
  // The result first: once the page sees the state change, the result is there.
  post({ type: "result", state, final, seconds: r.trainMs / 1000, model, w2, config: r.config }, [model.buffer]);
  setState(r, state);
}

function divergedMessage(r: Run, e: DivergenceError): string {
  const { iteration, what, kind, value } = e.divergence;
  const subject = kind === "parameter" ? `The parameter ${what}` : `The ${what}`;
  const { lr, init } = r.config;
  return (
    `${subject} became ${value} at iteration ${iteration}: the updates grew so large that the numbers overflowed, ` +
    "so training stopped. " +
    `Try a smaller learning rate (it is ${lr}; the book uses 0.1 for SGD, 0.001 for Adam)` +
    (typeof init === "number" && init > 0.1
      ? ` or a smaller weight init std (it is ${init}; the book uses 0.01)`
      : "") +
    ", then start again."
  );
}

/** Runs up to `max` iterations for at most `ms`; reports; false when the run ended or diverged. */
function runSome(r: Run, max: number, ms: number): boolean {
  const t0 = performance.now();
  const { trainer } = r;
  try {
    for (let n = 0; trainer.currentIter < trainer.maxIter && n < max && performance.now() - t0 < ms; n++) {
      trainer.trainStep();
    }
  } catch (e) {
    if (!(e instanceof DivergenceError)) throw e;
    r.trainMs += performance.now() - t0;
    flushLosses(r);
    postWeights(r);
    post({ type: "diverged", iteration: e.divergence.iteration, message: divergedMessage(r, e) });
    setState(r, "diverged");
    return false;
  }
  r.trainMs += performance.now() - t0;
  flushLosses(r);
  if (trainer.currentIter >= trainer.maxIter) {
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
  const loadedData = await loadData(config.backend, config.threads, config.dtype);
  if (token !== runToken) return; // a newer start arrived while loading
  const { backend, source } = loadedData;
  const data = runData(loadedData.data, config);
  const net = buildNet(config, backend);
  const trainer = new Trainer(net, data, {
    miniBatchSize: config.batch,
    iterations: config.iterations,
    optimizer: config.optimizer,
    optimizerParams: { lr: config.lr },
    seed: config.seed,
    sampling: "choice",
  });
  post({
    type: "ready",
    trainSize: data.xTrain.shape[0]!,
    testSize: data.xTest.shape[0]!,
    backend: backend.name,
    threads: config.backend === "worker" ? config.threads : 1,
    loadSeconds: (performance.now() - t0) / 1000,
    source,
    iterationsPerEpoch: trainer.iterPerEpoch,
    net: netTitle(config),
  });
  const r: Run = {
    config,
    data,
    net,
    trainer,
    state: "paused",
    pending: [],
    pendingFirst: 1,
    trainMs: 0,
    lastWeights: 0,
    probe: NETS[config.net].images ? null : new InsideProbe(net),
  };
  // The chart's accuracy curve: about 10 points per epoch (at least every 10 iterations).
  const curveEvery = Math.max(10, Math.floor(trainer.iterPerEpoch / 10));
  trainer.on("iteration", ({ loss, iteration }) => {
    r.pending.push(loss);
    r.probe?.afterStep();
    if (r.probe !== null && iteration % curveEvery === 0) {
      flushLosses(r);
      const testAccuracy = r.probe.subsetAccuracy(r.data.xTest, r.data.tTest, CURVE_ROWS);
      post({ type: "curve", iteration, testAccuracy, batchAccuracy: r.probe.batchAccuracy });
    }
  });
  trainer.on("epoch", (row) => {
    flushLosses(r);
    post({ type: "epoch", row });
  });
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
  await loadIdx();
  post({ type: "status", text: `gradient check of ${netTitle(req.config)} on ${req.samples} images` });
  // The first images straight from the IDX bytes (normalized as mnistFromIdx does), on cpu: the
  // check neither builds the whole set nor touches the data and backend a training run is using.
  const { trainImages, trainLabels } = idxFiles!;
  const n = req.samples;
  const pixels = trainImages.array.data.subarray(0, n * 784);
  const x = tensor(
    Float64Array.from(pixels, (v) => v / 255),
    { shape: [n, 784], dtype: req.config.dtype },
  );
  const t = tensor(Int32Array.from(trainLabels.array.data.subarray(0, n)), { dtype: "int32" });
  const net = buildNet(req.config, cpu);
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
    case "probe":
      probeImage = m.image;
      if (r !== null) postInside(r);
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
      post({ type: "error", about: e.data.type === "gradcheck" ? "gradcheck" : "train", message });
    });
});

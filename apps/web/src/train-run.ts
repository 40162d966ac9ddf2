// The training worker's run: the library's `Trainer` (the book's common/trainer.py, with bp's
// seeded setup: weights from Rng(seed), minibatches from Rng(seed + 1)), driven one `trainStep()`
// at a time in slices of a few tens of milliseconds, so that pause, step and stop messages are
// handled between two iterations. Pausing changes nothing about the run: the same trainer
// continues, so a paused and resumed run gives exactly the numbers of an uninterrupted one.
import { DivergenceError, encodeNet, NETS, Trainer } from "@bp/nets";
import type { PageMessage, RunState, TrainConfig } from "./messages.js";
import { InsideProbe } from "./inside-probe.js";
import { buildNet, netTitle } from "./net-factory.js";
import { loadData, runData } from "./train-data.js";
import { divergedMessage, flushLosses, type Posting, postInside, postWeights } from "./train-posts.js";
import { post } from "./train-scope.js";

/** How long one slice of iterations may run before the worker looks at its messages again. */
const SLICE_MS = 30;
/** How often the hidden units' images are sent. */
const WEIGHTS_MS = 250;

interface Run extends Posting {
  state: RunState;
}

/** The test image the inside readout follows (the page's "probe" message). */
let probeImage = 0;
let run: Run | null = null;
let runToken = 0;

function setState(r: Run, state: RunState): void {
  r.state = state;
  post({ type: "state", state, iteration: r.trainer.currentIter });
}

function finish(r: Run, state: "finished" | "stopped"): void {
  flushLosses(r);
  postWeights(r, probeImage);
  // The Trainer's own end of a run: whole sets, the mean loss since the last epoch row.
  const final = r.trainer.finish().final;
  const model = encodeNet(r.net, { data: "mnist", trainedBy: "bp web", iterations: String(final.iteration) });
  const w2 = Array.from(r.net.params.W2!.data.subarray(0, 8));
  // The result first: once the page sees the state change, the result is there.
  post({ type: "result", state, final, seconds: r.trainMs / 1000, model, w2, config: r.config }, [model.buffer]);
  setState(r, state);
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
    postWeights(r, probeImage);
    post({ type: "diverged", iteration: e.divergence.iteration, message: divergedMessage(r.config, e) });
    setState(r, "diverged");
    return false;
  }
  r.trainMs += performance.now() - t0;
  flushLosses(r);
  if (trainer.currentIter >= trainer.maxIter) {
    finish(r, "finished");
    return false;
  }
  if (performance.now() - r.lastWeights > WEIGHTS_MS) postWeights(r, probeImage);
  return true;
}

/** Runs slices of iterations until the run is paused, stopped, replaced, finished or diverged. */
function pump(r: Run): void {
  if (r !== run || r.state !== "running") return;
  if (runSome(r, Number.POSITIVE_INFINITY, SLICE_MS)) setTimeout(() => pump(r), 0);
}

/** The accuracy curve's interval: the setting, or "auto": about 10 points per epoch (at least every
 * 10 iterations). */
export const curveInterval = (config: TrainConfig, iterPerEpoch: number): number =>
  config.curveEvery === "auto" ? Math.max(10, Math.floor(iterPerEpoch / 10)) : config.curveEvery;

export async function start(config: TrainConfig, paused: boolean): Promise<void> {
  const token = ++runToken;
  run = null;
  const t0 = performance.now();
  post({ type: "state", state: "loading", iteration: 0 });
  const loaded = await loadData(config.backend, config.threads, config.dtype, config.trainSize, config.testSize);
  if (token !== runToken) return; // a newer start arrived while loading
  const { backend, source } = loaded;
  const data = runData(loaded.data, config);
  const net = buildNet(config, backend);
  const trainer = new Trainer(net, data, {
    miniBatchSize: config.batch,
    iterations: config.iterations,
    optimizer: config.optimizer,
    optimizerParams: { lr: config.lr },
    seed: config.seed,
    sampling: "choice",
  });
  const probe = NETS[config.net].images ? null : new InsideProbe(net);
  const curveEvery = probe === null ? 0 : curveInterval(config, trainer.iterPerEpoch);
  const curveRows = Math.min(config.curveRows, data.xTest.shape[0]!);
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
    curveEvery,
    curveRows: probe === null ? 0 : curveRows,
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
    probe,
  };
  trainer.on("iteration", ({ loss, iteration }) => {
    r.pending.push(loss);
    r.probe?.afterStep();
    if (r.probe !== null && iteration % curveEvery === 0) {
      flushLosses(r);
      const testAccuracy = r.probe.subsetAccuracy(r.data.xTest, r.data.tTest, curveRows);
      post({ type: "curve", iteration, testAccuracy, batchAccuracy: r.probe.batchAccuracy });
    }
  });
  trainer.on("epoch", (row) => {
    flushLosses(r);
    post({ type: "epoch", row });
  });
  run = r;
  postWeights(r, probeImage);
  if (paused) setState(r, "paused");
  else {
    setState(r, "running");
    pump(r);
  }
}

/** Pause, resume, step, stop, probe and reset of the run under way. */
export function control(m: Exclude<PageMessage, { type: "start" | "gradcheck" }>): void {
  const r = run;
  switch (m.type) {
    case "pause":
      if (r?.state === "running") {
        setState(r, "paused");
        postWeights(r, probeImage);
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
        postWeights(r, probeImage);
        setState(r, "paused");
      }
      return;
    case "stop":
      if (r?.state === "running" || r?.state === "paused") finish(r, "stopped");
      return;
    case "probe":
      probeImage = m.image;
      if (r !== null) postInside(r, probeImage);
      return;
    case "reset":
      runToken++;
      run = null;
      return;
  }
}

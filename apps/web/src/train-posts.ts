// What a training run sends the page besides its state: the losses since the last message, the
// hidden units' weights (or Conv1's filters) as images, the inside-the-net readout, and the words
// for a run whose loss or weights stopped being finite.
import { t } from "./i18n/index.js";
import type { MnistData } from "@bp/data";
import type { DivergenceError, Net, Trainer } from "@bp/nets";
import type { TrainConfig } from "./messages.js";
import type { InsideProbe } from "./inside-probe.js";
import { post } from "./train-scope.js";

/** A run as these messages need it (train-run.ts's Run). */
export interface Posting {
  config: TrainConfig;
  data: MnistData;
  net: Net;
  trainer: Trainer;
  /** Losses not yet posted, and the iteration of the first. */
  pending: number[];
  pendingFirst: number;
  trainMs: number;
  lastWeights: number;
  /** Inside the net (not for SimpleConvNet, whose layers take images). */
  probe: InsideProbe | null;
}

export function flushLosses(r: Posting): void {
  if (r.pending.length === 0) return;
  post({ type: "progress", first: r.pendingFirst, losses: r.pending, seconds: r.trainMs / 1000 });
  r.pending = [];
  r.pendingFirst = r.trainer.currentIter + 1;
}

/** The weights' images and the inside readout of test image `probeImage`. */
export function postWeights(r: Posting, probeImage: number): void {
  r.lastWeights = performance.now();
  postInside(r, probeImage);
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

export function postInside(r: Posting, probeImage: number): void {
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

/** What happened and what to try, for a run the Trainer stopped with a DivergenceError. */
export function divergedMessage(config: TrainConfig, e: DivergenceError): string {
  const { iteration, what, kind, value } = e.divergence;
  // Values as JavaScript writes them (NaN, Infinity, 1e+300): strings, not regrouped.
  const at = { what, value: String(value), iteration: String(iteration) };
  const subject = t(kind === "parameter" ? "worker.divergedParam" : "worker.divergedLoss", at);
  const { lr, init } = config;
  const initHint = typeof init === "number" && init > 0.1 ? t("worker.divergedInit", { init: String(init) }) : "";
  return t("worker.diverged", { subject, lr: String(lr), init: initHint });
}

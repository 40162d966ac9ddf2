// One training step of the book's MultiLayerNet 784-100-100-100-100-10 with Adam (lr 0.001),
// float64, batch 100, without and with BatchNorm (MultiLayerNetExtend with useBatchnorm): gather the
// minibatch, forward, backward, update. Used by `pnpm bench` (main.ts, "multilayer step" rows) and by
// the standalone multilayer-step.ts.
import { Adam, MultiLayerNetExtend } from "@bp/nets";
import { Rng, rand, type Backend } from "@bp/tensor";
import type { PreparedOp } from "./target.js";
import { trainingStep } from "./train-step.js";
export const MULTILAYER_STEP = { hidden: [100, 100, 100, 100], rows: 1000, batch: 100, lr: 0.001, seed: 1 } as const;

/** A prepared MultiLayerNet(Extend) training step on `backend`: the same data, weights and minibatch
 * sequence on every backend. */
export function multiLayerStep(backend: Backend, useBatchnorm: boolean): PreparedOp {
  const x = rand([MULTILAYER_STEP.rows, 784], { seed: 7, backend });
  const templates = rand([784, 10], { seed: 8, low: -1, high: 1, backend });
  const t = x.matmul(templates).argmax(1);
  const net = new MultiLayerNetExtend(784, MULTILAYER_STEP.hidden, 10, {
    useBatchnorm,
    seed: MULTILAYER_STEP.seed,
    backend,
  });
  const optimizer = new Adam({ lr: MULTILAYER_STEP.lr });
  const batches = new Rng(4);
  return {
    run() {
      const idx = batches.choice(MULTILAYER_STEP.rows, MULTILAYER_STEP.batch);
      trainingStep(net, optimizer, x, t, idx);
    },
    dispose() {},
  };
}

/** Flops of the step's matrix products: forward x·W for every layer, backward dW for every layer
 * and dx for all but the first (the net skips the input's gradient). */
export function multiLayerStepFlops(): number {
  const sizes = [784, ...MULTILAYER_STEP.hidden, 10];
  let forward = 0;
  let dx = 0;
  for (let i = 0; i + 1 < sizes.length; i++) {
    const mac = MULTILAYER_STEP.batch * sizes[i]! * sizes[i + 1]!;
    forward += mac;
    if (i > 0) dx += mac;
  }
  return 2 * (2 * forward + dx);
}

/** The shape label of the bench rows. */
export function multiLayerStepShape(useBatchnorm: boolean): string {
  return `784-100x4-10 Adam${useBatchnorm ? " +BN" : ""}`;
}

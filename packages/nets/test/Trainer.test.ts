// Trainer: the book's common/trainer.py, checked against its loop written out by hand here on a
// small seeded problem; events, the seeded setup, evaluation samples and divergence.
import { describe, expect, it } from "vitest";
import { sampleMinibatch } from "@bp/data";
import { Rng, ValueError, tensor, type Tensor } from "@bp/tensor";
import {
  Adam,
  DivergenceError,
  MultiLayerNet,
  SGD,
  Trainer,
  batchRng,
  firstRows,
  minibatchSampler,
  type EpochRow,
  type Optimizer,
  type TrainData,
} from "@bp/nets";
import { blobs } from "./syntheticData.js";

const rows = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);
const all = blobs(400, 8, 4, 5);
const data: TrainData = {
  xTrain: all.x.gather(rows(300)),
  tTrain: all.t.gather(rows(300)),
  xTest: all.x.gather(rows(100, 300)),
  tTest: all.t.gather(rows(100, 300)),
};
const net = (seed = 1): MultiLayerNet => new MultiLayerNet(8, [10, 10], 4, { seed });
const same = (a: Tensor, b: Tensor): boolean => a.data.every((v, i) => Object.is(v, b.data[i]));
/** The DivergenceError that `fn` throws (the test fails if it throws nothing or something else). */
const divergenceOf = (fn: () => unknown): DivergenceError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DivergenceError);
    return e as DivergenceError;
  }
  throw new Error("expected a DivergenceError, got none");
};

describe("Trainer", () => {
  it("is the book's loop: batches from Rng(seed + 1), gradient, update, rows per epoch", () => {
    // 300 rows, batch 50: iter_per_epoch = 6, 2 epochs = 12 iterations, rows after 6 and 12.
    const a = net();
    const rowsSeen: EpochRow[] = [];
    const losses: number[] = [];
    const trainer = new Trainer(a, data, {
      epochs: 2,
      miniBatchSize: 50,
      optimizer: "adam",
      seed: 7,
      onIteration: (e) => losses.push(e.loss),
      onEpoch: (row) => rowsSeen.push(row),
    });
    expect([trainer.iterPerEpoch, trainer.maxIter]).toEqual([6, 12]);
    const result = trainer.train();

    // The same by hand.
    const b = net();
    const rng = new Rng(8); // seed + 1
    const adam = new Adam();
    const byHand: number[] = [];
    for (let i = 1; i <= 12; i++) {
      const { xBatch, tBatch } = sampleMinibatch(data.xTrain, data.tTrain, 50, rng);
      const grads = b.gradient(xBatch, tBatch);
      byHand.push(b.loss(xBatch, tBatch, true));
      adam.update(b.params, grads);
    }
    for (const k of Object.keys(a.params)) expect(same(a.params[k]!, b.params[k]!), k).toBe(true);
    expect(losses).toEqual(byHand);
    expect(result.trainLossList).toEqual(byHand);
    expect(rowsSeen.map((r) => [r.epoch, r.iteration])).toEqual([
      [1, 6],
      [2, 12],
    ]);
    expect(result.trainAccList).toEqual(rowsSeen.map((r) => r.trainAccuracy));
    expect(result.testAccList).toEqual(rowsSeen.map((r) => r.testAccuracy));
    // rows average the minibatch losses since the previous row
    expect(rowsSeen[1]!.loss).toBeCloseTo(byHand.slice(6).reduce((s, v) => s + v, 0) / 6, 12);
    expect(result.final).toBe(rowsSeen[1]); // last row is at the last iteration, on all rows
    expect(result.final.testAccuracy).toBe(b.accuracy(data.xTest, data.tTest));
    expect(result.iterations).toBe(12);
  });

  it("minibatchSampler(…, batchRng(seed)) is the seeded setup the Trainer uses", () => {
    const a = net(2);
    const b = net(2);
    new Trainer(a, data, { iterations: 5, seed: 3 }).train();
    new Trainer(b, data, {
      iterations: 5,
      nextBatch: minibatchSampler(data.xTrain, data.tTrain, 100, batchRng(3)),
    }).train();
    expect(same(a.params.W1!, b.params.W1!)).toBe(true);
    const epochs = minibatchSampler(data.xTrain, data.tTrain, 100, new Rng(0), "epoch");
    const seen = [epochs(), epochs(), epochs()].flatMap((m) => Array.from(m.batchMask));
    expect([...seen].sort((p, q) => p - q)).toEqual(rows(300)); // every row once per epoch
  });

  it("evaluates epochs on the first N rows, the final accuracy on all rows", () => {
    const a = net(3);
    const result = new Trainer(a, data, { epochs: 1, miniBatchSize: 100, evaluateSampleNumPerEpoch: 30 }).train();
    const head = (v: Tensor): Tensor => v.gather(rows(30));
    expect(result.epochs[0]!.trainAccuracy).toBe(a.accuracy(head(data.xTrain), head(data.tTrain)));
    expect(result.final.trainAccuracy).toBe(a.accuracy(data.xTrain, data.tTrain));
    expect(result.final).not.toBe(result.epochs[0]);
  });

  it("records the loss after the update on request (the book's order)", () => {
    const a = net(4);
    const trainer = new Trainer(a, data, { iterations: 1, lossAfterUpdate: true, optimizer: new SGD({ lr: 0.5 }) });
    const [loss] = [trainer.trainStep()];
    // the same minibatch again (Rng(0 + 1)), with the updated parameters
    const { xBatch, tBatch } = sampleMinibatch(data.xTrain, data.tTrain, 100, new Rng(1));
    expect(loss).toBe(a.loss(xBatch, tBatch));
  });

  it("events: listeners come and go; stop() ends train() early with a final row", () => {
    const trainer = new Trainer(net(5), data, { epochs: 3, miniBatchSize: 100 });
    const seen: number[] = [];
    const off = trainer.on("iteration", (e) => {
      seen.push(e.iteration);
      if (e.iteration === 4) trainer.stop();
    });
    let done = 0;
    trainer.on("done", () => done++);
    const result = trainer.train();
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(result.iterations).toBe(4);
    expect(result.final.iteration).toBe(4);
    expect(done).toBe(1);
    off();
    trainer.trainStep();
    expect(seen).toHaveLength(4);
  });

  it("throws a DivergenceError naming the iteration and the value", () => {
    const trainer = new Trainer(net(6), data, { iterations: 50, optimizer: "sgd", optimizerParams: { lr: 1e200 } });
    let error: unknown;
    try {
      trainer.train();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DivergenceError);
    const d = (error as DivergenceError).divergence;
    expect(d.iteration).toBeGreaterThanOrEqual(1);
    expect(Number.isFinite(d.value)).toBe(false);
    expect((error as Error).message).toMatch(
      new RegExp(`^Trainer.trainStep: training diverged at iteration ${d.iteration}: ${d.what} is ${d.value}`),
    );
  });

  it("names the parameter and the element when a parameter becomes non-finite", () => {
    // An optimizer that writes +Infinity into b2[1] on its third update: the loss of that
    // iteration was computed before the update, so the parameter check is what catches it.
    let calls = 0;
    const poisoning: Optimizer = {
      lr: 0,
      update(params) {
        calls++;
        if (calls === 3) {
          const b2 = params.b2!.clone();
          b2.data[1] = Number.POSITIVE_INFINITY;
          params.b2!.assign(b2);
        }
      },
    };
    expect(() => new Trainer(net(7), data, { iterations: 5, optimizer: poisoning }).train()).toThrow(
      "Trainer.trainStep: training diverged at iteration 3: b2 is Infinity at flat index 1 after the update (finite values and gradients overflowed in the update)",
    );
  });

  it("continues past a divergence on request, reporting it once", () => {
    const found: unknown[] = [];
    const trainer = new Trainer(net(6), data, {
      iterations: 5,
      optimizerParams: { lr: 1e200 },
      continueOnDivergence: true,
    });
    trainer.on("divergence", (d) => found.push(d));
    const result = trainer.train();
    expect(result.iterations).toBe(5);
    expect(found).toHaveLength(1);
    expect(result.divergence).toBe(found[0]);
  });

  it("finish() ends a run early: a final row on all rows, the 'done' event, the result", () => {
    // 300 rows, batch 100: 3 iterations per epoch; 5 steps by hand, so the last row is at 3.
    const a = net(8);
    const trainer = new Trainer(a, data, { epochs: 4, miniBatchSize: 100, seed: 2 });
    const done: unknown[] = [];
    trainer.on("done", (r) => done.push(r));
    const losses = [1, 2, 3, 4, 5].map(() => trainer.trainStep());
    const result = trainer.finish();
    expect(done).toEqual([result]);
    expect(result.iterations).toBe(5);
    expect(result.epochs.map((r) => r.iteration)).toEqual([3]);
    expect(result.final).toEqual({
      epoch: 5 / 3,
      iteration: 5,
      trainAccuracy: a.accuracy(data.xTrain, data.tTrain),
      testAccuracy: a.accuracy(data.xTest, data.tTest),
      loss: (losses[3]! + losses[4]!) / 2, // the mean of the losses since the row at iteration 3
    });
    expect(result.trainLossList).toEqual(losses);
    // at an epoch's end the epoch row is the final row (no second evaluation)
    trainer.trainStep();
    expect(trainer.finish().final).toBe(trainer.epochs[1]);
  });

  it("a non-finite loss stops the run BEFORE the update: the net keeps its last finite parameters", () => {
    // lr 1e200: the first update makes the weights huge but finite; the second forward overflows,
    // so its loss is NaN and its gradient too. That update is never applied.
    const a = net(6);
    const snapshots: Tensor[][] = [];
    const trainer = new Trainer(a, data, { iterations: 50, optimizerParams: { lr: 1e200 } });
    trainer.on("iteration", () => snapshots.push(Object.values(a.params).map((p) => p.clone())));
    const error = divergenceOf(() => trainer.train());
    const d = error.divergence;
    expect(d).toMatchObject({ kind: "loss", what: "loss", afterUpdate: false });
    expect(d.iteration).toBe(snapshots.length + 1);
    expect(trainer.currentIter).toBe(snapshots.length); // the iteration did not happen
    const last = snapshots.at(-1)!;
    Object.values(a.params).forEach((p, i) => {
      expect(p.data.every(Number.isFinite)).toBe(true);
      expect(same(p, last[i]!)).toBe(true);
    });
    expect(error.message).toBe(
      `Trainer.trainStep: training diverged at iteration ${d.iteration}: loss is ${d.value}; the update was not applied, so the net keeps the parameters of iteration ${d.iteration - 1} (try a smaller learning rate or weight scale)`,
    );
  });

  it("a parameter that overflows in the update of finite values is caught after the update", () => {
    // lr = Number.MAX_VALUE: every loss and gradient of iteration 1 is finite, but lr * grad
    // overflows to ±Infinity wherever |grad| > 1.
    const a = net(1);
    const trainer = new Trainer(a, data, { iterations: 5, optimizerParams: { lr: Number.MAX_VALUE } });
    const error = divergenceOf(() => trainer.train());
    const d = error.divergence;
    expect(d).toMatchObject({ iteration: 1, kind: "parameter", afterUpdate: true });
    expect(Number.isFinite(a.params[d.what]!.data[d.index!]!)).toBe(false);
    expect(error.message).toContain(`: ${d.what} is ${d.value} at flat index ${d.index} after the update`);
  });

  it("a non-finite gradient with a finite loss is caught before the update too", () => {
    const a = net(9);
    const w1 = a.params.W1!.clone();
    // The net's own lossAndGradient, with one NaN written into a copy of dW2.
    const poisoned = Object.create(a) as MultiLayerNet;
    poisoned.lossAndGradient = (x, t) => {
      const r = a.lossAndGradient(x, t);
      const dW2 = r.grads.W2!.clone();
      dW2.data[3] = Number.NaN;
      return { loss: r.loss, grads: { ...r.grads, W2: dW2 } };
    };
    const trainer = new Trainer(poisoned, data, { iterations: 3 });
    expect(() => trainer.trainStep()).toThrow(
      "Trainer.trainStep: training diverged at iteration 1: gradient of W2 is NaN at flat index 3; the update was not applied, so the net keeps its initial parameters",
    );
    expect(same(a.params.W1!, w1)).toBe(true);
  });

  it("checks its options", () => {
    expect(() => new Trainer(net(), data, { epochs: 0 })).toThrow("Trainer: epochs must be a positive integer, got 0");
    expect(() => new Trainer(net(), data, { miniBatchSize: 2.5 })).toThrow(ValueError);
    expect(() => new Trainer(net(), data, { optimizer: "lbfgs" })).toThrow("createOptimizer: unknown optimizer");
    const empty = { ...data, xTrain: data.xTrain.gather([]), tTrain: data.tTrain.gather([]) };
    expect(() => new Trainer(net(), empty)).toThrow("Trainer: the training set has no rows");
  });
});

describe("firstRows", () => {
  it("is the book's x_train[:n]: the first n rows, or the tensor itself when it has no more", () => {
    const x = tensor([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(firstRows(x, 2).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(firstRows(x, 0).shape).toEqual([0, 2]);
    expect(firstRows(x, 3)).toBe(x);
    expect(firstRows(x, 10)).toBe(x);
    const t = tensor(Int32Array.of(7, 8, 9), { dtype: "int32" });
    expect(Array.from(firstRows(t, 1).data)).toEqual([7]);
    expect(() => firstRows(x, 1.5)).toThrow("firstRows: n must be an integer >= 0, got 1.5");
    expect(() => firstRows(x, -1)).toThrow(ValueError);
    expect(() => firstRows([1, 2] as never, 1)).toThrow("firstRows: x must be a Tensor, got an array");
    expect(() => firstRows(tensor(3), 1)).toThrow("firstRows: x must have at least one axis (rows), got a scalar");
  });
});

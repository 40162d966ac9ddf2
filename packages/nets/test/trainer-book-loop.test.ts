// Trainer with the caller's minibatches (nextBatch, iterationsPerEpoch): the book's training loop
// (ch05/train_neuralnet.py), checked against that loop written out by hand here, on a small seeded
// problem. (These were the tests of the deprecated trainNet wrapper, now removed.)
import { describe, expect, it } from "vitest";
import { Rng, type Tensor } from "@bp/tensor";
import { SGD, Trainer, TwoLayerNet, iterationsPerEpoch, type EpochRow, type Net } from "@bp/nets";
import { blobs } from "./syntheticData.js";

// Same centres (seed 5) for both sets: 300 training rows and 100 test rows of 4 classes in 8 dims.
const train = blobs(400, 8, 4, 5);
const data = {
  xTrain: train.x.gather(Array.from({ length: 300 }, (_, i) => i)),
  tTrain: train.t.gather(Array.from({ length: 300 }, (_, i) => i)),
  xTest: train.x.gather(Array.from({ length: 100 }, (_, i) => 300 + i)),
  tTest: train.t.gather(Array.from({ length: 100 }, (_, i) => 300 + i)),
};

/** The book's minibatch: `batch_mask = np.random.choice(train_size, batch_size)`. */
function sampler(seed: number, batch: number): () => { xBatch: Tensor; tBatch: Tensor } {
  const rng = new Rng(seed);
  return () => {
    const mask = rng.choice(300, batch);
    return { xBatch: data.xTrain.gather(mask), tBatch: data.tTrain.gather(mask) };
  };
}

/** The book's loop through the Trainer: `iterations` updates with `nextBatch()`, an accuracy row
 * every `iterationsPerEpoch` iterations, rows reported through its events. */
function runBookLoop(
  net: Net,
  o: {
    iterations: number;
    nextBatch: () => { xBatch: Tensor; tBatch: Tensor };
    iterationsPerEpoch: number;
    optimizer: SGD;
  },
  onIteration?: (loss: number) => void,
  onEpoch?: (row: EpochRow) => void,
) {
  const trainer = new Trainer(net, data, o);
  if (onIteration) trainer.on("iteration", (e) => onIteration(e.loss));
  if (onEpoch) trainer.on("epoch", onEpoch);
  return trainer.train();
}

describe("Trainer with nextBatch", () => {
  it("is the book's loop: same weights, losses and accuracies as the loop written by hand", () => {
    const perEpoch = iterationsPerEpoch(300, 25); // max(300 / 25, 1) = 12
    expect(perEpoch).toBe(12);

    const netA = new TwoLayerNet(8, 10, 4, { seed: 1, weightInitStd: 0.1 });
    const losses: number[] = [];
    const rows: EpochRow[] = [];
    const result = runBookLoop(
      netA,
      { iterations: 30, nextBatch: sampler(2, 25), iterationsPerEpoch: perEpoch, optimizer: new SGD({ lr: 0.5 }) },
      (loss) => losses.push(loss),
      (row) => rows.push(row),
    );

    // The loop by hand: gradient, update, record loss; accuracies every 12 iterations.
    const netB = new TwoLayerNet(8, 10, 4, { seed: 1, weightInitStd: 0.1 });
    const next = sampler(2, 25);
    const sgd = new SGD({ lr: 0.5 });
    const handLosses: number[] = [];
    const handAcc: [number, number][] = [];
    for (let i = 1; i <= 30; i++) {
      const { xBatch, tBatch } = next();
      const grads = netB.gradient(xBatch, tBatch);
      handLosses.push(netB.lastLayer.loss!);
      sgd.update(netB.params, grads);
      if (i % 12 === 0) handAcc.push([netB.accuracy(data.xTrain, data.tTrain), netB.accuracy(data.xTest, data.tTest)]);
    }

    expect(losses).toEqual(handLosses);
    for (const key of ["W1", "b1", "W2", "b2"] as const) {
      expect(Array.from(netA.params[key].data), key).toEqual(Array.from(netB.params[key].data));
    }
    // Rows at iterations 12 and 24; each loss is the mean of the minibatch losses since the last row.
    expect(rows.map((r) => [r.epoch, r.iteration])).toEqual([
      [1, 12],
      [2, 24],
    ]);
    expect(rows.map((r) => [r.trainAccuracy, r.testAccuracy])).toEqual(handAcc);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(rows[0]!.loss).toBe(mean(handLosses.slice(0, 12)));
    expect(rows[1]!.loss).toBe(mean(handLosses.slice(12, 24)));
    expect(result.epochs).toEqual(rows);
    // 30 is not an epoch boundary: the final row is an extra evaluation over iterations 25-30.
    expect(result.final.iteration).toBe(30);
    expect(result.final.epoch).toBe(2.5);
    expect(result.final.loss).toBe(mean(handLosses.slice(24)));
    expect(result.final.testAccuracy).toBe(netB.accuracy(data.xTest, data.tTest));
    // The problem is learnable: the loss falls and the test accuracy ends high.
    expect(mean(handLosses.slice(24))).toBeLessThan(mean(handLosses.slice(0, 6)));
    expect(result.final.testAccuracy).toBeGreaterThan(0.8);
  });

  it("ends on an epoch boundary with that epoch's row as the final one", () => {
    const net = new TwoLayerNet(8, 10, 4, { seed: 1 });
    const optimizer = new SGD({ lr: 0.1 });
    const result = runBookLoop(net, { iterations: 24, nextBatch: sampler(3, 25), iterationsPerEpoch: 12, optimizer });
    expect(result.epochs).toHaveLength(2);
    expect(result.final).toBe(result.epochs[1]);
  });
});

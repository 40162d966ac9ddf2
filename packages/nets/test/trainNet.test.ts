// trainNet: the book's training loop (ch05/train_neuralnet.py), checked against that loop written
// out by hand here, on a small seeded problem.
import { describe, expect, it } from "vitest";
import { Rng, ValueError, type Tensor } from "@bp/tensor";
import { SGD, TwoLayerNet, iterationsPerEpoch, trainNet, type EpochRow } from "@bp/nets";
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

describe("trainNet", () => {
  it("is the book's loop: same weights, losses and accuracies as the loop written by hand", () => {
    const perEpoch = iterationsPerEpoch(300, 25); // max(300 / 25, 1) = 12
    expect(perEpoch).toBe(12);

    const netA = new TwoLayerNet(8, 10, 4, { seed: 1, weightInitStd: 0.1 });
    const losses: number[] = [];
    const rows: EpochRow[] = [];
    const result = trainNet(netA, data, {
      iterations: 30,
      nextBatch: sampler(2, 25),
      iterationsPerEpoch: perEpoch,
      optimizer: new SGD({ lr: 0.5 }),
      onIteration: (_i, loss) => losses.push(loss),
      onEpoch: (row) => rows.push(row),
    });

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
    const result = trainNet(net, data, { iterations: 24, nextBatch: sampler(3, 25), iterationsPerEpoch: 12 });
    expect(result.epochs).toHaveLength(2);
    expect(result.final).toBe(result.epochs[1]);
  });

  it("defaults to SGD with the book's learning rate 0.1", () => {
    const a = new TwoLayerNet(8, 10, 4, { seed: 4 });
    const b = new TwoLayerNet(8, 10, 4, { seed: 4 });
    trainNet(a, data, { iterations: 5, nextBatch: sampler(6, 20), iterationsPerEpoch: 15 });
    trainNet(b, data, {
      iterations: 5,
      nextBatch: sampler(6, 20),
      iterationsPerEpoch: 15,
      optimizer: new SGD({ lr: 0.1 }),
    });
    expect(Array.from(a.params.W1.data)).toEqual(Array.from(b.params.W1.data));
  });

  it("rejects iteration counts that are not positive integers", () => {
    const net = new TwoLayerNet(8, 10, 4);
    expect(() => trainNet(net, data, { iterations: 0, nextBatch: sampler(1, 10), iterationsPerEpoch: 3 })).toThrow(
      ValueError,
    );
    expect(() => trainNet(net, data, { iterations: 5, nextBatch: sampler(1, 10), iterationsPerEpoch: 2.5 })).toThrow(
      "trainNet: iterationsPerEpoch must be a positive integer, got 2.5",
    );
  });
});

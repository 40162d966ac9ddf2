// The Trainer's memory reuse (Tensor.dispose + the cpu backend's BufferPool): the minibatch it drew
// itself, the layers' temporaries and replaced caches (disposed by LayerNet's loops) and SGD's
// temporaries go back to the pool, so later steps take most of their storage from it; the numbers
// stay those of a run that reuses nothing.
import type { Affine } from "@bp/layers";
import { CpuBackend, type Tensor } from "@bp/tensor";
import { describe, expect, it } from "vitest";
import { Trainer, TwoLayerNet } from "../src/index.js";
import { blobs } from "./syntheticData.js";

function run(backend: CpuBackend, ownBatches: boolean) {
  const { x, t } = blobs(400, 64, 4, 11);
  const data = { xTrain: x.to(backend), tTrain: t.to(backend), xTest: x.to(backend), tTest: t.to(backend) };
  const net = new TwoLayerNet(64, 32, 4, { seed: 5, backend });
  // A nextBatch of our own draws the same rows (Rng(seed + 1).choice) but the Trainer never
  // disposes batches it did not draw.
  const sampler = new Trainer(net, data, { miniBatchSize: 50, seed: 0 });
  const drawn: Tensor[] = [];
  const options = ownBatches
    ? {}
    : {
        nextBatch: () => {
          const b = (sampler as unknown as { nextBatch: () => { xBatch: Tensor; tBatch: Tensor } }).nextBatch();
          drawn.push(b.xBatch);
          return b;
        },
      };
  const trainer = new Trainer(net, data, {
    miniBatchSize: 50,
    seed: 0,
    optimizer: "sgd",
    optimizerParams: { lr: 0.1 },
    iterations: 30,
    ...options,
  });
  const result = trainer.train();
  return { result, net, drawn };
}

describe("Trainer memory reuse", () => {
  it("later steps reuse pooled storage, with the same losses and parameters bit for bit", () => {
    const pooled = new CpuBackend();
    const a = run(pooled, true);
    // Per step: the 50x64 batch, Affine's x·W (50x32 and 50x4), SGD's two temporaries
    // for every parameter, the scalar operands ... come back; so reuse is several buffers per step.
    expect(pooled.pool.stats.reused).toBeGreaterThan(30 * 3);
    const plain = new CpuBackend();
    const b = run(plain, false);
    expect(b.drawn.every((x) => !x.isDisposed)).toBe(true); // batches it did not draw stay usable
    expect(a.result.trainLossList).toEqual(b.result.trainLossList);
    expect(Array.from(a.net.params.W1!.data)).toEqual(Array.from(b.net.params.W1!.data));
  });

  it("after a step the layers' caches are live tensors; the previous step's go with the next forward", () => {
    const backend = new CpuBackend();
    const { x, t } = blobs(200, 64, 4, 12);
    const net = new TwoLayerNet(64, 32, 4, { seed: 5, backend });
    const [xb, tb] = [x.to(backend), t.to(backend)];
    const trainer = new Trainer(
      net,
      { xTrain: xb, tTrain: tb, xTest: xb, tTest: tb },
      { miniBatchSize: 50, iterations: 3 },
    );
    trainer.trainStep();
    const first = (net.layers.get("Affine1") as Affine).x!;
    expect(first.isDisposed).toBe(false);
    trainer.trainStep();
    const second = (net.layers.get("Affine1") as Affine).x!;
    expect(first.isDisposed).toBe(true);
    expect(() => first.data).toThrow("was disposed");
    expect(second.isDisposed).toBe(false);
    expect(second.shape).toEqual([50, 64]);
  });
});

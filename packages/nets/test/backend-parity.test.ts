// The worker backend trains TwoLayerNet to exactly the same weights as the cpu backend: the same
// seed, the same minibatches, a few hundred SGD steps, and every parameter compared bit for bit.
// The model code does not change between the two runs; only `net.to(backend)` does. The same holds
// for a MultiLayerNetExtend with BatchNorm and Dropout trained by the Trainer from one seed.
import { Rng, cpu, rand, type Backend, type FloatDType, type Tensor } from "@bp/tensor";
import { createWorkerBackend, type WorkerBackend } from "@bp/tensor/worker";
// Test hooks of @bp/tensor (not package exports): every op split between the threads, and the
// default policy without its backoff (ops inline while split ops find the worker's core busy), so
// that the count of split ops below does not depend on what else the machine runs.
import { keepSplitting, splitEveryOp } from "@bp/tensor/internals";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MultiLayerNetExtend, SGD, Trainer, TwoLayerNet } from "../src/index.js";

/** Synthetic data shaped like MNIST: 1000 inputs of 784 values in [0, 1); the label of a row is the
 * class whose fixed random template it matches best. */
function dataset(dtype: FloatDType): { x: Tensor; t: Tensor } {
  const x = rand([1000, 784], { seed: 7, dtype });
  const templates = rand([784, 10], { seed: 8, dtype, low: -1, high: 1 });
  return { x, t: x.matmul(templates).argmax(1) };
}

/** `iterations` SGD steps (lr 0.1) of `net` on `backend` on minibatches of `batch`; returns the losses. */
function train(
  net: TwoLayerNet,
  backend: Backend,
  data: { x: Tensor; t: Tensor },
  iterations: number,
  batch: number,
): number[] {
  const x = data.x.to(backend);
  const t = data.t.to(backend);
  const batches = new Rng(99); // the same minibatch sequence on every backend
  const optimizer = new SGD({ lr: 0.1 });
  const losses: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const idx = batches.choice(1000, batch);
    const xb = x.gather(idx);
    const tb = t.gather(idx);
    const grads = net.gradient(xb, tb);
    optimizer.update(net.params, { ...grads });
    losses.push(net.lastLayer.loss ?? NaN);
  }
  return losses;
}

function bits(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice();
}

let worker: WorkerBackend;
let alwaysSplit: WorkerBackend;

beforeAll(async () => {
  worker = keepSplitting(await createWorkerBackend({ threads: 2 }));
  alwaysSplit = splitEveryOp(await createWorkerBackend({ threads: 3 }));
});

afterAll(() => {
  worker.dispose();
  alwaysSplit.dispose();
});

describe("TwoLayerNet on the worker backend", () => {
  // Batch 300 with the default policy: x @ W1 and dW1 are 300x784x50 = 11.8M multiply-adds each, above
  // the worker backend's split threshold (2^23; the book's batch of 100 runs inline).
  const cases: [FloatDType, number, number, () => WorkerBackend, string][] = [
    ["float64", 300, 300, () => worker, "2 threads, default split policy, batch 300"],
    ["float32", 150, 100, () => alwaysSplit, "3 threads, every op split, batch 100"],
  ];
  for (const [dtype, iterations, batch, backendOf, how] of cases) {
    it(`${dtype}: ${iterations} SGD steps give bitwise the same weights and losses as cpu (${how})`, () => {
      const backend = backendOf();
      const data = dataset(dtype);
      const onCpu = new TwoLayerNet(784, 50, 10, { seed: 3, dtype, weightInitStd: 0.01 });
      const onWorker = onCpu.to(backend); // same initial weights, now on the worker backend
      expect(onWorker.backend).toBe(backend);

      const splitBefore = backend.stats.split;
      const cpuLosses = train(onCpu, cpu, data, iterations, batch);
      const workerLosses = train(onWorker, backend, data, iterations, batch);
      // At least x @ W1 and dW1 = x^T @ dout of every step ran on 2+ threads.
      expect(backend.stats.split - splitBefore).toBeGreaterThanOrEqual(iterations * 2);

      expect(workerLosses).toEqual(cpuLosses);
      // It learned something: the loss fell from about ln(10) = 2.30.
      expect(cpuLosses[0]).toBeGreaterThan(2.2);
      expect(cpuLosses[iterations - 1]).toBeLessThan(cpuLosses[0]! - 0.5);
      for (const key of ["W1", "b1", "W2", "b2"] as const) {
        const w = onWorker.params[key];
        const c = onCpu.params[key];
        expect(w.backend.name, key).toBe("worker");
        expect(w.shape, key).toEqual(c.shape);
        expect(bits(w), `${key} bits`).toEqual(bits(c));
      }
    });
  }
});

describe("MultiLayerNetExtend with BatchNorm and Dropout on the worker backend", () => {
  it("the seeded setup gives bitwise the same parameters, running statistics and losses as cpu", () => {
    const run = (backend: Backend): { net: MultiLayerNetExtend; losses: number[] } => {
      const { x, t } = dataset("float64");
      const data = { xTrain: x.to(backend), tTrain: t.to(backend), xTest: x.to(backend), tTest: t.to(backend) };
      // Weights from Rng(4), dropout masks from Rng(4 + 2), minibatches from Rng(4 + 1).
      const net = new MultiLayerNetExtend(784, [60, 40], 10, {
        useBatchnorm: true,
        useDropout: true,
        dropoutRatio: 0.2,
        seed: 4,
        backend,
      });
      const result = new Trainer(net, data, { iterations: 40, optimizer: "adam", seed: 4 }).train();
      return { net, losses: result.trainLossList };
    };
    const onCpu = run(cpu);
    const onWorker = run(alwaysSplit);
    expect(onWorker.losses).toEqual(onCpu.losses);
    expect(onCpu.losses.at(-1)).toBeLessThan(onCpu.losses[0]!);
    for (const [k, p] of Object.entries(onCpu.net.params)) expect(bits(onWorker.net.params[k]!), k).toEqual(bits(p));
    for (const [k, s] of Object.entries(onCpu.net.state)) expect(bits(onWorker.net.state[k]!), k).toEqual(bits(s));
  });
});

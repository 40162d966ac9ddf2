// What LayerNet and the Trainer dispose (Tensor.dispose) so that a training loop reuses storage,
// under the Net contract (src/Net.ts): the gradients a net returns are its own, valid until its next
// gradient or lossAndGradient (LayerNet disposes them then); the previous pass's layer caches go as
// the next pass replaces them (src/ownership.ts); the softmax output of the previous forward too.
// Never the parameters, the current step's gradients, predict()'s result, the caller's inputs, or
// anything a custom net returns (the Trainer disposes only what it made). Disposing changes no
// number: the same parameters bit for bit on cpu, wasm and worker, with or without wrappers that
// watch the steps; and a steady loop on wasm keeps the same bytes of its heap in use.
import { createHash } from "node:crypto";
import type { Affine, SoftmaxWithLoss } from "@bp/layers";
import { type Backend, type Tensor, cpu } from "@bp/tensor";
import { type WasmBackend, createWasmBackend } from "@bp/tensor/wasm";
import { type WorkerBackend, createWorkerBackend } from "@bp/tensor/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NamedTensors, type Net, Trainer, TwoLayerNet } from "../src/index.js";
import { blobs } from "./syntheticData.js";

let wasm: WasmBackend;
let worker: WorkerBackend;

beforeAll(async () => {
  wasm = await createWasmBackend({ residentBytes: 64 * 1024 * 1024 });
  worker = await createWorkerBackend({ threads: 2 });
});

afterAll(() => {
  wasm.dispose();
  worker.dispose();
});

/** 400 rows of 64 values in 4 classes on `backend`, and a TwoLayerNet 64-32-4 (seed 5) there.
 * float64 [50, 32] and [50, 64] activations are 12800 and 25600 bytes: resident on wasm. */
function setup(backend: Backend) {
  const { x, t } = blobs(400, 64, 4, 11);
  const data = { xTrain: x.to(backend), tTrain: t.to(backend), xTest: x.to(backend), tTest: t.to(backend) };
  const net = new TwoLayerNet(64, 32, 4, { seed: 5, backend });
  return { data, net };
}

function trainer(net: Net, data: ReturnType<typeof setup>["data"], optimizer = "sgd", lr = 0.1) {
  return new Trainer(net, data, {
    miniBatchSize: 50,
    seed: 0,
    optimizer,
    optimizerParams: { lr },
    iterations: 1000,
    iterationsPerEpoch: 10,
    evaluateSampleNumPerEpoch: 100,
  });
}

/** Records the gradients each lossAndGradient returns (the net stays a LayerNet). */
function watchGradients(net: TwoLayerNet): NamedTensors[] {
  const seen: NamedTensors[] = [];
  const original = net.lossAndGradient.bind(net);
  net.lossAndGradient = (x, t) => {
    const result = original(x, t);
    seen.push(result.grads);
    return result;
  };
  return seen;
}

function bits(t: Tensor): number[] {
  return Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

function paramBits(net: Net): Record<string, number[]> {
  return Object.fromEntries(Object.entries(net.params).map(([name, p]) => [name, bits(p)]));
}

/** A Net that is not a LayerNet: every member delegates to `inner`, except that lossAndGradient
 * returns copies of the gradients, which this net keeps (a net of its own kind, with its own
 * lifetime rules: the Trainer must leave them alone). */
function customNet(inner: TwoLayerNet, returned: NamedTensors[]): Net {
  return {
    params: inner.params,
    state: inner.state,
    layers: inner.layers,
    lastLayer: inner.lastLayer,
    dtype: inner.dtype,
    backend: inner.backend,
    predict: (x, train) => inner.predict(x, train),
    loss: (x, t, train) => inner.loss(x, t, train),
    accuracy: (x, t) => inner.accuracy(x, t),
    gradient: (x, t) => inner.gradient(x, t),
    lossAndGradient: (x, t) => {
      const { loss, grads } = inner.lossAndGradient(x, t);
      const copies = Object.fromEntries(Object.entries(grads).map(([n, g]) => [n, g.clone()]));
      returned.push(copies);
      return { loss, grads: copies };
    },
    numericalGradient: (x, t, options) => inner.numericalGradient(x, t, options),
    describe: () => inner.describe(),
    to: (backend) => inner.to(backend),
  };
}

describe("what a training step disposes", () => {
  for (const name of ["cpu", "wasm"] as const) {
    it(`a LayerNet's gradients expire at its next lossAndGradient, the current ones and the params stay (${name})`, () => {
      const backend = name === "cpu" ? cpu : wasm;
      const { data, net } = setup(backend);
      const grads = watchGradients(net);
      const run = trainer(net, data);
      run.trainStep();
      run.trainStep();
      expect(grads).toHaveLength(2);
      const [first, second] = grads as [NamedTensors, NamedTensors];
      expect(Object.keys(first).sort()).toEqual(["W1", "W2", "b1", "b2"]);
      for (const g of Object.values(first)) expect(g.isDisposed).toBe(true);
      expect(() => first.W1!.data).toThrow("was disposed");
      for (const g of Object.values(second)) expect(g.isDisposed).toBe(false);
      for (const p of Object.values(net.params)) expect(p.isDisposed).toBe(false);
      if (name === "wasm") {
        expect(wasm.isResident(second.W1!.data)).toBe(true); // 64x32 float64 = 16 KiB
        expect(wasm.isResident(net.params.W1!.data)).toBe(true);
      }
      run.trainStep();
      for (const g of Object.values(second)) expect(g.isDisposed).toBe(true);
    });
  }

  it("the Trainer disposes nothing a custom Net (not a LayerNet) returned, and trains it to the same bits", () => {
    const { data, net } = setup(wasm);
    const seen: NamedTensors[] = [];
    const run = trainer(customNet(net, seen), data);
    for (let i = 0; i < 3; i++) run.trainStep();
    expect(seen).toHaveLength(3);
    for (const grads of seen) for (const g of Object.values(grads)) expect(g.isDisposed).toBe(false);
    expect(Array.from(seen[0]!.b2!.data).every(Number.isFinite)).toBe(true);
    const plain = setup(wasm);
    const reference = trainer(plain.net, plain.data);
    for (let i = 0; i < 3; i++) reference.trainStep();
    expect(paramBits(net)).toEqual(paramBits(plain.net));
  });
});

describe("what a forward pass disposes", () => {
  for (const name of ["cpu", "wasm"] as const) {
    it(`predict()'s result survives later passes; older layer caches throw instead of showing reused data (${name})`, () => {
      const backend = name === "cpu" ? cpu : wasm;
      const { data, net } = setup(backend);
      const x = data.xTrain.gather(Array.from({ length: 50 }, (_, i) => i));
      const t = data.tTrain.gather(Array.from({ length: 50 }, (_, i) => i));
      const scores = net.predict(x);
      const saved = bits(scores);
      const affine2 = net.layers.get("Affine2") as Affine;
      const hidden = affine2.x!; // Relu1's output of pass 1, held only by Affine2's cache
      expect(hidden.isDisposed).toBe(false);
      expect(hidden.shape).toEqual([50, 32]);

      net.loss(x, t); // pass 2
      expect(hidden.isDisposed).toBe(true);
      expect(() => hidden.data).toThrow("was disposed");
      expect(affine2.x!.isDisposed).toBe(false);
      const softmax = net.lastLayer as SoftmaxWithLoss;
      const y2 = softmax.y!;

      net.accuracy(x, t); // pass 3: the loss pass's scores and caches go
      net.loss(x, t); // pass 4: a new softmax output; the old one is disposed
      expect(y2.isDisposed).toBe(true);
      const run = trainer(net, data);
      run.trainStep();
      run.trainStep();
      net.predict(x);
      // predict()'s result was given to its caller: never disposed, never overwritten.
      expect(scores.isDisposed).toBe(false);
      expect(bits(scores)).toEqual(saved);
      expect(x.isDisposed).toBe(false);
      expect(Array.from(x.data)).toEqual(Array.from(data.xTrain.data.subarray(0, 50 * 64)));
    });
  }
});

describe("the labels a user passes are never disposed", () => {
  it("one-hot float labels (an op's result) survive repeated gradients, which equal the int32 labels' bit for bit", () => {
    const { data, net } = setup(wasm);
    const idx = Array.from({ length: 50 }, (_, i) => i * 3);
    const x = data.xTrain.gather(idx);
    const labels = data.tTrain.gather(idx);
    const hot = labels.oneHot(4); // storage made by an op: share-counted, recyclable on dispose
    const hotValues = bits(hot);
    const byLabels = Object.values(net.gradient(x, labels)).map(bits);
    for (let i = 0; i < 3; i++) {
      const byHot = Object.values(net.gradient(x, hot)).map(bits);
      expect(byHot).toEqual(byLabels);
    }
    net.loss(x, hot);
    expect(hot.isDisposed).toBe(false);
    expect(labels.isDisposed).toBe(false);
    expect(bits(hot)).toEqual(hotValues);
    // A fresh op result of the same size does not take the labels' storage.
    const other = labels.oneHot(4);
    expect(other.data.byteOffset === hot.data.byteOffset && other.data.buffer === hot.data.buffer).toBe(false);
  });
});

describe("disposing changes no number", () => {
  /** 20 Adam steps through the Trainer, 2 of them epoch ends with an evaluation. */
  function train20(backend: Backend, watch: boolean) {
    const { data, net } = setup(backend);
    if (watch) watchGradients(net);
    const run = trainer(net, data, "adam", 0.01);
    const losses: number[] = [];
    for (let i = 0; i < 20; i++) losses.push(run.trainStep());
    return {
      losses,
      params: paramBits(net),
      accuracy: net.accuracy(data.xTest, data.tTest),
      digest: digest(net, losses),
    };
  }

  /** SHA-256 of the parameters' bytes (by sorted name) and then the losses as float64 bytes. */
  function digest(net: Net, losses: number[]): string {
    const hash = createHash("sha256");
    for (const name of Object.keys(net.params).sort()) {
      const d = net.params[name]!.data;
      hash.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    }
    hash.update(new Uint8Array(Float64Array.from(losses).buffer));
    return hash.digest("hex");
  }

  it("the same numbers as the code before the disposals (8bd74ed^)", () => {
    // Made by this very run (train20 on cpu, wasm and worker: the same digest, final loss
    // 0.051091300211351304, test accuracy 0.9525) with the sources of `git show 8bd74ed^`, which
    // disposed none of the gradients, pass outputs or softmax outputs that later code does.
    const before = "145489549e153e50f7e19faaa86164912cc9cfb70e3703bb47688d3548643761";
    for (const backend of [cpu, wasm, worker]) {
      const run = train20(backend, false);
      expect(run.digest, backend.name).toBe(before);
      expect(run.losses[19], backend.name).toBe(0.051091300211351304);
      expect(run.accuracy, backend.name).toBe(0.9525);
    }
  });

  it("cpu, wasm and worker reach the same parameters bit for bit, watched or not", () => {
    const reference = train20(cpu, false);
    // The loss fell: the run trained (blobs are separable).
    expect(reference.losses[19]!).toBeLessThan(reference.losses[0]! * 0.5);
    for (const [label, run] of [
      ["cpu watched", train20(cpu, true)],
      ["wasm", train20(wasm, false)],
      ["wasm watched", train20(wasm, true)],
      ["worker", train20(worker, false)],
    ] as const) {
      expect(run.losses, label).toEqual(reference.losses);
      expect(run.params, label).toEqual(reference.params);
      expect(run.accuracy, label).toBe(reference.accuracy);
    }
  });
});

describe("a steady training loop on wasm", () => {
  it("keeps its tensors resident and the heap's bytes in use constant, refusing nothing", () => {
    const { data, net } = setup(wasm);
    const heap = wasm.heap!;
    const refused = heap.stats.refused;
    const run = trainer(net, data, "adam");
    for (let i = 0; i < 20; i++) run.trainStep(); // warm-up: Adam's state, the first evaluations
    const live: number[] = [];
    const allocs = heap.stats.allocs;
    for (let i = 0; i < 50; i++) {
      run.trainStep();
      live.push(heap.stats.liveBytes);
    }
    // Every 10th step ends an epoch with an evaluation: the same bytes in use at the same phase.
    for (let i = 10; i < 50; i++) expect(live[i], `step ${21 + i}`).toBe(live[i - 10]);
    expect(live[49]).toBe(live[39]);
    expect(heap.stats.refused).toBe(refused);
    expect(heap.stats.allocs - allocs).toBeGreaterThan(50 * 5); // the steps did use the heap
    expect(wasm.isResident((net.layers.get("Affine2") as Affine).x!.data)).toBe(true);
  });
});

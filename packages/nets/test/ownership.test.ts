// The net owns what its layers make (issue 18): layers carry no lifetime code, and LayerNet's forward
// and backward loops run each call under `track` (src/ownership.ts). A layer written by a user with no
// lifetime code at all (the book-style Tanh of tanhLayer.ts) trains on the wasm backend with the heap's bytes in
// use flat from step to step; every layer of the book in one net does too; what the loops dispose and
// what they never touch is checked one rule at a time.
import {
  Affine,
  BatchNormalization,
  Convolution,
  Dropout,
  type Layer,
  Pooling,
  Relu,
  Sigmoid,
  SoftmaxWithLoss,
} from "@bp/layers";
import { type Backend, Rng, type Tensor, cpu, ones, randn, tensor, zeros } from "@bp/tensor";
import { type WasmBackend, createWasmBackend } from "@bp/tensor/wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LayerNet, MultiLayerNetExtend, Trainer, TwoLayerNet } from "../src/index.js";
import { blobs } from "./syntheticData.js";
import { Tanh } from "./tanhLayer.js";

let wasm: WasmBackend;

beforeAll(async () => {
  wasm = await createWasmBackend({ residentBytes: 32 * 1024 * 1024 });
});

afterAll(() => {
  wasm.dispose();
});

/** Affine1 -> Tanh1 -> Affine2 -> SoftmaxWithLoss, 16-40-3, weights of std 0.3 from `seed`. */
function tanhNet(backend: Backend, seed: number): LayerNet {
  const rng = new Rng(seed);
  const like = { backend };
  const layers: [string, Layer][] = [
    ["Affine1", new Affine(randn([16, 40], { rng, std: 0.3, backend }), zeros([40], like))],
    ["Tanh1", new Tanh()],
    ["Affine2", new Affine(randn([40, 3], { rng, std: 0.3, backend }), zeros([3], like))],
  ];
  return new LayerNet(layers, new SoftmaxWithLoss());
}

/** `steps` Trainer steps (batch `batch`, no epoch ends) of `net` on 200 blob rows; the losses and
 * the heap's bytes in use after each step. */
function train(net: LayerNet, backend: Backend, steps: number, x: Tensor, t: Tensor, batch = 20) {
  const data = { xTrain: x.to(backend), tTrain: t.to(backend), xTest: x.to(backend), tTest: t.to(backend) };
  const run = new Trainer(net, data, {
    miniBatchSize: batch,
    optimizer: "adam",
    optimizerParams: { lr: 0.01 },
    iterations: steps,
    iterationsPerEpoch: 1000,
  });
  const losses: number[] = [];
  const live: number[] = [];
  for (let i = 0; i < steps; i++) {
    losses.push(run.trainStep());
    live.push(backend === wasm ? wasm.heap!.stats.liveBytes : 0);
  }
  return { losses, live };
}

function bits(t: Tensor): number[] {
  return Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

describe("a layer written by a user, with no lifetime code", () => {
  it("Tanh in a LayerNet on wasm: 60 steps with the heap's bytes in use flat, nothing refused, cpu's bits", () => {
    const { x, t } = blobs(200, 16, 3, 31);
    const heap = wasm.heap!;
    const refused = heap.stats.refused;
    const onWasm = tanhNet(wasm, 3);
    const a = train(onWasm, wasm, 60, x, t);
    const steady = a.live.slice(3); // after Adam's moments and the first caches
    expect(steady).toEqual(steady.map(() => steady[0]));
    expect(heap.stats.refused).toBe(refused);
    expect(wasm.isResident((onWasm.layers.get("Tanh1") as Tanh).out!.data)).toBe(true); // 20x40 float64
    const onCpu = tanhNet(cpu, 3);
    const b = train(onCpu, cpu, 60, x, t);
    expect(a.losses).toEqual(b.losses);
    for (const name of Object.keys(onCpu.params))
      expect(bits(onWasm.params[name]!), name).toEqual(bits(onCpu.params[name]!));
    expect(a.losses[59]!).toBeLessThan(a.losses[0]! * 0.5); // it trained
  });

  it("Tanh's gradients by backpropagation equal the numerical ones (float64, central differences)", () => {
    const { x, t } = blobs(10, 16, 3, 32);
    const net = tanhNet(cpu, 4);
    const grads = net.gradient(x, t);
    const numeric = net.numericalGradient(x, t);
    for (const name of ["W1", "b1", "W2", "b2"]) {
      const g = grads[name]!;
      const n = numeric[name]!;
      expect(g.shape, name).toEqual(n.shape);
      let worst = 0;
      let largest = 0;
      for (let i = 0; i < g.size; i++) {
        worst = Math.max(worst, Math.abs(g.data[i]! - n.data[i]!));
        largest = Math.max(largest, Math.abs(n.data[i]!));
      }
      // Central differences with the book's h = 1e-4 are off by about h^2/6 times the third
      // derivative (this run: at most 5e-7, on W1); a missing or wrong (1 - out^2) factor is off by
      // the size of the gradient itself.
      expect(worst, name).toBeLessThan(2e-6);
      expect(largest, name).toBeGreaterThan(1e-2);
    }
  });
});

describe("every layer of the book in one LayerNet on wasm", () => {
  /** Conv -> Relu -> Pool -> Affine -> Sigmoid -> BatchNorm -> Dropout -> Affine -> SoftmaxWithLoss,
   * on float64 batches of 8 [2, 10, 10] images (col: 512 x 18 values, 73728 bytes: resident). */
  it("30 Trainer steps end with the same bytes in use after warm-up, nothing refused", () => {
    const rng = new Rng(8);
    const r = (...shape: number[]): Tensor => randn(shape, { rng, backend: wasm, std: 0.3 });
    const like = { backend: wasm };
    const net = new LayerNet(
      [
        ["Conv1", new Convolution(r(4, 2, 3, 3), zeros([4], like))],
        ["Relu1", new Relu()],
        ["Pool1", new Pooling(2, 2, 2)],
        ["Affine1", new Affine(r(64, 40), zeros([40], like))],
        ["Sigmoid1", new Sigmoid()],
        ["BatchNorm1", new BatchNormalization(ones([40], like), zeros([40], like))],
        ["Dropout1", new Dropout(new Rng(9))],
        ["Affine2", new Affine(r(40, 3), zeros([3], like))],
      ],
      new SoftmaxWithLoss(),
    );
    const x = randn([64, 2, 10, 10], { rng });
    const t = tensor(rng.choice(3, 64), { dtype: "int32" });
    const heap = wasm.heap!;
    const refused = heap.stats.refused;
    const { live, losses } = train(net, wasm, 30, x, t, 8);
    const steady = live.slice(3);
    expect(steady).toEqual(steady.map(() => steady[0]));
    expect(heap.stats.refused).toBe(refused);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(wasm.isResident((net.layers.get("Conv1") as Convolution).col!.data)).toBe(true);
  });
});

describe("what the net's loops dispose, and what they never touch (cpu)", () => {
  /** A layer that makes two temporaries (2x, and the column sums of x), keeps its output and x + 1
   * in an array field, and exposes the temporaries only through getters the scan does not read. */
  class Probe implements Layer {
    out: Tensor | null = null;
    kept: Tensor[] = [];
    #temporary: Tensor | null = null;
    #small: Tensor | null = null;
    get temporary(): Tensor | null {
      return this.#temporary;
    }
    get small(): Tensor | null {
      return this.#small;
    }
    forward(x: Tensor): Tensor {
      this.#small = x.sum(0);
      x.mul(3).dispose(); // lifetime code of its own (as layers had before) keeps working
      this.#temporary = x.mul(2);
      this.kept = [x.add(1)];
      this.out = this.#temporary.mul(0.5);
      return this.out;
    }
    backward(dout: Tensor): Tensor {
      return dout.mul(1);
    }
  }

  function probeNet() {
    const probe = new Probe();
    const rng = new Rng(12);
    const net = new LayerNet(
      [
        ["Probe1", probe],
        ["Affine1", new Affine(randn([4, 3], { rng }), zeros([3]))],
      ],
      new SoftmaxWithLoss(),
    );
    return { probe, net };
  }

  it("a layer's temporaries (small ones too) go at once; its caches (fields, one level into arrays) and output when its next forward replaces them; the input never", () => {
    const { probe, net } = probeNet();
    const x = randn([40, 4], { seed: 1 }); // 160 float64: 1280 bytes, storage a backend recycles
    const t = tensor(
      Array.from({ length: 40 }, (_, i) => i % 3),
      { dtype: "int32" },
    );
    net.loss(x, t);
    const first = { temporary: probe.temporary!, out: probe.out!, kept: probe.kept[0]! };
    expect(first.temporary.isDisposed).toBe(true);
    expect(() => first.temporary.data).toThrow("was disposed");
    // 4 column sums (32 bytes): a temporary too, whose storage the pool takes back like any other.
    expect(probe.small!.isDisposed).toBe(true);
    expect(first.out.isDisposed).toBe(false);
    expect(first.kept.isDisposed).toBe(false);
    // out = (2x) / 2 = x exactly; kept = x + 1.
    expect(Array.from(first.out.data)).toEqual(Array.from(x.data));
    expect(first.kept.get(0, 0)).toBe(x.get(0, 0) + 1);
    net.loss(x, t);
    expect(first.out.isDisposed).toBe(true);
    expect(first.kept.isDisposed).toBe(true);
    expect(probe.out!.isDisposed).toBe(false);
    expect(x.isDisposed).toBe(false);
    expect(t.isDisposed).toBe(false);
  });

  it("the gradient handed between layers goes once the next layer has read it; dout returned as it is passes on", () => {
    const net = new TwoLayerNet(4, 6, 3, { seed: 2, weightInitStd: 0.5 });
    const relu = net.layers.get("Relu1") as Relu;
    const seen: Tensor[] = [];
    const backward = relu.backward.bind(relu);
    relu.backward = (dout) => {
      seen.push(dout); // Affine2's dx, the loop's
      return backward(dout);
    };
    const x = randn([5, 4], { seed: 3 });
    const grads = net.gradient(x, tensor([0, 1, 2, 0, 1], { dtype: "int32" }));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.isDisposed).toBe(true);
    for (const g of Object.values(grads)) expect(g.isDisposed).toBe(false);
  });

  it("a Dropout mask made the fixedMask (as bp gradcheck does) survives every later pass", () => {
    const net = new MultiLayerNetExtend(6, [5], 3, { useDropout: true, seed: 3 });
    const x = randn([4, 6], { seed: 4 });
    const t = tensor([0, 1, 2, 0], { dtype: "int32" });
    net.loss(x, t, true);
    const dropout = net.layers.get("Dropout1") as Dropout;
    const mask = dropout.mask!;
    const values = Array.from(mask.data);
    dropout.fixedMask = mask;
    const first = net.loss(x, t, true);
    for (let i = 0; i < 3; i++) expect(net.loss(x, t, true)).toBe(first); // one function of the params
    net.gradient(x, t);
    net.predict(x);
    expect(mask.isDisposed).toBe(false);
    expect(Array.from(mask.data)).toEqual(values);
  });

  it("weight decay: the gradients the net made (dW + λW) expire at its next gradient; the loss's squares go at once", () => {
    const rng = new Rng(5);
    const net = new LayerNet([["Affine1", new Affine(randn([4, 3], { rng }), zeros([3]))]], new SoftmaxWithLoss(), {
      weightDecayLambda: 0.5,
    });
    const x = randn([5, 4], { rng });
    const t = tensor([0, 1, 2, 0, 1], { dtype: "int32" });
    const g1 = net.gradient(x, t);
    const affine = net.layers.get("Affine1") as Affine;
    expect(g1.W1).not.toBe(affine.dW); // dW + λW, a tensor of the net's
    // W1 = dW + 0.5 · W, element by element.
    for (let i = 0; i < 12; i++) expect(g1.W1!.data[i]).toBe(affine.dW!.data[i]! + affine.W.data[i]! * 0.5);
    expect(g1.b1).toBe(affine.db);
    const g2 = net.gradient(x, t);
    expect(g1.W1!.isDisposed).toBe(true);
    expect(g1.b1!.isDisposed).toBe(true); // the layer's db, replaced by the next backward
    expect(g2.W1!.isDisposed).toBe(false);
  });
});

describe("one-hot labels on wasm", () => {
  it("the net keeps no share of one-hot float labels: flat bytes in use, and disposing them gives all their bytes back", () => {
    const { x, t: classes } = blobs(300, 64, 4, 13);
    const t = classes.to(wasm).oneHot(4); // float64 [300, 4], 9600 bytes: an op's result, share-counted
    const xs = x.to(wasm);
    const net = new TwoLayerNet(64, 32, 4, { seed: 5, backend: wasm });
    const heap = wasm.heap!;
    const live: number[] = [];
    for (let i = 0; i < 5; i++) {
      net.gradient(xs, t);
      live.push(heap.stats.liveBytes);
    }
    expect(live.slice(1)).toEqual(live.slice(1).map(() => live[1]));
    const before = heap.stats.liveBytes;
    t.dispose();
    expect(before - heap.stats.liveBytes).toBe(9600);
  });
});

describe("the previous pass's caches go as the next forward begins (wasm)", () => {
  it("a layer's previous caches and output go as its next forward begins (their storage serves the new ones); the input and a cache moved to another field stay", () => {
    /** Caches 2x in `cache`, returns x + 0; records, as each forward begins, whether what the last
     * forward left is disposed already. */
    class Remember implements Layer {
      cache: Tensor | null = null;
      out: Tensor | null = null;
      keep: Tensor | null = null;
      seen: { cache: boolean; out: boolean; keep: boolean }[] = [];
      forward(x: Tensor): Tensor {
        if (this.cache !== null)
          this.seen.push({
            cache: this.cache.isDisposed,
            out: this.out!.isDisposed,
            keep: this.keep?.isDisposed ?? false,
          });
        this.cache = x.mul(2);
        this.out = x.add(0);
        return this.out;
      }
      backward(dout: Tensor): Tensor {
        return dout.mul(1);
      }
    }
    const remember = new Remember();
    const rng = new Rng(13);
    const net = new LayerNet(
      [
        ["Remember1", remember],
        ["Affine1", new Affine(randn([4, 3], { rng, backend: wasm }), zeros([3], { backend: wasm }))],
      ],
      new SoftmaxWithLoss(),
    );
    const x = randn([40, 4], { seed: 1, backend: wasm }); // 1280 bytes: resident in the heap
    const t = tensor(
      Array.from({ length: 40 }, (_, i) => i % 3),
      { dtype: "int32" },
    ).to(wasm);
    net.loss(x, t);
    const cacheAt = remember.cache!.data.byteOffset;
    net.loss(x, t);
    expect(remember.seen).toEqual([{ cache: true, out: true, keep: false }]);
    // The new cache took the storage of the old one. (The old output's storage is still held then:
    // Affine1 keeps a view of its input until its own forward replaces it.)
    expect(remember.cache!.data.byteOffset).toBe(cacheAt);
    // A cache the layer (or its user) has since put in another field is not disposed as the forward
    // begins; it is left alone while the layer holds it.
    const moved = remember.cache!;
    remember.keep = moved;
    net.loss(x, t);
    expect(remember.seen[1]).toEqual({ cache: false, out: true, keep: false });
    expect(moved.isDisposed).toBe(false);
    expect(x.isDisposed).toBe(false);
  });
});

// What the layers dispose (Tensor.dispose), so that a training loop on a backend with a resident
// heap (wasm) returns every temporary's storage: a cache that is the layer's own is disposed by the
// next forward (reading it then throws "disposed"), while the inputs, the dout given to backward,
// the parameters, the running statistics, a fixedMask and whatever a layer returns never are. A
// layer that returns a reshape of its own result holds no other share of its storage, so disposing
// what it returned gives the storage back: a forward/backward loop whose caller disposes the
// results keeps the heap's bytes in use constant.
import {
  Affine,
  BatchNormalization,
  Convolution,
  Dropout,
  type Layer,
  Pooling,
  Relu,
  Sigmoid,
  MulLayer,
  SoftmaxWithLoss,
  sumToShape,
} from "@bp/layers";
import { type Backend, CpuBackend, Rng, type Tensor, cpu, ones, randn, tensor, zeros } from "@bp/tensor";
import { type WasmBackend, createWasmBackend } from "@bp/tensor/wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let wasm: WasmBackend;

beforeAll(async () => {
  wasm = await createWasmBackend({ residentBytes: 16 * 1024 * 1024 });
});

afterAll(() => {
  wasm.dispose();
});

function expectDisposed(t: Tensor, what: string): void {
  expect(t.isDisposed, what).toBe(true);
  expect(() => t.data, what).toThrow("was disposed");
}

function expectAlive(tensors: Record<string, Tensor>): void {
  for (const [name, t] of Object.entries(tensors)) {
    expect(t.isDisposed, name).toBe(false);
    expect(Array.from(t.data).every(Number.isFinite), name).toBe(true);
  }
}

for (const name of ["cpu", "wasm"] as const) {
  const backend = (): Backend => (name === "cpu" ? cpu : wasm);
  const r = (rng: Rng, ...shape: number[]): Tensor => randn(shape, { rng, backend: backend() });

  describe(`layer caches and arguments (${name})`, () => {
    it("Affine: its view of a 4-d input goes with the next forward; a 2-d input, W, b and dout stay", () => {
      const rng = new Rng(1);
      const [W, b] = [r(rng, 12, 5), r(rng, 5)];
      const layer = new Affine(W, b);
      const x1 = r(rng, 4, 3, 2, 2); // 12 values per row: Affine keeps a [4, 12] view of it
      layer.forward(x1);
      const view = layer.x!;
      expect(view).not.toBe(x1);
      const dout = r(rng, 4, 5);
      const dx = layer.backward(dout)!;
      expect(dx.shape).toEqual([4, 3, 2, 2]);
      const x2 = r(rng, 4, 12);
      layer.forward(x2);
      expectDisposed(view, "the previous forward's view of x");
      expect(layer.x).toBe(x2); // a 2-d input is held as it is ...
      layer.forward(r(rng, 4, 12));
      expectAlive({ x1, x2, W, b, dout, dx }); // ... and never disposed by the layer
    });

    it("Convolution: colW and col go with the next forward; x, W, b, dout and the results stay", () => {
      const rng = new Rng(2);
      const [W, b] = [r(rng, 3, 2, 3, 3), r(rng, 3)];
      const layer = new Convolution(W, b);
      const x = r(rng, 2, 2, 6, 6);
      const out = layer.forward(x);
      const { col, colW } = layer as { col: Tensor; colW: Tensor };
      const dout = r(rng, 2, 3, 4, 4);
      const dx = layer.backward(dout)!;
      const dW = layer.grads.W;
      expect(dW.shape).toEqual([3, 2, 3, 3]);
      layer.forward(r(rng, 2, 2, 6, 6));
      expectDisposed(col, "col");
      expectDisposed(colW, "colW");
      expectAlive({ x, W, b, out, dout, dx, dW });
    });

    it("Pooling: the input, dout and the results stay; the old argMax goes", () => {
      const rng = new Rng(3);
      const layer = new Pooling(2, 2, 2);
      const x = r(rng, 2, 3, 4, 4);
      const out = layer.forward(x);
      const argMax = layer.argMax!;
      const dout = r(rng, 2, 3, 2, 2);
      const dx = layer.backward(dout)!;
      layer.forward(r(rng, 2, 3, 4, 4));
      expectDisposed(argMax, "argMax");
      expectAlive({ x, out, dout, dx });
    });

    it("BatchNormalization: xc, xn and std go with the next forward (training or not); state stays itself", () => {
      const rng = new Rng(4);
      const like = { backend: backend() };
      const [gamma, beta] = [ones([12], like), zeros([12], like)];
      const layer = new BatchNormalization(gamma, beta);
      const { runningMean, runningVar } = layer.state;
      const x = r(rng, 5, 3, 2, 2);
      const out = layer.forward(x);
      const caches = { xc: layer.xc!, xn: layer.xn!, std: layer.std! };
      const dout = r(rng, 5, 3, 2, 2); // 4-d: backward reads it through a [5, 12] view
      const dx = layer.backward(dout)!;
      const { gamma: dgamma, beta: dbeta } = layer.grads;
      layer.forward(r(rng, 5, 3, 2, 2));
      for (const [key, t] of Object.entries(caches)) expectDisposed(t, key);
      const second = { xc: layer.xc!, xn: layer.xn!, std: layer.std! };
      const y = layer.forward(x, false);
      for (const [key, t] of Object.entries(second)) expectDisposed(t, `${key} after a test-mode forward`);
      expect(layer.state.runningMean).toBe(runningMean);
      expect(layer.state.runningVar).toBe(runningVar);
      expectAlive({ x, out, dout, dx, dgamma, dbeta, gamma, beta, runningMean, runningVar, y });
    });

    it("Dropout: a mask it drew goes with the next forward; a fixedMask, x and dout stay", () => {
      const rng = new Rng(5);
      const layer = new Dropout(new Rng(6));
      const x = r(rng, 4, 6);
      const out = layer.forward(x);
      const drawn = layer.mask!;
      const dout = r(rng, 4, 6);
      const dx = layer.backward(dout)!;
      const fixed = ones([4, 6], { backend: backend() });
      layer.fixedMask = fixed;
      layer.forward(x);
      expectDisposed(drawn, "the drawn mask");
      expect(layer.mask).toBe(fixed);
      layer.forward(x);
      layer.fixedMask = null;
      layer.forward(x); // draws again; the fixed mask was never the layer's
      layer.forward(x, false);
      expectAlive({ x, out, dout, dx, fixed });
    });

    it("Dropout: a drawn mask made the fixedMask (as a gradient check does) stays through later forwards", () => {
      const layer = new Dropout(new Rng(11));
      const x = r(new Rng(12), 4, 6);
      layer.forward(x);
      const drawn = layer.mask!;
      const kept = Array.from(drawn.data);
      layer.fixedMask = drawn;
      for (let i = 0; i < 3; i++) layer.forward(x);
      expect(layer.mask).toBe(drawn);
      expectAlive({ drawn });
      expect(Array.from(drawn.data)).toEqual(kept);
    });

    it("Sigmoid and Relu: the input, dout and the results stay", () => {
      const rng = new Rng(7);
      for (const layer of [new Sigmoid(), new Relu()] as Layer[]) {
        const x = r(rng, 4, 6);
        const out = layer.forward(x);
        const dout = r(rng, 4, 6);
        const dx = layer.backward(dout)!;
        layer.forward(r(rng, 4, 6));
        expectAlive({ x, out, dout, dx });
      }
    });
  });
}

describe("a layer loop whose caller disposes the results keeps the heap's bytes in use constant (wasm)", () => {
  /** Conv -> Relu -> Pool -> Affine -> Sigmoid -> BatchNorm -> Dropout, forward and backward, on
   * float64 batches of 8 [2, 10, 10] images (col: 512 x 18 values, 73728 bytes: resident). */
  it("steps 3 to 8 end with the same bytes in use, nothing refused", () => {
    const rng = new Rng(8);
    const r = (...shape: number[]): Tensor => randn(shape, { rng, backend: wasm, std: 0.3 });
    const like = { backend: wasm };
    const layers: Layer[] = [
      new Convolution(r(4, 2, 3, 3), zeros([4], like)),
      new Relu(),
      new Pooling(2, 2, 2),
      new Affine(r(64, 40), zeros([40], like)),
      new Sigmoid(),
      new BatchNormalization(ones([40], like), zeros([40], like)),
      new Dropout(new Rng(9)),
    ];
    const heap = wasm.heap!;
    const refused = heap.stats.refused;
    const live: number[] = [];
    let inputs: Tensor[] = [];
    for (let step = 0; step < 8; step++) {
      const x = r(8, 2, 10, 10);
      // The caller's side of the contract: its own input and dout, and the results it was given.
      const outputs: Tensor[] = [];
      let out = x;
      for (const layer of layers) {
        out = layer.forward(out);
        outputs.push(out);
      }
      let dout = r(8, 40);
      const douts = [dout];
      for (const layer of [...layers].reverse()) {
        const next = layer.backward(dout);
        if (next === null) break;
        douts.push(next);
        dout = next;
      }
      // Last step's layer outputs are read by the caches until this forward replaced them.
      for (const t of inputs) t.dispose();
      inputs = [x, ...outputs];
      for (const t of douts) t.dispose();
      for (const layer of layers)
        if ("grads" in layer) for (const g of Object.values((layer as Affine).grads)) g.dispose();
      live.push(heap.stats.liveBytes);
    }
    const steady = live.slice(2);
    expect(steady).toEqual(steady.map(() => steady[0]));
    expect(heap.stats.refused).toBe(refused);
  });
});

describe("one-hot labels on wasm", () => {
  it("SoftmaxWithLoss keeps no share of one-hot float labels and leaves no argmax behind", () => {
    // 300 rows: the labels' argmax is 300 int32 = 1200 bytes, resident like the [300, 4] labels.
    const rng = new Rng(10);
    const classes = rng.choice(4, 300);
    const indices = tensor(classes, { dtype: "int32", backend: wasm });
    const t = indices.oneHot(4); // float64 [300, 4], 9600 bytes: an op's result, share-counted
    const x = randn([300, 4], { rng, backend: wasm });
    const layer = new SoftmaxWithLoss();
    const heap = wasm.heap!;
    const live: number[] = [];
    for (let i = 0; i < 4; i++) {
      layer.forward(x, t);
      layer.backward().dispose();
      live.push(heap.stats.liveBytes);
    }
    expect(live.slice(1)).toEqual([live[1], live[1], live[1]]);
    // Nobody else holds a share of t: disposing it gives its 9600 bytes back.
    const before = heap.stats.liveBytes;
    t.dispose();
    expect(before - heap.stats.liveBytes).toBe(9600);
  });
});

describe("broadcast gradients (cpu pool)", () => {
  it("sumToShape disposes its partial sums, never grad or the result", () => {
    const backend = new CpuBackend();
    const grad = randn([2, 64, 8], { seed: 1, backend });
    const g = sumToShape(grad, [1, 8]); // sum(0) -> [64, 8] (4096 bytes, partial) -> [1, 8]
    expect(g.shape).toEqual([1, 8]);
    expect(backend.pool.pooledBytes).toBe(4096);
    expectAlive({ grad, g });
    expect(sumToShape(grad, [2, 64, 8])).toBe(grad); // nothing to sum: grad itself, alive
  });

  it("MulLayer disposes the local gradient it summed to a broadcast input's shape", () => {
    const backend = new CpuBackend();
    const x = randn([64, 8], { seed: 2, backend });
    const y = randn([8], { seed: 3, backend });
    const layer = new MulLayer();
    const out = layer.forward(x, y);
    const dout = randn([64, 8], { seed: 4, backend });
    const [dx, dy] = layer.backward(dout) as [Tensor, Tensor];
    // dx = dout * y has x's shape: returned as it is. dy = Σ_rows dout * x: the [64, 8] product
    // (4096 bytes) was disposed after its sum.
    expect(dy.shape).toEqual([8]);
    expect(backend.pool.pooledBytes).toBe(4096);
    expectAlive({ x, y, out, dout, dx, dy });
    for (let j = 0; j < 8; j++) {
      let sum = 0;
      for (let i = 0; i < 64; i++) sum += dout.data[i * 8 + j]! * x.data[i * 8 + j]!;
      expect(dy.data[j]).toBeCloseTo(sum, 12);
    }
  });
});

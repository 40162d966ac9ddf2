// Layers carry no lifetime code (issue 18): like the book's `common/layers.py`, forward computes and
// caches, backward returns dx, and nothing is disposed. Called directly (outside a net: gradient
// checks, notebooks, tests) a layer leaves its temporaries and its earlier caches to the garbage
// collector, so everything it was given or returned stays readable. Inside a net, the net's loops own
// what the layers make (packages/nets/src/ownership.ts, tested in packages/nets/test/ownership.test.ts):
// `track` lists what a call made, which is what those loops sort.
import {
  Affine,
  BatchNormalization,
  Convolution,
  Dropout,
  type Layer,
  MulLayer,
  Pooling,
  Relu,
  Sigmoid,
  SoftmaxWithLoss,
  sumToShape,
} from "@bp/layers";
import { type Backend, CpuBackend, Rng, type Tensor, cpu, ones, randn, tensor, track, zeros } from "@bp/tensor";
import { type WasmBackend, createWasmBackend } from "@bp/tensor/wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let wasm: WasmBackend;

beforeAll(async () => {
  wasm = await createWasmBackend({ residentBytes: 16 * 1024 * 1024 });
});

afterAll(() => {
  wasm.dispose();
});

function expectAlive(tensors: Record<string, Tensor>): void {
  for (const [name, t] of Object.entries(tensors)) {
    expect(t.isDisposed, name).toBe(false);
    expect(Array.from(t.data).every(Number.isFinite), name).toBe(true);
  }
}

for (const name of ["cpu", "wasm"] as const) {
  const backend = (): Backend => (name === "cpu" ? cpu : wasm);
  const r = (rng: Rng, ...shape: number[]): Tensor => randn(shape, { rng, backend: backend() });

  describe(`called directly, a layer disposes nothing (${name})`, () => {
    it("Affine: the previous forward's view of x, x, W, b, dout and the results all stay readable", () => {
      const rng = new Rng(1);
      const [W, b] = [r(rng, 12, 5), r(rng, 5)];
      const layer = new Affine(W, b);
      const x1 = r(rng, 4, 3, 2, 2); // 12 values per row: Affine keeps a [4, 12] view of it
      const out = layer.forward(x1);
      const view = layer.x!;
      expect(view.shape).toEqual([4, 12]);
      const dout = r(rng, 4, 5);
      const dx = layer.backward(dout)!;
      expect(dx.shape).toEqual([4, 3, 2, 2]);
      const { W: dW, b: db } = layer.grads;
      const x2 = r(rng, 4, 12);
      layer.forward(x2);
      layer.backward(dout);
      expect(layer.x!.shape).toEqual([4, 12]);
      expect(Array.from(view.data)).toEqual(Array.from(x1.data)); // the old view still reads x1
      expectAlive({ x1, x2, W, b, dout, dx, out, view, dW, db });
    });

    it("Convolution, Pooling, BatchNormalization, Dropout, Sigmoid, Relu: earlier caches and results stay", () => {
      const rng = new Rng(2);
      const like = { backend: backend() };
      const cases: [Layer, number[], number[]][] = [
        [new Convolution(r(rng, 3, 2, 3, 3), r(rng, 3)), [2, 2, 6, 6], [2, 3, 4, 4]],
        [new Pooling(2, 2, 2), [2, 3, 4, 4], [2, 3, 2, 2]],
        [new BatchNormalization(ones([12], like), zeros([12], like)), [5, 3, 2, 2], [5, 3, 2, 2]],
        [new Dropout(new Rng(6)), [4, 6], [4, 6]],
        [new Sigmoid(), [4, 6], [4, 6]],
        [new Relu(), [4, 6], [4, 6]],
      ];
      for (const [layer, inShape, outShape] of cases) {
        const x = r(rng, ...inShape);
        const out = layer.forward(x);
        const caches = Object.fromEntries(
          Object.entries(layer).filter((e): e is [string, Tensor] => e[1] instanceof Object && "isDisposed" in e[1]),
        );
        const dout = r(rng, ...outShape);
        const dx = layer.backward(dout)!;
        layer.forward(r(rng, ...inShape));
        layer.backward(r(rng, ...outShape));
        expectAlive({ x, out, dout, dx, ...caches });
      }
    });

    it("Dropout: a fixedMask (a drawn mask made fixed, as a gradient check does) is used and kept", () => {
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
  });
}

describe("track lists what a layer call made, for the one who runs the loop", () => {
  it("Affine.forward on a 4-d input: its view of x (kept in x), x · W and the output, in order", () => {
    const rng = new Rng(3);
    const layer = new Affine(randn([12, 5], { rng }), randn([5], { rng }));
    const x = randn([4, 3, 2, 2], { rng });
    const { result, made } = track(() => layer.forward(x));
    expect(made).toHaveLength(3);
    expect(made[0]).toBe(layer.x);
    expect(made[0]!.shape).toEqual([4, 12]);
    expect(made[1]!.shape).toEqual([4, 5]); // x · W, a temporary
    expect(made[2]).toBe(result);
    expect(made).not.toContain(x);
    for (const t of made) expect(t.isDisposed).toBe(false); // track disposes nothing itself
  });

  it("Sigmoid.backward: the temporaries of dout * (1 - out) * out, then dx", () => {
    const layer = new Sigmoid();
    const x = tensor([[-1, 0, 2]]);
    const out = layer.forward(x);
    const dout = tensor([[1, 1, 1]]);
    const { result, made } = track(() => layer.backward(dout));
    // -out, the scalar 1 (a number operand becomes a one-element tensor), 1 - out, dout * (1 - out), dx
    expect(made.map((t) => t.shape)).toEqual([[1, 3], [], [1, 3], [1, 3], [1, 3]]);
    expect(made.at(-1)).toBe(result);
    // dx = out (1 - out) for dout = 1: sigmoid(0) = 0.5 gives 0.25.
    expect(result.get(0, 1)).toBe(0.25);
    expect(result.get(0, 0)).toBeCloseTo(out.get(0, 0) * (1 - out.get(0, 0)), 15);
  });

  it("nested calls: a tensor is listed by the innermost track only", () => {
    const a = tensor([1, 2, 3]);
    const outer = track(() => {
      const inner = track(() => a.add(1));
      return inner.result.mul(2);
    });
    expect(outer.made.map((t) => t.shape)).toEqual([[], [3]]); // the scalar 2 and the product
    expect(outer.result.toArray()).toEqual([4, 6, 8]);
    expect(track(() => 7).made).toEqual([]);
  });
});

describe("broadcast gradients (cpu pool)", () => {
  it("sumToShape returns the sum and leaves grad alone; nothing goes back to the pool", () => {
    const backend = new CpuBackend();
    const grad = randn([2, 64, 8], { seed: 1, backend });
    const g = sumToShape(grad, [1, 8]); // sum(0) -> [64, 8] -> [1, 8]
    expect(g.shape).toEqual([1, 8]);
    expect(backend.pool.pooledBytes).toBe(0);
    expectAlive({ grad, g });
    expect(sumToShape(grad, [2, 64, 8])).toBe(grad); // nothing to sum: grad itself, alive
    // g[0, j] = Σ_{a, i} grad[a, i, j]
    let sum = 0;
    for (let a = 0; a < 2; a++) for (let i = 0; i < 64; i++) sum += grad.get(a, i, 3);
    expect(g.get(0, 3)).toBeCloseTo(sum, 12);
  });

  it("MulLayer sums the local gradient of a broadcast input to its shape", () => {
    const backend = new CpuBackend();
    const x = randn([64, 8], { seed: 2, backend });
    const y = randn([8], { seed: 3, backend });
    const layer = new MulLayer();
    const out = layer.forward(x, y);
    const dout = randn([64, 8], { seed: 4, backend });
    const [dx, dy] = layer.backward(dout) as [Tensor, Tensor];
    expect(dy.shape).toEqual([8]);
    expectAlive({ x, y, out, dout, dx, dy });
    for (let j = 0; j < 8; j++) {
      let sum = 0;
      for (let i = 0; i < 64; i++) sum += dout.data[i * 8 + j]! * x.data[i * 8 + j]!;
      expect(dy.data[j]).toBeCloseTo(sum, 12);
    }
  });
});

describe("SoftmaxWithLoss with one-hot labels", () => {
  it("keeps the labels it was given, as they are", () => {
    const rng = new Rng(10);
    const t = tensor(rng.choice(4, 30), { dtype: "int32", backend: wasm }).oneHot(4);
    const x = randn([30, 4], { rng, backend: wasm });
    const layer = new SoftmaxWithLoss();
    const loss = layer.forward(x, t);
    const dx = layer.backward();
    expect(layer.t).toBe(t);
    // dx = (y - t) / N: each row sums to 0 (y and t each sum to 1).
    for (let i = 0; i < 30; i++) {
      let s = 0;
      for (let j = 0; j < 4; j++) s += dx.get(i, j);
      expect(Math.abs(s)).toBeLessThan(1e-15);
    }
    expect(loss).toBeGreaterThan(0);
    expectAlive({ t, x, dx });
  });
});

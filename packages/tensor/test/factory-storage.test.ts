// The factories (tensor, zeros, ones, full, arange, rand, randn) allocate fresh storage from the
// backend for the tensor they return, so dispose() may recycle it like an op's result: it goes back
// to the backend (the cpu pool, the wasm heap) once that tensor and every reshape view of it are
// disposed. Storage given to `new Tensor(data, ...)` stays foreign and is never recycled.
import { describe, expect, it } from "vitest";
import {
  CpuBackend,
  Tensor,
  arange,
  full,
  ones,
  rand,
  randn,
  tensor,
  zeros,
  type CreateOptions,
} from "../src/index.js";
import { createWasmBackend } from "../src/wasm/index.js";

/** Each factory making 256 float64 values (2048 bytes: above the 1 KiB floor of pool and heap). */
const factories: [string, (o: CreateOptions) => Tensor][] = [
  ["tensor(typed array)", (o) => tensor(new Float64Array(256).fill(3), o)],
  ["tensor(nested arrays)", (o) => tensor([Array.from({ length: 256 }, (_, i) => i)], o)],
  [
    "tensor(nested arrays, shape)",
    (o) => tensor([Array.from({ length: 256 }, (_, i) => i)], { ...o, shape: [16, 16] }),
  ],
  ["zeros", (o) => zeros([16, 16], o)],
  ["ones", (o) => ones([16, 16], o)],
  ["full", (o) => full([16, 16], 2.5, o)],
  ["arange", (o) => arange(256, undefined, 1, o)],
  ["rand", (o) => rand([16, 16], { ...o, seed: 1 })],
  ["randn", (o) => randn([16, 16], { ...o, seed: 1 })],
];

describe("factory storage is recyclable", () => {
  for (const [name, make] of factories) {
    it(`${name}: disposed, its storage goes back to the cpu pool; a view keeps it until it goes too`, () => {
      const backend = new CpuBackend();
      const t = make({ backend });
      expect(t.size).toBe(256);
      t.dispose();
      expect(backend.pool.pooledBytes, "disposed alone").toBe(2048);
      const u = make({ backend }); // takes the pooled buffer back
      expect(backend.pool.pooledBytes).toBe(0);
      const view = u.reshape([256]);
      u.dispose();
      expect(backend.pool.pooledBytes, "a view still holds it").toBe(0);
      expect(view.data.length).toBe(256);
      view.dispose();
      expect(backend.pool.pooledBytes, "view disposed too").toBe(2048);
    });
  }

  it("the same values from recycled storage (zero-filled before the factory fills it)", () => {
    const backend = new CpuBackend();
    for (const [name, make] of factories) {
      const fresh = Array.from(make({ backend }).data);
      const dirty = full([256], 7, { backend });
      dirty.dispose(); // a buffer of 7s in the pool
      const again = make({ backend });
      expect(Array.from(again.data), name).toEqual(fresh);
      again.dispose();
    }
  });

  it("on wasm a factory's tensor lives in the heap and goes back to it when disposed", async () => {
    const wasm = await createWasmBackend({ residentBytes: 16 * 1024 * 1024 });
    try {
      const heap = wasm.heap!;
      const before = heap.stats.liveBytes;
      const t = randn([16, 16], { seed: 2, backend: wasm });
      expect(wasm.isResident(t.data)).toBe(true);
      expect(heap.stats.liveBytes - before).toBe(2048);
      t.dispose();
      expect(heap.stats.liveBytes).toBe(before);
    } finally {
      wasm.dispose();
    }
  });

  it("storage given to the constructor is never recycled, even when it came from a factory", () => {
    const backend = new CpuBackend();
    const made = zeros([16, 16], { backend });
    const wrapped = new Tensor(made.data, [256], "float64", backend);
    made.dispose();
    wrapped.dispose();
    expect(backend.pool.pooledBytes).toBe(0);
    const own = new Tensor(new Float64Array(256), [256], "float64", backend);
    own.dispose();
    expect(backend.pool.pooledBytes).toBe(0);
  });

  it("take/putAlongLastAxis keep no share of 2-d indices' storage (their flat view is disposed)", () => {
    const backend = new CpuBackend();
    const values = randn([16, 16, 4], { seed: 3, backend });
    const indices = values.argmax(2); // int32 [16, 16]: 1024 bytes, an op's result
    const picked = values.takeAlongLastAxis(indices);
    const spread = picked.putAlongLastAxis(indices, 4);
    // Each window's maximum, put back at its argmax: equal to the values there.
    for (let i = 0; i < 256; i++) {
      const k = indices.data[i]!;
      expect(spread.data[i * 4 + k]).toBe(values.data[i * 4 + k]);
    }
    indices.dispose();
    expect(backend.pool.pooledBytes).toBe(1024);
  });
});

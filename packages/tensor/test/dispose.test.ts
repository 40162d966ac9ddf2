// Tensor.dispose(): a disposed tensor refuses every use, and only storage that an op made goes back
// to the backend's pool for the next alloc of the same dtype and size, once every tensor holding it
// (the result and its reshape views) was disposed; storage given to the constructor never does.
import { describe, expect, it } from "vitest";
import { type Backend, CpuBackend, Tensor, ValueError, randn, tensor } from "../src/index.js";
import { createWasmBackend } from "../src/wasm/index.js";
import { createWorkerBackend } from "../src/worker/node.js";
import { splitEveryOp } from "../src/worker/internals.js";

/** x + x (= 2x exactly) for a 20x10 float64 x: an op result of 1600 bytes, and no other storage (a
 * number operand's one-element tensor would go to the pool too). */
function opResult(x: Tensor): Tensor {
  return x.add(x);
}

function input(backend: Backend): Tensor {
  return randn([20, 10], { seed: 3, backend });
}

describe("Tensor.dispose", () => {
  it("a disposed tensor throws a ValueError on every use; dispose twice does nothing", () => {
    const t = tensor([
      [1, 2],
      [3, 4],
    ]);
    const u = t.add(1);
    expect(u.isDisposed).toBe(false);
    u.dispose();
    u.dispose();
    expect(u.isDisposed).toBe(true);
    expect(() => u.data).toThrow(ValueError);
    expect(() => u.data).toThrow("this float64 [2, 2] tensor was disposed");
    expect(() => u.add(1)).toThrow(ValueError);
    expect(() => t.add(u)).toThrow("was disposed");
    expect(() => u.toArray()).toThrow("was disposed");
    expect(() => u.sum()).toThrow("was disposed");
    expect(u.shape).toEqual([2, 2]); // metadata stays readable
    expect(t.add(1).toArray()).toEqual([
      [2, 3],
      [4, 5],
    ]);
  });

  it("an op result's storage is reused by the next op of the same dtype and size, zero-filled by alloc", () => {
    const backend = new CpuBackend();
    const x = input(backend);
    const a = opResult(x);
    const expected = Array.from(a.data);
    const buffer = a.data.buffer;
    a.dispose();
    expect(backend.pool.pooledBytes).toBe(1600);
    const zeros = backend.alloc("float64", 200);
    expect(zeros.buffer).toBe(buffer);
    expect(zeros.every((v) => v === 0)).toBe(true);
    backend.release("float64", zeros);
    const again = opResult(x); // same op, recycled storage, same bits
    expect(again.data.buffer).toBe(buffer);
    expect(Array.from(again.data)).toEqual(expected);
    expect(backend.pool.stats.reused).toBeGreaterThanOrEqual(2);
  });

  it("never recycles storage another tensor can still read: reshape views, the constructor's data", () => {
    const backend = new CpuBackend();
    const x = input(backend);
    const a = opResult(x);
    const view = a.reshape([200]);
    const view2 = view.reshape([2, 100]);
    a.dispose();
    view.dispose();
    expect(backend.pool.pooledBytes).toBe(0); // view2 still reads it
    expect(view2.data[0]).toBe(x.data[0]! * 2);
    view2.dispose();
    expect(backend.pool.pooledBytes).toBe(1600); // the last of the three: 200 float64 values recycled
    view2.dispose(); // twice: counted once
    expect(backend.pool.pooledBytes).toBe(1600);

    const b = opResult(x);
    const alias = new Tensor(b.data, [200], "float64", backend); // shares b's storage
    b.dispose();
    expect(backend.pool.pooledBytes).toBe(0);
    expect(alias.data.length).toBe(200);

    const own = new Float64Array(400);
    const given = new Tensor(own, [400], "float64", backend);
    given.dispose();
    expect(backend.pool.pooledBytes).toBe(0);
  });

  it("small buffers (under 1024 bytes) are pooled too, at most 64 of each size", () => {
    const backend = new CpuBackend();
    const a = randn([10, 10], { seed: 1, backend });
    const m = a.add(a); // 800 bytes
    const storage = m.data;
    m.dispose();
    expect(backend.pool.pooledBytes).toBe(800);
    const next = a.mul(a);
    expect(next.data).toBe(storage); // the next result of that size takes it
    expect(backend.pool.pooledBytes).toBe(0);
    expect(next.get(9, 9)).toBe(a.get(9, 9) * a.get(9, 9));
    // A number operand's one-element tensor is disposed by its op: the next one reuses its storage.
    a.mul(2);
    expect(backend.pool.pooledBytes).toBe(8);
    a.mul(3);
    expect(backend.pool.pooledBytes).toBe(8);
    // 100 disposed one-element sums (8 bytes each): 64 wait for reuse, the rest are left to the
    // garbage collector.
    const sums = Array.from({ length: 100 }, () => a.sum());
    for (const s of sums) s.dispose();
    expect(backend.pool.pooledBytes).toBe(64 * 8);
  });

  it("works on the wasm backend and the worker backend, both pooled", async () => {
    const wasm = await createWasmBackend();
    const a = opResult(input(wasm));
    const m = a.matmul(a, { transposeB: true });
    const bits = Array.from(m.data);
    const buffer = m.data.buffer;
    m.dispose();
    const m2 = a.matmul(a, { transposeB: true });
    expect(m2.data.buffer).toBe(buffer);
    expect(Array.from(m2.data)).toEqual(bits);

    // The worker backend runs unsplit ops like the wasm backend and shares its pool; a split op's
    // result is pooled the same way.
    for (const everyOp of [false, true]) {
      const worker = await createWorkerBackend({ threads: 2 });
      if (everyOp) splitEveryOp(worker);
      const x = opResult(input(worker));
      const w = x.matmul(x, { transposeB: true });
      const wBits = Array.from(w.data);
      expect(wBits).toEqual(bits);
      const wBuffer = w.data.buffer;
      w.dispose();
      expect(() => w.data).toThrow("was disposed");
      const w2 = x.matmul(x, { transposeB: true });
      expect(w2.data.buffer, `every op split: ${everyOp}`).toBe(wBuffer);
      expect(Array.from(w2.data)).toEqual(wBits);
      worker.dispose();
    }
  });
});

// A tensor in the worker backend's shared heap stays resident when another shared memory of the
// process grows. V8 then hands out a new SharedArrayBuffer object from every shared memory's
// `buffer` getter; a backend that compared a tensor's buffer with the current one would take its
// own tensors for foreign ones and copy them through staging for every split op.
import { describe, expect, it } from "vitest";
import { randn } from "../src/index.js";
import { createWorkerBackend } from "../src/worker/node.js";

describe("resident tensors of the worker backend", () => {
  it("stay resident after another shared memory grows", async () => {
    const backend = await createWorkerBackend({ threads: 2 });
    try {
      const x = randn([300, 300], { seed: 3, backend });
      expect(backend.isResident(x.data)).toBe(true);
      const other = new WebAssembly.Memory({ initial: 1, maximum: 64, shared: true });
      const before = x.data.buffer;
      other.grow(2);
      // The quirk this guards against: the worker memory's getter now answers a new object.
      expect(backend.heap).not.toBeNull();
      expect(backend.isResident(x.data)).toBe(true);
      expect(x.data.buffer).toBe(before);
      // A split op on it gives the values of the same op computed element by element here.
      const y = x.mul(2);
      expect(backend.isResident(y.data)).toBe(true);
      expect(Array.from(y.data.subarray(0, 5))).toEqual(Array.from(x.data.subarray(0, 5), (v) => v * 2));
    } finally {
      backend.dispose();
    }
  });
});

import { describe, expect, it } from "vitest";
import { ValueError, zeros } from "../src/index.js";
import { createWasmBackend } from "../src/wasm/index.js";

// A result within the element limit (MAX_TENSOR_SIZE = 2^32) that memory cannot hold: [2^16, 1] + [1, 2^16]
// broadcasts to 2^32 float64 values = 32 GiB, more than these 24 GiB machines (and V8's ArrayBuffer limit) give.
// The op must fail with a typed error naming the allocation, not a bare RangeError from inside the backend.
describe("an op whose result does not fit in memory", () => {
  it("cpu: ValueError from alloc naming the element count and bytes", () => {
    const a = zeros([2 ** 16, 1]);
    const b = zeros([1, 2 ** 16]);
    expect(() => a.add(b)).toThrow(ValueError);
    expect(() => a.add(b)).toThrow(/alloc: cannot allocate 4294967296 float64 values \(34359738368 bytes\)/);
  });

  it("wasm: the same ValueError", async () => {
    const wasm = await createWasmBackend();
    const a = zeros([2 ** 16, 1], { backend: wasm });
    const b = zeros([1, 2 ** 16], { backend: wasm });
    expect(() => a.add(b)).toThrow(/alloc: cannot allocate 4294967296 float64 values/);
  });
});

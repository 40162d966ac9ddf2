// Tensor.firstNonFinite / allFinite: the divergence check of a training loop. The fast pass sums
// x * 0 per block of 1024 (0 for finite values, NaN otherwise), so values are placed on both sides of
// block edges, in the 4-wide unrolled part and in the tail.
import { describe, expect, it } from "vitest";
import { Tensor, tensor, zeros } from "../src/index.js";
import { createWasmBackend, type WasmBackend } from "../src/wasm/index.js";
import { createWorkerBackend, type ThreadPoolBackend } from "../src/worker/node.js";

/** Whether x's storage is a block of the backend's heap (for the worker: of its shared memory). */
function isResident(backend: WasmBackend | ThreadPoolBackend, x: Tensor): boolean {
  if ("isResident" in backend) return backend.isResident(x.data);
  return x.data.buffer instanceof SharedArrayBuffer;
}

describe("firstNonFinite / allFinite", () => {
  it("-1 and true when every element is finite, including -0, huge and tiny values", () => {
    const x = tensor([0, -0, 1e308, -1e308, 5e-324, -5e-324, 3]);
    expect(x.firstNonFinite()).toBe(-1);
    expect(x.allFinite()).toBe(true);
    expect(zeros([0]).allFinite()).toBe(true);
    // 1e308 * 0 = 0, so even the largest finite values sum to 0 in the fast pass.
    expect(tensor(new Float64Array(5000).fill(1.7976931348623157e308)).allFinite()).toBe(true);
  });

  it("the index of the first NaN, +Infinity or -Infinity at every position class", () => {
    for (const dtype of ["float64", "float32"] as const) {
      for (const n of [1, 3, 4, 7, 1023, 1024, 1025, 2049, 5000]) {
        for (const at of [0, 1, 3, n - 1, Math.floor(n / 2), 1023, 1024, 2048]) {
          if (at >= n) continue;
          for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
            const x = zeros([n], { dtype });
            x.data[at] = bad;
            if (at + 1 < n) x.data[n - 1] = Number.NaN; // a later one never wins
            expect(x.firstNonFinite(), `${dtype} n=${n} at=${at} ${bad}`).toBe(at);
            expect(x.allFinite()).toBe(false);
          }
        }
      }
    }
  });

  it("a float32 overflow to Infinity counts; int32 tensors are always finite", () => {
    const f = tensor([1, 2], { dtype: "float32" }).mul(3.5e38);
    expect(f.data[0]).toBe(Number.POSITIVE_INFINITY); // 3.5e38 > float32 max 3.4028235e38
    expect(f.firstNonFinite()).toBe(0);
    expect(new Tensor(new Int32Array([2147483647, -2147483648]), [2]).allFinite()).toBe(true);
  });

  it("reads the whole tensor whatever its shape", () => {
    const x = zeros([3, 400, 2]);
    x.data[2399] = Number.NaN;
    expect(x.firstNonFinite()).toBe(2399);
    expect(x.reshape([2400]).firstNonFinite()).toBe(2399);
  });

  it("the wasm and worker backends' scan of resident tensors (blocks of 512) finds the same first index", async () => {
    const worker = await createWorkerBackend({ threads: 2 });
    for (const backend of [await createWasmBackend(), worker]) scanResident(backend);
    worker.dispose();
  });

  function scanResident(backend: WasmBackend | ThreadPoolBackend): void {
    for (const dtype of ["float64", "float32"] as const) {
      for (const n of [256, 257, 511, 512, 513, 1031, 4100]) {
        expect(zeros([n], { dtype, backend }).firstNonFinite()).toBe(-1);
        for (const at of [0, 7, 8, 255, 511, 512, 513, n - 1]) {
          if (at >= n) continue;
          for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
            const x = zeros([n], { dtype, backend });
            expect(isResident(backend, x), "resident: the wasm kernel runs").toBe(true);
            x.data[at] = bad;
            if (at + 1 < n) x.data[n - 1] = Number.NaN;
            expect(x.firstNonFinite(), `${dtype} n=${n} at=${at} ${bad}`).toBe(at);
          }
        }
      }
    }
  }
});

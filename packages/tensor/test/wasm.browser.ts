// The wasm backend in real Chromium (vitest browser mode): the module embedded as base64 compiles on
// the page's main thread (asynchronously, as browsers require) and its matrix products equal the cpu
// backend's bit for bit. The worker backend's wasm kernels in Workers are covered by
// worker.browser.ts (its training runs matmuls split between threads).
import { describe, expect, it } from "vitest";
import { cpu, randn } from "../src/index.js";
import { createWasmBackend } from "../src/wasm/index.js";

describe("wasm backend in Chromium", () => {
  it("on the page's main thread: matmuls (all transposes, both dtypes) equal cpu's bit for bit", async () => {
    const wasm = await createWasmBackend();
    expect(wasm.name).toBe("wasm");
    for (const dtype of ["float64", "float32"] as const) {
      for (const [tA, tB] of [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ] as const) {
        const a = randn(tA ? [70, 130] : [130, 70], { seed: 1, dtype });
        const b = randn(tB ? [90, 70] : [70, 90], { seed: 2, dtype });
        const opts = { transposeA: tA, transposeB: tB };
        const want = a.matmul(b, opts);
        const got = a.to(wasm).matmul(b.to(wasm), opts);
        expect(got.backend).toBe(wasm);
        expect(want.backend).toBe(cpu);
        expect(Array.from(got.data), `${dtype} ${tA} ${tB}`).toEqual(Array.from(want.data));
      }
    }
  });
});

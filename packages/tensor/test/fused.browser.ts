// `fused` in real Chromium (vitest browser mode): on the page's main thread, where a browser may
// refuse to compile large modules synchronously, Adam's program compiles to its small module
// (src/wasm/fused-compile.ts), and Adam on the wasm backend gives the cpu backend's bits.
import { describe, expect, it } from "vitest";
import { type Tensor, cpu, fused, tensor } from "../src/index.js";
import { compiledFused } from "../src/wasm/fused-compile.js";
import { createWasmBackend } from "../src/wasm/index.js";
import { adamFused, adamOps, expectSameBits, programOfCall, values } from "./fused-cases.js";

describe("fused in Chromium", () => {
  it("on the page's main thread: Adam's program compiles, and Adam on wasm equals cpu bit for bit", async () => {
    const t = (): Tensor => tensor([1, 2, 3]);
    const program = programOfCall(() => adamFused(t(), t(), t(), t()));
    const memory = new WebAssembly.Memory({ initial: 1 });
    for (const f32 of [false, true]) expect(compiledFused(program, memory, f32), `f32 ${f32}`).not.toBeNull();

    const wasm = await createWasmBackend();
    for (const dtype of ["float64", "float32"] as const) {
      for (const n of [1000, 4099]) {
        const inputs = (on: typeof cpu) => [
          values(n, 1, dtype, on),
          values(n, 2, dtype, on),
          values(n, 3, dtype, on),
          values(n, 4, dtype, on, true),
        ];
        const want = adamOps(...(inputs(cpu) as [Tensor, Tensor, Tensor, Tensor]));
        const got = adamFused(...(inputs(wasm) as [Tensor, Tensor, Tensor, Tensor]));
        for (let k = 0; k < 4; k++) expectSameBits(got[k]!, want[k]!, `${dtype} n=${n} output ${k}`);
      }
    }
    // A program of 200 instructions: its module (about 4.5 KB) is past what Chromium may compile
    // synchronously on the main thread; compiled or interpreted, the bits are the ops'.
    const long = <T extends { mul(c: number): T; add(c: number): T }>(x: T): T => {
      let t = x;
      for (let i = 0; i < 100; i++) t = t.mul(1 + i / 1000).add(i - 50.5);
      return t;
    };
    const x = values(3001, 5, "float32", cpu);
    expectSameBits(fused(long, x.to(wasm)), long(x), "200 instructions");
    wasm.dispose();
  });
});

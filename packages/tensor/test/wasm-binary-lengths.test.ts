// The float64 loops of assembly/elementwise.ts take four values per pass for each stride case (both
// operands whole, b one value, a one value) and leave the last zero to three values to a two-lane
// and a one-value loop. Every remainder, in whole operands and in rows of a bias broadcast and of a
// keepDims column, must give the cpu backend's bits. So must assembly/unary.ts's `where` for Relu's
// backward (dout where the mask is set, else 0), which also takes four values per pass.
import { beforeAll, describe, expect, it } from "vitest";
import { cpu, tensor, type BinaryOp, type Tensor } from "../src/index.js";
import { createWasmBackend, type WasmBackend } from "../src/wasm/index.js";
import { firstDifference } from "./conformance/suite.js";
import { sampleValues } from "./reference/float64.js";

const OPS: BinaryOp[] = ["add", "sub", "mul", "div"];

describe("wasm float64 binary ops at every remainder of four", () => {
  let wasm: WasmBackend;
  beforeAll(async () => {
    wasm = await createWasmBackend();
  });

  function same(op: BinaryOp, aShape: number[], bShape: number[], seed: number): string | null {
    const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
    const av = sampleValues(size(aShape), seed, -3, 3);
    const bv = sampleValues(size(bShape), seed + 1, -3, 3);
    // A NaN, an Infinity and a -0 in each operand that is not a single value: in the first pass
    // and in the last value.
    for (const v of [av, bv])
      if (v.length > 2) [v[0], v[1], v[v.length - 1]] = [Number.NaN, Number.NEGATIVE_INFINITY, -0];
    const on = (backend: typeof cpu, v: number[], shape: number[]): Tensor => tensor(v, { backend, shape });
    const want = on(cpu, av, aShape).binary(op, on(cpu, bv, bShape)).data;
    return firstDifference(on(wasm, av, aShape).binary(op, on(wasm, bv, bShape)).data, want);
  }

  it("whole operands and a single value on either side, lengths 256 to 263", () => {
    for (const op of OPS) {
      for (let n = 256; n < 264; n++) {
        expect(same(op, [n], [n], n), `${op} [${n}] [${n}]`).toBeNull();
        expect(same(op, [n], [], n), `${op} [${n}] scalar`).toBeNull();
        expect(same(op, [], [n], n), `${op} scalar [${n}]`).toBeNull();
      }
    }
  });

  it("rows of 1 to 9 values with a bias row or one value per row", () => {
    for (const op of OPS) {
      for (let len = 1; len <= 9; len++) {
        const rows = Math.ceil(300 / len);
        expect(same(op, [rows, len], [len], len), `${op} [${rows}, ${len}] + row`).toBeNull();
        expect(same(op, [rows, len], [rows, 1], len), `${op} [${rows}, ${len}] + column`).toBeNull();
      }
    }
  });

  it("where(mask, 0) as Relu's backward takes it, lengths 256 to 263, any mask value", () => {
    // The mask holds 1, 0, -0 and NaN (NaN != 0, so it selects dout, as cpu's !== does).
    const marks = [1, 0, -0, Number.NaN, 0, 1, 1, 0, 0.5];
    for (let n = 256; n < 264; n++) {
      const dv = sampleValues(n, n, -3, 3);
      const mv = dv.map((_, i) => marks[(i * 7 + n) % marks.length]!);
      const run = (backend: typeof cpu) => tensor(dv, { backend }).where(tensor(mv, { backend }), 0).data;
      expect(firstDifference(run(wasm), run(cpu)), `n=${n}`).toBeNull();
    }
  });
});

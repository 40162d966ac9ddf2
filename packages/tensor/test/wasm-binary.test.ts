// add, sub, mul and div on the wasm backend (assembly/elementwise.ts for whole operands, scalars,
// row broadcasts and one value per row; the TypeScript kernel otherwise) against the cpu backend, bit for bit, on every
// broadcasting pattern, both float dtypes, and values that stress IEEE arithmetic (NaN, ±Infinity,
// ±0, subnormals, overflow and float32 rounding).
import { beforeAll, describe, expect, it } from "vitest";
import { cpu, tensor, type BinaryOp, type FloatDType, type Tensor } from "../src/index.js";
import { createWasmBackend, type WasmBackend } from "../src/wasm/index.js";
import { firstDifference } from "./conformance/suite.js";
import { sampleValues } from "./reference/float64.js";

const OPS: BinaryOp[] = ["add", "sub", "mul", "div"];
const DTYPES: FloatDType[] = ["float64", "float32"];
const SPECIAL = [
  NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  5e-324,
  -5e-324,
  1e-45,
  1.5e-39,
  3.4e38,
  -3.4e38,
  1e308,
  1,
  -1,
  0.1,
  3,
];

/** n values: samples in [-3, 3] with the special values mixed in every 7th place. */
function values(n: number, seed: number): number[] {
  const v = sampleValues(n, seed, -3, 3);
  for (let i = 0; i < n; i += 7) v[i] = SPECIAL[(i / 7 + seed) % SPECIAL.length]!;
  return v;
}

describe("wasm backend binary ops", () => {
  let wasm: WasmBackend;
  beforeAll(async () => {
    wasm = await createWasmBackend();
  });

  function check(op: BinaryOp, dtype: FloatDType, aShape: number[], bShape: number[], seed: number) {
    const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
    const av = values(size(aShape), seed);
    const bv = values(size(bShape), seed + 1);
    const on = (backend: typeof cpu, v: number[], shape: number[]): Tensor => tensor(v, { backend, dtype, shape });
    const want = on(cpu, av, aShape).binary(op, on(cpu, bv, bShape));
    const got = on(wasm, av, aShape).binary(op, on(wasm, bv, bShape));
    expect(got.shape).toEqual(want.shape);
    expect(firstDifference(got.data, want.data), `${op} ${dtype} ${aShape} ${bShape}`).toBeNull();
  }

  for (const dtype of DTYPES) {
    it(`${dtype}: same shapes, scalars on either side, row broadcasts, and the rest, equal cpu bit for bit`, () => {
      let seed = 1;
      const patterns: [number[], number[]][] = [
        [
          [30, 41],
          [30, 41],
        ], // whole, odd length (a SIMD tail)
        [[1000], [1000]],
        [[30, 41], []], // scalar b
        [
          [30, 41],
          [1, 1],
        ],
        [[], [30, 41]], // scalar a
        [[100, 50], [50]], // a bias row
        [
          [100, 50],
          [1, 50],
        ],
        [[4, 25, 13], [13]],
        [
          [30, 41],
          [30, 1],
        ], // a column (one b value per row): assembly binaryCols
        [
          [100, 10],
          [100, 1],
        ], // softmax's x - max(x, -1, keepDims) and e / sum(e, -1, keepDims)
        [
          [4, 25, 13],
          [4, 25, 1],
        ],
        [
          [3000, 10],
          [3000, 1],
        ], // several staging chunks of rows
        [
          [41, 30],
          [1, 41, 1],
        ], // a column of the [1, 41, 30] output: a's rank is lower, its values are whole
        [
          [1, 41],
          [30, 1],
        ], // an outer broadcast (a is not whole): the TypeScript kernel
        [
          [5, 7],
          [5, 7],
        ], // small: the TypeScript kernel
      ];
      for (const op of OPS) {
        for (const [aShape, bShape] of patterns) {
          seed += 2;
          check(op, dtype, aShape, bShape, seed);
        }
      }
    });
  }

  it("hand-derived: float32 sums round once to float32, as cpu's store does", () => {
    // 16777216 + 1 = 16777217 is not a float32; round to nearest even gives 16777216. 0.1 + 0.2 in
    // float32: 0.100000001490116 + 0.200000002980232 = 0.300000004470348, the float32 nearest it.
    const x = tensor(new Array<number>(300).fill(16777216), { dtype: "float32", backend: wasm });
    expect(x.add(1).get(0)).toBe(16777216);
    const y = tensor(new Array<number>(300).fill(0.1), { dtype: "float32", backend: wasm });
    expect(y.add(tensor(new Array<number>(300).fill(0.2), { dtype: "float32", backend: wasm })).get(299)).toBe(
      Math.fround(Math.fround(0.1) + Math.fround(0.2)),
    );
  });

  it("int32 operands run the TypeScript kernel (integer results)", () => {
    const a = tensor(
      Array.from({ length: 400 }, (_, i) => i),
      { dtype: "int32", backend: wasm },
    );
    expect(a.mul(3).get(399)).toBe(1197);
  });
});

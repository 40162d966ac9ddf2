// A bias row broadcast over rows (`x.add(b)` with b of the last axis' length; assembly/elementwise.ts,
// binaryRows) runs as one flat pass whose b vectors come from b repeated in the thread's scratch. Row
// lengths that do not fill whole vectors (1, 2, 3, 5, 7: shorter than one pass of two vectors; 30: the
// conv layer's channels; 31, 50, 4321), rows counts that leave a scalar tail, every op, both dtypes,
// on the wasm backend (resident and staged) and on the worker backend with every op split between 3
// threads (ranges of whole rows): each must equal cpu bit for bit.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tensor, type Backend, type BinaryOp, type FloatDType } from "../src/index.js";
import { type WasmBackend, createWasmBackend } from "../src/wasm/index.js";
import { splitEveryOp } from "../src/worker/internals.js";
import { type WorkerBackend, createWorkerBackend } from "../src/worker/node.js";
import { firstDifference } from "./conformance/suite.js";
import { sampleValues } from "./reference/float64.js";

let wasm: WasmBackend;
let staged: WasmBackend;
let worker: WorkerBackend;

beforeAll(async () => {
  wasm = await createWasmBackend();
  staged = await createWasmBackend({ residentBytes: 0 });
  worker = await createWorkerBackend({ threads: 3 }).then(splitEveryOp);
});

afterAll(() => {
  for (const b of [wasm, staged, worker]) b.dispose();
});

const OPS: BinaryOp[] = ["add", "sub", "mul", "div"];
/** [rows, row length]: at least 256 elements (the wasm kernel's least). */
const SHAPES: [number, number][] = [
  [301, 1],
  [257, 2],
  [331, 3],
  [103, 5],
  [97, 7],
  [57, 30],
  [5760, 30],
  [33, 31],
  [100, 50],
  [3, 4321],
];

describe("a bias row over every row (binaryRows) equals cpu bit for bit", () => {
  for (const dtype of ["float64", "float32"] as FloatDType[]) {
    it(`${dtype}: short and long rows, every op, wasm (resident, staged) and worker (split)`, () => {
      let seed = 1;
      for (const [rows, len] of SHAPES) {
        for (const op of OPS) {
          seed += 2;
          const x = tensor(sampleValues(rows * len, seed, -3, 3), { dtype, shape: [rows, len] });
          // b with a zero and a negative zero in it (division by ±0 gives ±Infinity or NaN).
          const bv = sampleValues(len, seed + 1, -2, 2);
          bv[0] = len > 1 ? -0 : bv[0]!;
          if (len > 2) bv[len - 1] = 0;
          const b = tensor(bv, { dtype, shape: [len] });
          const want = x.binary(op, b);
          for (const backend of [wasm, staged, worker] as Backend[]) {
            const got = x.to(backend).binary(op, b.to(backend));
            expect(got.shape).toEqual([rows, len]);
            expect(firstDifference(got.data, want.data), `${backend.name} ${op} ${dtype} [${rows}, ${len}]`).toBeNull();
          }
        }
      }
    });
  }

  it("hand-derived: [[1, 2, 3], [4, 5, 6], ...] + [10, 20, 30] on wasm", () => {
    // 100 rows of [3r + 1, 3r + 2, 3r + 3] plus [10, 20, 30]: row r is [3r + 11, 3r + 22, 3r + 33].
    const x = tensor(
      Array.from({ length: 300 }, (_, i) => i + 1),
      { dtype: "float32", shape: [100, 3], backend: wasm },
    );
    const y = x.add(tensor([10, 20, 30], { dtype: "float32", backend: wasm }));
    expect(y.get(0, 0)).toBe(11);
    expect(y.get(0, 2)).toBe(33);
    expect(y.get(57, 1)).toBe(3 * 57 + 22);
    expect(y.get(99, 2)).toBe(3 * 99 + 33);
  });
});

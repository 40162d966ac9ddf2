// putAlongLastAxis checks its indices inside the kernel's pass (no scan before it): an index outside
// [0, depth) anywhere in a large input (first row, a middle row, the last row; negative or too large)
// must still throw the typed IndexError naming the first bad index and its position, on every
// backend and dtype, whichever thread's range meets it; no result becomes visible, the inputs are
// untouched, the output's storage goes back to the backend, and a valid call afterwards gives the
// same bits as cpu.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IndexError, Rng, cpu, rand, tensor, type Backend, type FloatDType, type Tensor } from "../src/index.js";
import { type WasmBackend, createWasmBackend } from "../src/wasm/index.js";
import { splitEveryOp } from "../src/worker/internals.js";
import { type WorkerBackend, createWorkerBackend } from "../src/worker/node.js";
import { firstDifference } from "./conformance/suite.js";

/** Pooling's backward in the conv step: 100 images x 30 channels x 12 x 12 windows of 2x2. */
const ROWS = 432_000;
const DEPTH = 4;

let wasm: WasmBackend;
let staged: WasmBackend;
let worker: WorkerBackend;
let split3: WorkerBackend;

beforeAll(async () => {
  wasm = await createWasmBackend();
  staged = await createWasmBackend({ residentBytes: 0 });
  worker = await createWorkerBackend({ threads: 2 });
  split3 = await createWorkerBackend({ threads: 3 }).then(splitEveryOp);
});

afterAll(() => {
  for (const b of [wasm, staged, worker, split3]) b.dispose();
});

function backends(): [string, Backend][] {
  return [
    ["cpu", cpu],
    ["wasm", wasm],
    ["wasm (operands staged)", staged],
    ["worker", worker],
    ["worker (3 threads, every op split)", split3],
  ];
}

/** Valid argmax-like indices in [0, DEPTH), one per row. */
function goodIndices(): Int32Array {
  const rng = new Rng(5);
  return Int32Array.from({ length: ROWS }, () => rng.choice(DEPTH, 1)[0]!);
}

/** Bytes of storage the backend holds for live results (heap blocks in use; 0 for cpu). */
function liveBytes(b: Backend): number {
  return (b as { heap?: { stats: { liveBytes: number } } | null }).heap?.stats.liveBytes ?? 0;
}

describe("putAlongLastAxis checks its indices in the kernel's pass", () => {
  for (const dtype of ["float64", "float32"] as FloatDType[]) {
    // [position, value] of the bad index; the second case has two bad ones, far apart (in different
    // threads' ranges when split): the message names the first.
    const cases: [string, [number, number][]][] = [
      ["the first row", [[0, DEPTH]]],
      ["a middle row", [[ROWS / 2 + 7, -1]]],
      ["the last row", [[ROWS - 1, 2 ** 31 - 1]]],
      [
        "two rows far apart",
        [
          [ROWS - 3, -(2 ** 31)],
          [123_457, 9],
        ],
      ],
    ];
    it(`${dtype}: a bad index at the start, middle or end throws the IndexError on every backend`, () => {
      const values = rand([ROWS], { seed: 9, dtype });
      const good = goodIndices();
      const want = values.putAlongLastAxis(tensor(good, { dtype: "int32" }), DEPTH);
      for (const [name, b] of backends()) {
        const v = values.to(b);
        for (const [where, bad] of cases) {
          const idx = Int32Array.from(good);
          for (const [i, value] of bad) idx[i] = value;
          const first = bad.reduce((a, c) => (c[0] < a[0] ? c : a));
          const indices = tensor(idx, { dtype: "int32" }).to(b);
          const before = liveBytes(b);
          let result: Tensor | null = null;
          let error: unknown = null;
          try {
            result = v.putAlongLastAxis(indices, DEPTH);
          } catch (e) {
            error = e;
          }
          expect(result, `${name}, ${where}`).toBeNull();
          expect(error, `${name}, ${where}`).toBeInstanceOf(IndexError);
          expect((error as Error).message, `${name}, ${where}`).toBe(
            `putAlongLastAxis: index ${first[1]} at position ${first[0]} is not an integer in [0, ${DEPTH})`,
          );
          // The output's storage went back (no block of the heap stays taken by the failed op).
          expect(liveBytes(b), `${name}, ${where}`).toBe(before);
          // The inputs are as they were.
          expect(firstDifference(v.data, values.data), `${name}, ${where}`).toBeNull();
          expect(firstDifference(indices.data, idx), `${name}, ${where}`).toBeNull();
          indices.dispose();
        }
        // A valid call afterwards: cpu's bits.
        const got = v.putAlongLastAxis(tensor(good, { dtype: "int32" }).to(b), DEPTH);
        expect(got.shape).toEqual([ROWS, DEPTH]);
        expect(firstDifference(got.data, want.data), name).toBeNull();
      }
    });
  }

  it("small inputs (the TypeScript kernel on every backend) throw the same errors", () => {
    for (const [name, b] of backends()) {
      const v = tensor([1, 2, 3], { dtype: "float32" }).to(b);
      expect(() => v.putAlongLastAxis(tensor([0, 1, 2], { dtype: "int32" }).to(b), 2), name).toThrow(
        "putAlongLastAxis: index 2 at position 2 is not an integer in [0, 2)",
      );
      expect(() => v.putAlongLastAxis(tensor([-3, 1, 0], { dtype: "int32" }).to(b), 2), name).toThrow(
        "putAlongLastAxis: index -3 at position 0 is not an integer in [0, 2)",
      );
      // Rank 2: the position is the flat one.
      const m = tensor([1, 2, 3, 4], { dtype: "float64" }).reshape([2, 2]).to(b);
      const j = tensor([0, 1, 3, 1], { dtype: "int32" }).reshape([2, 2]).to(b);
      expect(() => m.putAlongLastAxis(j, 3), name).toThrow(
        "putAlongLastAxis: index 3 at position 2 is not an integer in [0, 3)",
      );
      // Hand derivation: rows [1, 2] with indices [2, 0] into depth 3 -> [[0, 0, 1], [2, 0, 0]].
      const ok = tensor([1, 2])
        .to(b)
        .putAlongLastAxis(tensor([2, 0], { dtype: "int32" }).to(b), 3);
      expect(ok.toArray(), name).toEqual([
        [0, 0, 1],
        [2, 0, 0],
      ]);
    }
  });
});

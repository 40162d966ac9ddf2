// The wasm kernels of Pooling's rows of four (assembly/along.ts, the rows-of-four paths of
// assembly/unary.ts) against hand-derived rows and against the TypeScript kernels (the cpu backend
// runs putAlongImpl, argmaxImpl and reduceImpl), bit for bit, float64 and float32:
// - putAlongLastAxis writes each row of four whole (the value where the lane's position is the row's
//   index, +0 elsewhere), four float32 or float64 rows at a time; a bad index anywhere in a group of
//   four or in the last rows still names the first bad row.
// - argmax, max and min of rows of four compare elements 0 and 1, then 2 and 3, then the two winners,
//   in blocks computed as if without NaN and redone row by row when a block's sum is NaN: every tie,
//   ±0, ±Infinity and NaN position of a row of four, at every alignment of the rows to the groups.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Backend, cpu, type FloatDType, IndexError, type Tensor, tensor } from "../src/index.js";
import { createWasmBackend, type WasmBackend } from "../src/wasm/index.js";
import { splitEveryOp } from "../src/worker/internals.js";
import { createWorkerBackend, type WorkerBackend } from "../src/worker/node.js";

const DTYPES: FloatDType[] = ["float64", "float32"];

let wasm: WasmBackend;
let split3: WorkerBackend;

beforeAll(async () => {
  wasm = await createWasmBackend();
  split3 = await createWorkerBackend({ threads: 3 }).then(splitEveryOp);
});

afterAll(() => {
  wasm.dispose();
  split3.dispose();
});

/** The wasm kernels on one thread, and on the ranges of a split between three threads (ranges that
 * start inside a group of four rows or a block). */
function backends(): [string, Backend][] {
  return [
    ["wasm", wasm],
    ["worker (3 threads, every op split)", split3],
  ];
}

/** The bits of a result (float64, float32 or int32), so that -0 differs from +0 and NaNs compare. */
function bits(t: Tensor): bigint[] | number[] {
  const d = t.data;
  if (d instanceof Float64Array) return Array.from(new BigUint64Array(d.buffer, d.byteOffset, d.length));
  if (d instanceof Float32Array) return Array.from(new Uint32Array(d.buffer, d.byteOffset, d.length));
  return Array.from(d);
}

/** The first element whose bits differ, or null. */
function firstBitDifference(got: Tensor, want: Tensor): string | null {
  const g = bits(got);
  const w = bits(want);
  if (g.length !== w.length) return `length ${g.length}, expected ${w.length}`;
  for (let i = 0; i < g.length; i++) {
    if (g[i] !== w[i]) return `element ${i} is ${got.data[i]} (bits ${g[i]}), expected ${want.data[i]} (bits ${w[i]})`;
  }
  return null;
}

/** Every row of four values drawn from `set` (set.length ** 4 rows), after `lead` rows of zeros that
 * shift the rows against the kernels' groups of four rows and blocks of 64. */
function everyRow(set: number[], lead: number): number[] {
  const rows: number[] = new Array<number>(4 * lead).fill(0);
  for (const a of set) for (const b of set) for (const c of set) for (const d of set) rows.push(a, b, c, d);
  return rows;
}

describe("putAlongLastAxis on rows of four (Pooling's backward)", () => {
  for (const dtype of DTYPES) {
    it(`${dtype}: each row is its value at its index and +0 elsewhere (hand-derived), as the TypeScript kernel`, () => {
      // Eight rows: value v[r] at index[r]. Hand derivation of the first four rows of the result:
      // -0 at 3 -> [0, 0, 0, -0]; 1.5 at 0 -> [1.5, 0, 0, 0]; NaN at 2 -> [0, 0, NaN, 0];
      // -2 at 1 -> [0, -2, 0, 0]. The zeros are +0 (no -0 from the masking).
      const v = [-0, 1.5, NaN, -2, 3, 0.25, -Infinity, 7];
      const index = [3, 0, 2, 1, 0, 3, 1, 2];
      // 8 * 12 + 3 rows: every group of four and a last group of three (the row-by-row tail).
      for (const rows of [96, 99, 64 * 3 + 1]) {
        const values = Array.from({ length: rows }, (_, r) => v[r % 8]!);
        const indices = Array.from({ length: rows }, (_, r) => index[r % 8]!);
        const want = values.flatMap((x, r) => [0, 1, 2, 3].map((k) => (k === indices[r] ? x : 0)));
        const ref = tensor(values, { dtype }).putAlongLastAxis(tensor(indices, { dtype: "int32" }), 4);
        for (const [name, b] of backends()) {
          const got = tensor(values, { dtype, backend: b }).putAlongLastAxis(
            tensor(indices, { dtype: "int32", backend: b }),
            4,
          );
          expect(got.shape, name).toEqual([rows, 4]);
          for (let i = 0; i < want.length; i++)
            expect(Object.is(got.data[i], want[i]), `${name} element ${i}`).toBe(true);
          expect(firstBitDifference(got, ref), `${name} [${rows}] ${dtype}`).toBeNull();
        }
      }
      expect(
        tensor(v.slice(0, 4), { dtype, backend: wasm })
          .putAlongLastAxis(tensor(index.slice(0, 4), { dtype: "int32", backend: wasm }), 4)
          .toArray(),
      ).toEqual([
        [0, 0, 0, -0],
        [1.5, 0, 0, 0],
        [0, 0, NaN, 0],
        [0, -2, 0, 0],
      ]);
    });

    it(`${dtype}: a NaN's bits are copied as the TypeScript kernel copies them`, () => {
      // float32 NaNs with a payload and a sign; float64 ones likewise.
      const raw =
        dtype === "float32"
          ? Array.from(new Float32Array(new Uint32Array([0x7fc00123, 0xffc00000, 0x7f800001, 0x3f800000]).buffer))
          : Array.from(
              new Float64Array(
                new BigUint64Array([0x7ff8000000000123n, 0xfff8000000000000n, 0x7ff0000000000001n, 0x3ff0000000000000n])
                  .buffer,
              ),
            );
      const values = Array.from({ length: 101 }, (_, r) => raw[r % 4]!);
      const indices = Array.from({ length: 101 }, (_, r) => (r * 3) % 4);
      const ref = tensor(values, { dtype }).putAlongLastAxis(tensor(indices, { dtype: "int32" }), 4);
      const got = tensor(values, { dtype, backend: wasm }).putAlongLastAxis(
        tensor(indices, { dtype: "int32", backend: wasm }),
        4,
      );
      expect(firstBitDifference(got, ref)).toBeNull();
    });

    it(`${dtype}: a bad index at any place of a group of four, or in the last rows, names the first bad row`, () => {
      const rows = 1003; // 250 groups of four, then three rows one by one
      const good = Array.from({ length: rows }, (_, r) => (r * 5) % 4);
      const values = tensor(
        Array.from({ length: rows }, (_, r) => r - 500),
        { dtype },
      );
      // [position, index] pairs; the message names the first position. 4 and 8 have a bit outside
      // 0..3 only above it; -1 and -(2 ** 31) are negative; two bad rows in one group name the first.
      const cases: [number, number][][] = [
        [[400, 4]],
        [[401, -1]],
        [[402, 8]],
        [[403, 2 ** 31 - 1]],
        [[0, -(2 ** 31)]],
        [[1001, 4]],
        [[1002, 65_536]],
        [
          [406, 5],
          [405, -4],
        ],
        [
          [999, 6],
          [1000, 7],
        ],
      ];
      for (const [name, b] of [["cpu", cpu] as [string, Backend], ...backends()]) {
        const v = values.to(b);
        for (const bad of cases) {
          const idx = Int32Array.from(good);
          for (const [i, value] of bad) idx[i] = value;
          const [at, value] = bad.reduce((a, c) => (c[0] < a[0] ? c : a));
          const indices = tensor(idx, { dtype: "int32" }).to(b);
          let error: unknown = null;
          try {
            v.putAlongLastAxis(indices, 4);
          } catch (e) {
            error = e;
          }
          expect(error, `${name} ${JSON.stringify(bad)}`).toBeInstanceOf(IndexError);
          expect((error as Error).message, `${name} ${JSON.stringify(bad)}`).toBe(
            `putAlongLastAxis: index ${value} at position ${at} is not an integer in [0, 4)`,
          );
        }
      }
    });
  }
});

describe("argmax, max and min of rows of four (Pooling's forward)", () => {
  for (const dtype of DTYPES) {
    it(`${dtype}: hand-derived rows: the first maximum on ties, -0 before +0 stays, NaN wins`, () => {
      // Rows without NaN (a block of them takes the pairwise path): [argmax, max, min] by hand.
      // [1, 3, 3, 2]: 3 first at 1. [-0, 0, -0, 0]: all equal, element 0 (-0) stays for max and min.
      // [0, -0, 0, -0]: element 0 (+0). [-1, -1, 2, 2]: max 2 first at 2, min -1 (element 0).
      // [5, 1, 5, 1]: 5 first at 0. [1, 2, 3, 4]: 3. [4, 3, 2, 1]: 0. [-Infinity x 4]: 0.
      // [2, 0, 1, 2]: the pair (0, 1) wins on the tie with pair (2, 3): 0; min 0 at 1.
      // [0, 1, 2, 1.5]: pair (2, 3)'s first: 2.
      const clean: [number[], number, number, number][] = [
        [[1, 3, 3, 2], 1, 3, 1],
        [[-0, 0, -0, 0], 0, -0, -0],
        [[0, -0, 0, -0], 0, 0, 0],
        [[-1, -1, 2, 2], 2, 2, -1],
        [[5, 1, 5, 1], 0, 5, 1],
        [[1, 2, 3, 4], 3, 4, 1],
        [[4, 3, 2, 1], 0, 4, 1],
        [[-Infinity, -Infinity, -Infinity, -Infinity], 0, -Infinity, -Infinity],
        [[2, 0, 1, 2], 0, 2, 0],
        [[0, 1, 2, 1.5], 2, 2, 0],
      ];
      // Rows with NaN (their blocks are redone row by row): the first NaN's index, max and min NaN.
      const withNaN: [number[], number][] = [
        [[1, NaN, 3, NaN], 1],
        [[NaN, 5, 7, 1], 0],
        [[1, 2, 3, NaN], 3],
        [[-0, 0, NaN, 0], 2],
      ];
      const cases: [[number[], number, number, number][], string][] = [
        [clean, "without NaN"],
        [withNaN.map(([row, k]) => [row, k, NaN, NaN]), "with NaN"],
      ];
      for (const [rowsOf, label] of cases) {
        // Each row 20 times (at least 256 values: the wasm path), rows in order.
        const rows = rowsOf.flatMap((c) => Array<[number[], number, number, number]>(20).fill(c));
        for (const [name, b] of backends()) {
          const x = tensor(
            rows.flatMap(([row]) => row),
            { dtype, backend: b, shape: [rows.length, 4] },
          );
          const argmax = x.argmax(1).data;
          const max = x.max(1).data;
          const min = x.min(1).data;
          rows.forEach(([row, k, hi, lo], r) => {
            const where = `${name} ${label} row ${r} [${row}]`;
            expect(argmax[r], where).toBe(k);
            expect(Object.is(max[r], hi), `${where} max ${max[r]}`).toBe(true);
            expect(Object.is(min[r], lo), `${where} min ${min[r]}`).toBe(true);
          });
        }
      }
    });

    it(`${dtype}: every row of four from a set of values, at every alignment, as the TypeScript kernels`, () => {
      // Sets without NaN and without both infinities (every block's sum is a number: the pairwise
      // path), then with them (blocks redone row by row; 3e38 sums overflow in float32).
      const sets = [
        [-2, -1, -0, 0, 1, 2],
        [-Infinity, -1, -0, 0, 1],
        [-0, 0, 1, Infinity],
        [NaN, -Infinity, -3e38, -1, -0, 0, 1, 3e38, Infinity],
      ];
      for (const set of sets) {
        for (const lead of [0, 1, 2, 3, 5]) {
          const values = everyRow(set, lead);
          const shape = [values.length / 4, 4];
          const ref = tensor(values, { dtype, shape });
          const want = [ref.argmax(1), ref.max(1), ref.min(1)];
          for (const [name, b] of backends()) {
            const x = tensor(values, { dtype, shape, backend: b });
            const got = [x.argmax(1), x.max(1), x.min(1)];
            ["argmax", "max", "min"].forEach((op, i) => {
              expect(firstBitDifference(got[i]!, want[i]!), `${name} ${op} [${set}] lead ${lead}`).toBeNull();
            });
          }
        }
      }
    });

    it(`${dtype}: a NaN in one block of a large input changes only its own row`, () => {
      // Finite values with ties, then a NaN at element k of a few rows: the first and last rows, the
      // rows around a block's edge (63, 64) and a row in the middle; and one block with both
      // infinities (its sum is NaN, no row is).
      const rows = 10_007;
      const values = Array.from({ length: rows * 4 }, (_, i) => ((i * 7919) % 13) - 6);
      const nanAt: [number, number][] = [
        [0, 0],
        [63, 3],
        [64, 1],
        [5001, 2],
        [rows - 1, 3],
      ];
      for (const [r, k] of nanAt) values[4 * r + k] = NaN;
      values[4 * 300] = Infinity;
      values[4 * 301 + 2] = -Infinity;
      const ref = tensor(values, { dtype, shape: [rows, 4] });
      const wantArgmax = ref.argmax(1);
      // Hand-checked: each NaN row's argmax is its NaN's index, its max NaN; the infinities' rows.
      for (const [r, k] of nanAt) {
        expect(wantArgmax.data[r]).toBe(k);
        expect(ref.max(1).data[r]).toBeNaN();
      }
      expect(wantArgmax.data[300]).toBe(0);
      expect(ref.min(1).data[301]).toBe(-Infinity);
      for (const [name, b] of backends()) {
        const x = tensor(values, { dtype, shape: [rows, 4], backend: b });
        expect(firstBitDifference(x.argmax(1), wantArgmax), `${name} argmax`).toBeNull();
        expect(firstBitDifference(x.max(1), ref.max(1)), `${name} max`).toBeNull();
        expect(firstBitDifference(x.min(1), ref.min(1)), `${name} min`).toBeNull();
      }
    });
  }
});

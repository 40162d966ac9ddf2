// The dense paths of the WebAssembly matrix products (assembly/matmul32.ts, assembly/matmul.ts) at the
// edges of their tiles and blocks, bit for bit against the TypeScript kernel (src/kernels/): the
// float32 kernel's 4 x 8 tiles (a last panel 4 wide), written straight to the output when k fits one
// k block (the tiles that reach past the last row or column through a tile in scratch), its k blocks
// of at most 256 steps, blocks of 64 rows and strips of 240 columns; B transposed (packed by 4 x 4
// transposes) or not (with several k blocks and short aligned rows, read in place); and the values
// that decide whether zeros of A may be skipped (NaN, ±Infinity, ±0 in A and B). The kernel is
// called directly on row ranges with the output filled with a sentinel, so an element written
// twice, left unwritten or written outside the rows shows.
import { beforeAll, describe, expect, it } from "vitest";
import type { FloatArray, FloatDType } from "../src/index.js";
import { matmulImpl } from "../src/kernels/index.js";
import { instantiateKernels, kernelsModule, type KernelExports } from "../src/wasm/module.js";
import { firstDifference } from "./conformance/suite.js";
import { sampleValues } from "./reference/float64.js";

const DTYPES: FloatDType[] = ["float32", "float64"];
const TRANSPOSES: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];
/** A value no product gives here (the operands are in [-1, 1] or special), marking untouched output. */
const SENTINEL = 12345;

function arrayOf(dtype: FloatDType, values: ArrayLike<number>): FloatArray {
  return dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values);
}

/** `count` values in [-1, 1) with none zero (so that every block of A is dense), seeded. */
function denseValues(count: number, seed: number): number[] {
  return sampleValues(count, seed).map((v) => (v === 0 ? 0.5 : v));
}

describe("the wasm matmul kernels' tiles and blocks (rows [r0, r1) of out, as a thread computes them)", () => {
  let kernels: KernelExports;
  let memory: WebAssembly.Memory;
  beforeAll(async () => {
    memory = new WebAssembly.Memory({ initial: 256 });
    kernels = instantiateKernels(await kernelsModule(false), memory);
  });

  /** Rows [r0, r1) of op(A) @ op(B) by the wasm kernel: null if they, and the sentinel everywhere
   * else in out, are as the TypeScript kernel's product says, else what differs. */
  function check(
    dtype: FloatDType,
    m: number,
    k: number,
    n: number,
    tA: boolean,
    tB: boolean,
    av: ArrayLike<number>,
    bv: ArrayLike<number>,
    r0 = 0,
    r1 = m,
    bShift = 0,
  ): string | null {
    const a = arrayOf(dtype, av);
    const b = arrayOf(dtype, bv);
    const want = arrayOf(dtype, new Array<number>(m * n).fill(SENTINEL));
    matmulImpl(a, b, want, m, n, k, tA, tB, r0, r1);
    const size = a.BYTES_PER_ELEMENT;
    // B at a 16-byte boundary, or bShift values past one.
    const bAt = Math.ceil((a.length * size) / 16) * 16 + bShift * size;
    const outAt = Math.ceil((bAt + b.length * size) / 16) * 16;
    const scratch = Math.ceil((outAt + m * n * size) / 16) * 16;
    const need =
      scratch + (dtype === "float32" ? kernels.matmul32ScratchBytes(n, k) : kernels.matmulScratchBytes(n, k));
    if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
    const view = (at: number, len: number) =>
      dtype === "float64" ? new Float64Array(memory.buffer, at, len) : new Float32Array(memory.buffer, at, len);
    view(0, a.length).set(a);
    view(bAt, b.length).set(b);
    view(outAt, m * n).fill(SENTINEL);
    kernels.matmul(0, bAt, outAt, m, n, k, +tA, +tB, r0, r1, +(dtype === "float32"), scratch);
    const diff = firstDifference(view(outAt, m * n), want);
    return diff === null ? null : `${dtype} m${m} k${k} n${n} tA=${tA} tB=${tB} rows ${r0}-${r1} B+${bShift}: ${diff}`;
  }

  for (const dtype of DTYPES) {
    it(`${dtype}: m, n and k at 1, at the tile sizes and one either side (4 rows, 8 and 4 columns), every transpose`, () => {
      let seed = 3;
      for (const m of [1, 3, 4, 5, 9]) {
        for (const n of [1, 3, 4, 5, 7, 8, 9, 12, 13, 17]) {
          for (const k of [1, 2, 7]) {
            for (const [tA, tB] of TRANSPOSES) {
              seed += 2;
              expect(check(dtype, m, k, n, tA, tB, denseValues(m * k, seed), denseValues(k * n, seed + 1))).toBeNull();
            }
          }
        }
      }
    });

    it(`${dtype}: one step either side of the k block (256), the row block (64) and the strip (240)`, () => {
      const shapes: [number, number, number][] = [
        [5, 255, 13],
        [6, 256, 12],
        [7, 257, 11],
        [3, 513, 9],
        [63, 20, 239],
        [64, 21, 240],
        [65, 22, 241],
        [129, 100, 20],
        [67, 260, 244],
      ];
      let seed = 101;
      for (const [m, k, n] of shapes) {
        for (const [tA, tB] of TRANSPOSES) {
          seed += 2;
          expect(check(dtype, m, k, n, tA, tB, denseValues(m * k, seed), denseValues(k * n, seed + 1))).toBeNull();
        }
      }
    });

    it(`${dtype}: row ranges that start and end inside tiles and blocks write only their rows`, () => {
      const ranges: [number, number][] = [
        [0, 1],
        [1, 4],
        [3, 9],
        [5, 70],
        [63, 65],
        [64, 131],
        [130, 131],
      ];
      let seed = 501;
      for (const [r0, r1] of ranges) {
        for (const [tA, tB] of TRANSPOSES) {
          for (const k of [9, 300]) {
            seed += 2;
            const m = 131;
            const n = 21;
            expect(
              check(dtype, m, k, n, tA, tB, denseValues(m * k, seed), denseValues(k * n, seed + 1), r0, r1),
            ).toBeNull();
          }
        }
      }
    });

    it(`${dtype}: NaN, ±Infinity and ±0 in A and B give cpu's bits, dense and sparse A, one k block and several`, () => {
      const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0];
      let seed = 901;
      for (const [m, k, n] of [
        [9, 11, 13],
        [70, 40, 30],
        [10, 300, 17],
      ] as [number, number, number][]) {
        for (const [tA, tB] of TRANSPOSES) {
          for (const zerosInA of [0, 0.8]) {
            for (const where of ["A", "B", "both"]) {
              seed += 2;
              // A: dense, or 80 % zeros (+0 and -0: the sparse rows are tried); a few special values
              // in A, in B or in both (an Inf or NaN in B must stop the zeros of A being skipped).
              const av = denseValues(m * k, seed).map((v, i) =>
                (i * 7919) % 100 < zerosInA * 100 ? (i % 2 === 0 ? 0 : -0) : v,
              );
              const bv = denseValues(k * n, seed + 1);
              const sprinkle = (values: number[], salt: number) => {
                for (let i = salt % 17; i < values.length; i += 97) values[i] = specials[(i + salt) % specials.length]!;
              };
              if (where !== "B") sprinkle(av, seed);
              if (where !== "A") sprinkle(bv, seed + 5);
              expect(check(dtype, m, k, n, tA, tB, av, bv)).toBeNull();
            }
          }
        }
      }
    });
  }

  it.each(DTYPES)(
    "%s: a B of several k blocks with short 16-byte aligned rows, read in place by the tiles, gives cpu's bits",
    (dtype) => {
      // B not transposed, k > 256 (several k blocks) and n a multiple of 4 up to 256 with B at a 16-byte
      // boundary: the dense tiles step through B's rows in place (n 100: twelve panels of 8 and one of
      // 4, as in Affine1's forward product; n 256: strips of 240 and 16). Around them the cases that
      // are still packed: n 260 (rows too long), n 98 (not a multiple of 4), B 4 bytes past a boundary.
      // More than 64 rows take the k blocks outermost, their sums in the packed B's room when the rows
      // (rounded up to 4) are at most k (m 300, k 280: not). Some row ranges start and end inside
      // tiles and row blocks; a few NaN and ±Infinity in B. float64 (4 x 4 tiles) reads such a B in
      // place too, also for at most 64 rows (kOuter's dense tiles).
      const cases: [number, number, number, number, number, number][] = [
        // m, k, n, first row, end row, B's shift in values
        [9, 600, 100, 0, 9, 0],
        [100, 600, 100, 0, 100, 0],
        [131, 520, 20, 5, 130, 0],
        [300, 280, 8, 0, 300, 0],
        [70, 300, 8, 3, 67, 0],
        [5, 513, 256, 0, 5, 0],
        [67, 260, 12, 1, 66, 0],
        [5, 513, 260, 0, 5, 0],
        [9, 300, 98, 0, 9, 0],
        [9, 600, 100, 2, 7, 1],
      ];
      let seed = 1301;
      for (const [m, k, n, r0, r1, shift] of cases) {
        for (const tA of [false, true]) {
          for (const specials of [false, true]) {
            seed += 2;
            const av = denseValues(m * k, seed);
            const bv = denseValues(k * n, seed + 1);
            if (specials) {
              bv[3 * n + 1] = Number.NaN;
              bv[(k - 1) * n + n - 1] = Number.POSITIVE_INFINITY;
              bv[257 * n] = Number.NEGATIVE_INFINITY;
            }
            expect(check(dtype, m, k, n, tA, false, av, bv, r0, r1, shift)).toBeNull();
          }
        }
      }
    },
  );

  it("float32: a B with one Inf where A is mostly zero gives NaN where cpu does (the zeros are not skipped)", () => {
    // op(A) 8 x 16, all zero but a[0][0] = 1; B 16 x 8 finite but b[5][3] = Inf. Row 0, column 3:
    // 1 * b[0][3] + ... + 0 * Inf = NaN (0 * Inf is NaN); every other row's column 3 is 0 * Inf = NaN
    // too; the other columns sum finite products of zeros: +0 or a[0][0] * b[0][j] in row 0.
    const m = 8;
    const k = 16;
    const n = 8;
    const av = new Array<number>(m * k).fill(0);
    av[0] = 1;
    const bv = denseValues(k * n, 77);
    bv[5 * n + 3] = Number.POSITIVE_INFINITY;
    expect(check("float32", m, k, n, false, false, av, bv)).toBeNull();
    expect(check("float32", m, k, n, false, true, av, bv)).toBeNull();
    const a = Float32Array.from(av);
    const b = Float32Array.from(bv);
    const out = new Float32Array(m * n);
    matmulImpl(a, b, out, m, n, k, false, false, 0, m);
    for (let i = 0; i < m; i++) expect(out[i * n + 3]).toBeNaN();
    expect(out[1]).toBe(Math.fround(b[1]!));
  });
});

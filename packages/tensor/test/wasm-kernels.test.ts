// The wasm backend's element-wise, window and layout kernels (assembly/unary.ts, assembly/window.ts,
// the row-broadcast binary of assembly/elementwise.ts) against the cpu backend, bit for bit: every
// unary op with a wasm kernel, `where`, last-axis argmax, im2col/col2im, batched transposes and
// take/putAlongLastAxis, in float64 and float32, on operands large enough to take the wasm path
// (256 elements and up) with odd lengths (SIMD tails, partial chunks), and on values that stress IEEE
// semantics: NaN, ±Infinity, ±0, subnormals, float32 overflow, and many ties (argmax keeps the first).
import { beforeAll, describe, expect, it } from "vitest";
import { cpu, tensor, type FloatDType, type Tensor, type UnaryOp } from "../src/index.js";
import { createWasmBackend, type WasmBackend } from "../src/wasm/index.js";
import { firstDifference } from "./conformance/suite.js";
import { sampleValues } from "./reference/float64.js";

const DTYPES: FloatDType[] = ["float64", "float32"];
const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 5e-324, -5e-324, 1e-45, -1.5e-39, 3.4e38, -1e308, 1, -1, 0.5, 2];

/** n values: samples in [-3, 3], every 5th a special value and every 3rd a repeated one (0 or 1.5,
 * so windows and rows have ties). */
function values(n: number, seed: number): number[] {
  const v = sampleValues(n, seed, -3, 3);
  for (let i = 0; i < n; i += 3) v[i] = i % 2 === 0 ? 0 : 1.5;
  for (let i = 0; i < n; i += 5) v[i] = SPECIAL[(i / 5 + seed) % SPECIAL.length]!;
  return v;
}

const size = (s: readonly number[]): number => s.reduce((x, y) => x * y, 1);

describe("wasm backend element-wise, window and layout kernels", () => {
  let wasm: WasmBackend;
  beforeAll(async () => {
    wasm = await createWasmBackend();
  });

  /** The same op on cpu and wasm tensors made from the same values; results must agree bit for bit. */
  function same(label: string, dtype: FloatDType, shapes: number[][], op: (...t: Tensor[]) => Tensor, seed = 1) {
    const vals = shapes.map((s, i) => values(size(s), seed + 7 * i));
    const make = (backend: typeof cpu) => shapes.map((s, i) => tensor(vals[i]!, { backend, dtype, shape: s }));
    const want = op(...make(cpu));
    const got = op(...make(wasm));
    expect(got.shape, label).toEqual(want.shape);
    expect(got.dtype, label).toBe(want.dtype);
    expect(firstDifference(got.data, want.data), `${label} ${dtype}`).toBeNull();
  }

  const UNARY: UnaryOp[] = ["neg", "abs", "square", "sqrt", "reciprocal", "relu", "step", "sign"];

  for (const dtype of DTYPES) {
    it(`${dtype}: unary ops (odd lengths, SIMD tails, several chunks)`, () => {
      for (const op of UNARY) {
        for (const n of [257, 1001, 70_003]) same(`${op} [${n}]`, dtype, [[n]], (x) => x.unary(op), n);
      }
    });

    it(`${dtype}: where with whole and single-value operands (Relu's backward), any cond value`, () => {
      const patterns: number[][][] = [
        [
          [37, 29],
          [37, 29],
          [37, 29],
        ],
        [[37, 29], [37, 29], []],
        [[50_001], [], [50_001]],
        [[], [301], [301]],
        [[30, 41], [30, 1], []], // a column: the TypeScript kernel
      ];
      for (const shapes of patterns) {
        same(`where ${JSON.stringify(shapes)}`, dtype, shapes, (c, a, b) => a!.where(c!, b!), 3);
      }
      // cond of another dtype than the values: the TypeScript kernel, same answer.
      const c = tensor(values(300, 5), { dtype: dtype === "float64" ? "float32" : "float64" });
      const a = tensor(values(300, 6), { dtype });
      const want = a.where(c, 0);
      const got = a.to(wasm).where(c.to(wasm), 0);
      expect(firstDifference(got.data, want.data)).toBeNull();
    });

    it(`${dtype}: argmax along the last axis keeps the first maximum and the first NaN`, () => {
      for (const [rows, len] of [
        [301, 1],
        [301, 2],
        [257, 3],
        [1001, 4],
        [99, 7],
        [3, 300],
      ] as const) {
        same(`argmax [${rows}, ${len}]`, dtype, [[rows, len]], (x) => x.argmax(1), rows * len);
      }
      // Rows of all-equal values, leading and trailing NaN, -0 before +0: hand-checked indices.
      const x = tensor(
        [
          [0, 0, 0, 0],
          [NaN, 5, NaN, 1],
          [1, 2, 3, NaN],
          [-0, 0, -0, 0],
          [-Infinity, -Infinity, -Infinity, -Infinity],
        ].flatMap((r) => Array<number[]>(60).fill(r)),
        { dtype, backend: wasm },
      );
      const idx = Array.from(x.argmax(1).data.subarray(0, 5 * 60)).filter((_, i) => i % 60 === 0);
      expect(idx).toEqual([0, 0, 3, 0, 0]);
    });

    it(`${dtype}: sums along an axis that is not the last (a bias gradient), summed in row order`, () => {
      for (const [shape, axis] of [
        [[1001, 3], 0],
        [[57_600 / 64, 30], 0],
        [[333, 71], 0], // several passes over blocks of rows, and a last pass with single columns
        [[7, 300, 5], 1],
        [[3, 41, 1, 7], 1],
      ] as const) {
        same(`sum ${shape} axis ${axis}`, dtype, [[...shape]], (x) => x.sum(axis), 11);
      }
    });

    it(`${dtype}: max and min along the last axis: NaN wins, then the first of equal values`, () => {
      for (const [shape, axis] of [
        [[301, 4], 1],
        [[1001, 3], 1],
        [[3, 300], 1],
        [[5, 300, 1], 1],
        [[7, 41], -1],
      ] as const) {
        same(`max ${shape} axis ${axis}`, dtype, [[...shape]], (x) => x.max(axis), 13);
        same(`min ${shape} axis ${axis}`, dtype, [[...shape]], (x) => x.min(axis), 17);
      }
      same("max of all", dtype, [[40, 31]], (x) => x.max(), 19);
      // Hand-checked rows: -0 before +0 keeps -0; all -Infinity; a NaN anywhere gives NaN.
      const x = tensor(
        [
          [-0, 0, -0, 0],
          [-Infinity, -Infinity, -Infinity, -Infinity],
          [1, NaN, 3, 2],
          [2, 7, 7, -1],
        ].flatMap((r) => Array<number[]>(70).fill(r)),
        { dtype, backend: wasm },
      );
      const firstOfEach = (t: Tensor) => Array.from(t.data).filter((_, i) => i % 70 === 0);
      expect(firstOfEach(x.max(1))).toEqual([-0, -Infinity, NaN, 7]);
      expect(firstOfEach(x.min(1))).toEqual([-0, -Infinity, NaN, -1]);
    });

    it(`${dtype}: im2col and col2im (padding, strides, overlapping and disjoint windows)`, () => {
      const cases: [number[], number, number, number, number][] = [
        [[2, 3, 9, 11], 3, 3, 1, 1],
        [[3, 2, 8, 8], 2, 2, 2, 0], // pooling windows: disjoint
        [[2, 1, 10, 10], 5, 5, 1, 0],
        [[2, 2, 7, 10], 3, 2, 2, 2],
        [[1, 4, 5, 6], 4, 3, 1, 3], // windows wider than the image's overlap
        [[2, 3, 9, 9], 2, 2, 3, 1], // disjoint windows with gaps and padding
        [[2, 2, 10, 12], 2, 4, 4, 2], // disjoint, four-wide (a float32 vector per window row)
        [[2, 2, 10, 9], 3, 2, 3, 1], // disjoint, two-wide (8 bytes of float32 per window row), padding
        [[2, 3, 7, 9], 1, 1, 2, 0], // disjoint, one-wide (8 bytes of float64 per window row)
        [[8, 6, 40, 37], 3, 3, 1, 1], // several staging chunks, starting inside a row of windows
        [[2, 8, 60, 60], 2, 2, 2, 0],
      ];
      for (const [shape, fh, fw, stride, pad] of cases) {
        const label = `${shape} ${fh}x${fw} s${stride} p${pad}`;
        same(`im2col ${label}`, dtype, [shape], (x) => x.im2col(fh, fw, stride, pad));
        const rows = tensor(new Array<number>(size(shape)).fill(0), { shape }).im2col(fh, fw, stride, pad).shape[0]!;
        same(`col2im ${label}`, dtype, [[rows, shape[1]! * fh * fw]], (c) => c.col2im(shape, fh, fw, stride, pad), 9);
      }
    });

    it(`${dtype}: batched transposes, take and put along the last axis`, () => {
      const perms: [number[], number[]][] = [
        [
          [7, 9, 11, 5],
          [0, 3, 1, 2],
        ],
        [
          [7, 5, 9, 11],
          [0, 2, 3, 1],
        ],
        [
          [37, 41],
          [1, 0],
        ],
        [
          [3, 4, 5, 6],
          [2, 0, 3, 1],
        ], // not a batched transpose: the TypeScript kernel
      ];
      for (const [shape, perm] of perms) same(`transpose ${shape} ${perm}`, dtype, [shape], (x) => x.transpose(perm));
      for (const [rows, depth] of [
        [301, 4],
        [99, 7],
        [1001, 1],
      ] as const) {
        const idx = tensor(
          Array.from({ length: rows }, (_, r) => (r * 7 + 3) % depth),
          { dtype: "int32" },
        );
        const onBoth = (x: Tensor, f: (x: Tensor, i: Tensor) => Tensor) => f(x, idx.to(x.backend));
        same(`takeAlongLastAxis [${rows}, ${depth}]`, dtype, [[rows, depth]], (x) =>
          onBoth(x, (v, i) => v.takeAlongLastAxis(i)),
        );
        same(`putAlongLastAxis [${rows}] -> ${depth}`, dtype, [[rows]], (x) =>
          onBoth(x, (v, i) => v.putAlongLastAxis(i, depth)),
        );
      }
    });
  }

  // The blocking of the layout and window kernels (assembly/window.ts): transposes in 4x4 blocks
  // over 32x32 tiles, whose last block in a row or column overlaps its neighbour.
  for (const dtype of DTYPES) {
    it(`${dtype}: batched transposes of every size mod 4 and around the 32x32 tile`, () => {
      // Below a block (the scalar path), each remainder mod 4, around one and two tiles; three
      // matrices, so that even the small ones take the wasm path (256 elements and up).
      const sides = [1, 3, 4, 5, 6, 7, 8, 9, 31, 32, 33, 35, 63, 66];
      for (const rows of sides) {
        for (const cols of sides) {
          same(`transpose [3, ${rows}, ${cols}]`, dtype, [[3, rows, cols]], (x) => x.transpose([0, 2, 1]), rows + cols);
        }
      }
      same("transpose [130, 67] 2-d", dtype, [[130, 67]], (x) => x.transpose([1, 0]));
      // One matrix (no batch), and sides that end a 32-wide tile with 1, 2 or 3 columns past its
      // last whole block (the clamped block after the float32 inner loop).
      same("transpose [1, 37, 13]", dtype, [[1, 37, 13]], (x) => x.transpose([0, 2, 1]));
      same("transpose [2, 70, 29]", dtype, [[2, 70, 29]], (x) => x.transpose([0, 2, 1]));
      same("transpose [2, 29, 70]", dtype, [[2, 29, 70]], (x) => x.transpose([0, 2, 1]));
      same("transpose [2, 67, 94]", dtype, [[2, 67, 94]], (x) => x.transpose([0, 2, 1]));
    });

    it(`${dtype}: im2col and col2im of one-channel planes (Pooling's 2x2 path) and of 5x5 windows`, () => {
      // Pooling runs im2col on [N * C, 1, H, W]; odd window counts per row (3, 5) leave a float32
      // window without a pair, and row ranges that start inside a window row come from staging
      // chunks (the large shapes) and the worker's splits.
      const cases: [number[], number, number, number, number][] = [
        [[5, 1, 6, 10], 2, 2, 2, 0],
        [[7, 1, 2, 2], 2, 2, 2, 0],
        [[3, 1, 14, 6], 2, 2, 2, 0],
        [[3000, 1, 24, 24], 2, 2, 2, 0], // SimpleConvNet's pooling
        // Outputs zeroed a page at a time ahead of the stores (assembly/fill.ts): odd windows per
        // row across many pages (43 KiB float64 of im2col, of col2im).
        [[53, 1, 14, 10], 2, 2, 2, 0],
        [[4, 1, 12, 12], 2, 2, 2, 1], // padded: the general path
        [[100, 1, 28, 28], 5, 5, 1, 0], // SimpleConvNet's conv
        // 5x5 windows go four float32 (two float64) at a time: rows of 1, 6, 7, 8 and 9 windows
        // (each remainder mod 4), one image, and padded ones whose inside windows start at column 1, 2.
        [[11, 1, 5, 5], 5, 5, 1, 0],
        [[1, 1, 16, 16], 5, 5, 1, 0],
        [[3, 1, 8, 10], 5, 5, 1, 0],
        [[3, 1, 9, 11], 5, 5, 1, 0],
        [[2, 1, 9, 12], 5, 5, 1, 0],
        [[3, 1, 7, 13], 5, 5, 1, 0],
        [[2, 1, 12, 12], 5, 5, 1, 1],
        [[2, 1, 12, 13], 5, 5, 1, 2],
        [[3, 1, 11, 13], 3, 5, 1, 0], // spans of 5 values: 40 or 20 bytes
        [[3, 2, 11, 13], 3, 3, 2, 1], // spans of 3 values: 24 or 12 bytes
        [[3, 1, 9, 9], 1, 1, 1, 0], // spans of one value: 8 or 4 bytes
      ];
      for (const [shape, fh, fw, stride, pad] of cases) {
        const label = `${shape} ${fh}x${fw} s${stride} p${pad}`;
        same(`im2col ${label}`, dtype, [shape], (x) => x.im2col(fh, fw, stride, pad), 5);
        const rows = tensor(new Array<number>(size(shape)).fill(0), { shape }).im2col(fh, fw, stride, pad).shape[0]!;
        same(`col2im ${label}`, dtype, [[rows, shape[1]! * fh * fw]], (c) => c.col2im(shape, fh, fw, stride, pad), 11);
      }
    });

    it(`${dtype}: argmax, max and min of rows of four (Pooling's windows), with and without NaN`, () => {
      // Rows of four take the whole-row path: two float64 or four float32 rows at a time, the last
      // rows % 2 or % 4 element by element, and rows with a NaN element by element; rows without
      // NaN keep ties (0 and 1.5 repeat), ±0, ±Infinity and subnormals.
      for (const rows of [257, 258, 259, 260, 3001]) {
        for (const nan of [true, false]) {
          const label = `[${rows}, 4]${nan ? "" : " without NaN"}`;
          const noNaN = (x: Tensor) => (nan ? x : x.where(x.eq(x), 1.5));
          same(`argmax ${label}`, dtype, [[rows, 4]], (x) => noNaN(x).argmax(1), rows);
          same(`max ${label}`, dtype, [[rows, 4]], (x) => noNaN(x).max(1), rows + 1);
          same(`min ${label}`, dtype, [[rows, 4]], (x) => noNaN(x).min(1), rows + 2);
        }
      }
      same("argmax [432000, 4]", dtype, [[432000, 4]], (x) => x.argmax(1));
      same("max [432000, 4]", dtype, [[432000, 4]], (x) => x.max(1));
    });

    it(`${dtype}: where (Relu's backward) and add, sub, mul, div at every remainder of two vectors`, () => {
      // Two vectors per pass (4 float64 or 8 float32 values), then one vector, then single values:
      // lengths 256 to 264 end with each remainder; the bias rows of 30 (SimpleConvNet's conv) with 6.
      for (let n = 256; n <= 264; n++) {
        same(`where [${n}] ? x : 0`, dtype, [[n], [n]], (c, x) => x.where(c, 0), n);
        for (const op of ["add", "sub", "mul", "div"] as const) {
          same(`${op} [${n}] [${n}]`, dtype, [[n], [n]], (a, b) => a.binary(op, b), n);
          same(`${op} [${n}] scalar`, dtype, [[n], [1]], (a, b) => a.binary(op, b), n);
          same(`${op} scalar [${n}]`, dtype, [[1], [n]], (a, b) => a.binary(op, b), n);
        }
      }
      same("add [57600, 30] + [30]", dtype, [[57600, 30], [30]], (x, b) => x.add(b));
      same("where [1728000]", dtype, [[1728000], [1728000]], (c, x) => x.where(c, 0));
    });

    it(`${dtype}: the conv layer's transposes at SimpleConvNet's shapes`, () => {
      same("[100,24,24,30] (0,3,1,2)", dtype, [[100, 24, 24, 30]], (x) => x.transpose([0, 3, 1, 2]));
      same("[100,30,24,24] (0,2,3,1)", dtype, [[100, 30, 24, 24]], (x) => x.transpose([0, 2, 3, 1]));
    });
  }

  it("results written into reused storage (a disposed tensor's, not zeroed) overwrite every element", () => {
    const ops: [string, number[], (x: Tensor) => Tensor][] = [
      ["relu", [3001], (x) => x.relu()],
      ["where", [3001], (x) => x.where(x, 0)],
      ["add row", [301, 10], (x) => x.add(x.sum(0))],
      ["sum axis 0", [10, 301], (x) => x.sum(0)],
      ["argmax", [3001, 3], (x) => x.argmax(1)],
      ["im2col", [3, 2, 12, 12], (x) => x.im2col(3, 3, 1, 1)],
      ["col2im", [432, 18], (x) => x.col2im([3, 2, 12, 12], 3, 3, 1, 1)],
      ["transpose", [4, 31, 17], (x) => x.transpose([0, 2, 1])],
      [
        "putAlongLastAxis",
        [3001],
        (x) =>
          x.putAlongLastAxis(
            tensor(
              Array.from({ length: 3001 }, (_, r) => r % 4),
              { dtype: "int32" },
            ).to(x.backend),
            4,
          ),
      ],
    ];
    for (const [name, shape, op] of ops) {
      const first = op(tensor(values(size(shape), 2), { shape, backend: wasm }));
      first.data.fill(first.dtype === "int32" ? -7 : NaN); // stale values the next result must overwrite
      first.dispose();
      const v = values(size(shape), 3);
      const got = op(tensor(v, { shape, backend: wasm }));
      expect(firstDifference(got.data, op(tensor(v, { shape })).data), name).toBeNull();
    }
  });

  it("hand-derived: relu, sign and step at the edges; a float32 col2im sum rounds once", () => {
    const x = tensor([-0, 0, NaN, -Infinity, Infinity, -5e-324, 5e-324, -2, ...new Array<number>(292).fill(1)], {
      backend: wasm,
    });
    // relu: x where x > 0 else +0 (NaN, -0 and -Infinity give +0); sign keeps NaN and signed zeros.
    expect(Array.from(x.relu().data.subarray(0, 8))).toEqual([0, 0, 0, 0, Infinity, 0, 5e-324, 0]);
    expect(Object.is(x.relu().data[0], 0)).toBe(true);
    expect(Array.from(x.sign().data.subarray(0, 8))).toEqual([-0, 0, NaN, -1, 1, -1, 1, -1]);
    expect(Array.from(x.step().data.subarray(0, 8))).toEqual([0, 0, 0, 0, 1, 0, 1, 0]);
    // col2im of 2x2 windows with stride 1 over a [1, 1, 16, 16] image: pixel (1, 1) gets four values,
    // added in increasing (ky, kx): from windows (1, 1), (1, 0), (0, 1), then (0, 0). With 1, 1, 1
    // and then 16777216 (window (0, 0)'s value at ky 1, kx 1): 0 + 1 + 1 + 1 = 3, and 3 + 16777216 =
    // 16777219 lies halfway between the float32 neighbours 16777218 and 16777220; ties go to the even
    // significand, 16777220. (Adding 16777216 first would give 16777216: each +1 then rounds away.)
    const col = tensor(new Array<number>(225 * 4).fill(1), { dtype: "float32", backend: wasm, shape: [225, 4] });
    col.data[0] = 16777216; // window (0, 0) at ky 0, kx 0: pixel (0, 0), its only value
    col.data[3] = 16777216; // window (0, 0) at ky 1, kx 1: pixel (1, 1), added last
    const img = col.col2im([1, 1, 16, 16], 2, 2, 1, 0);
    expect(img.get(0, 0, 0, 0)).toBe(16777216);
    expect(img.get(0, 0, 1, 1)).toBe(16777220);
    expect(img.get(0, 0, 2, 2)).toBe(4);
  });
});

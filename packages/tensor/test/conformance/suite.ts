// The conformance suite, written once and run against every backend:
//   runConformanceSuite("cpu", () => cpu);
//   runConformanceSuite("worker", () => createWorkerBackend({ ... }));
// Every Backend primitive is exercised through the public Tensor API on tensors that live on the
// backend under test. Expected values come from hand derivations (written next to them) or from the
// plain float64 reference in ../reference/float64.ts, compared bit for bit: the kernels promise a
// fixed order of operations per output element, so any backend that runs them (in one piece or in
// slices on several threads) must give exactly these bits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BINARY_OPS,
  Rng,
  type Tensor,
  UNARY_OPS,
  arange,
  full,
  ones,
  rand,
  randn,
  tensor,
  zeros,
  type Backend,
  type BinaryOp,
  type DType,
  type FloatDType,
  type NestedArray,
  type UnaryOp,
} from "../../src/index.js";
import {
  argmaxRef,
  binaryRef,
  gatherRef,
  matmulRef,
  meanRef,
  oneHotRef,
  reduceRef,
  sampleValues,
  sizeOf,
  transposeRef,
  unaryRef,
  whereRef,
  type Ref,
} from "../reference/float64.js";
import { col2imRef, im2colRef } from "../reference/im2col.js";

export interface ConformanceOptions {
  /** Per-test timeout in milliseconds (a threaded backend on a busy machine may need more). */
  timeout?: number;
}

const FLOATS: readonly FloatDType[] = ["float64", "float32"];
/** Unary ops documented to accept int32 (their results stay integers). */
const INT_UNARY: readonly UnaryOp[] = ["neg", "abs", "square", "relu", "step", "sign"];

/** Where two value lists first differ bit for bit (NaN equals NaN, 0 differs from -0), or null. */
export function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): string | null {
  if (actual.length !== expected.length) return `length ${actual.length}, expected ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    if (!Object.is(actual[i], expected[i])) return `element ${i} is ${actual[i]}, expected ${expected[i]}`;
  }
  return null;
}

/**
 * Registers the suite for one backend. `makeBackend` runs once (in beforeAll); the backend is
 * disposed in afterAll.
 */
export function runConformanceSuite(
  label: string,
  makeBackend: () => Backend | Promise<Backend>,
  options: ConformanceOptions = {},
): void {
  const timeout = options.timeout ?? 60_000;

  describe(`conformance: ${label}`, { timeout }, () => {
    let backend: Backend;

    beforeAll(async () => {
      backend = await makeBackend();
    }, timeout);

    afterAll(() => {
      backend?.dispose();
    });

    /** A tensor on the backend under test. */
    const on = (values: NestedArray | ArrayLike<number>, dtype: DType = "float64", shape?: number[]): Tensor =>
      tensor(values, shape === undefined ? { backend, dtype } : { backend, dtype, shape });

    /** Deterministic values of `shape` on the backend; `step` > 0 rounds them to multiples of step. */
    const sample = (shape: number[], seed: number, dtype: DType = "float64", lo = -2, hi = 2, step = 0): Tensor => {
      let v = sampleValues(sizeOf(shape), seed, lo, hi);
      if (step > 0) v = v.map((x) => Math.round(x / step) * step);
      if (dtype === "int32") v = v.map((x) => Math.round(x));
      return on(v, dtype, shape);
    };

    const refOf = (t: Tensor): Ref => ({ data: Array.from(t.data), shape: [...t.shape] });

    /** The result lives on the backend, has this dtype and shape, and exactly these values. */
    const expectTensor = (
      actual: Tensor,
      expected: { data: ArrayLike<number>; shape: readonly number[] },
      dtype: DType,
      what = "",
    ): void => {
      expect(actual.backend, what).toBe(backend);
      expect(actual.dtype, what).toBe(dtype);
      expect(actual.shape, what).toEqual(expected.shape);
      expect(firstDifference(actual.data, expected.data), what).toBeNull();
    };

    const flat = (values: NestedArray): number[] => (Array.isArray(values) ? values.flatMap(flat) : [values]);
    /** Hand-written expectation from nested arrays. */
    const hand = (values: NestedArray, shape: number[]): { data: number[]; shape: number[] } => ({
      data: flat(values),
      shape,
    });

    describe("storage and factories", () => {
      it("alloc gives zero-filled storage of the dtype's array type", () => {
        const cases: [DType, new (n: number) => ArrayLike<number>][] = [
          ["float64", Float64Array],
          ["float32", Float32Array],
          ["int32", Int32Array],
        ];
        for (const [dtype, type] of cases) {
          const data = backend.alloc(dtype, 7);
          expect(data).toBeInstanceOf(type);
          expect(data.length).toBe(7);
          expect(Array.from(data)).toEqual([0, 0, 0, 0, 0, 0, 0]);
          expect(backend.alloc(dtype, 0).length).toBe(0);
        }
      });

      it("creates tensors from nested arrays, typed arrays and the factories", () => {
        expectTensor(
          on([
            [1, 2, 3],
            [4, 5, 6],
          ]),
          hand([1, 2, 3, 4, 5, 6], [2, 3]),
          "float64",
        );
        expectTensor(on(new Float32Array([0.5, -2]), "float32"), hand([0.5, -2], [2]), "float32");
        expectTensor(on(new Int32Array([1, 2, 3, 4]), "int32", [2, 2]), hand([1, 2, 3, 4], [2, 2]), "int32");
        expectTensor(on(3.5), hand(3.5, []), "float64");
        expectTensor(zeros([2, 2], { backend }), hand([0, 0, 0, 0], [2, 2]), "float64");
        expectTensor(ones([3], { backend, dtype: "int32" }), hand([1, 1, 1], [3]), "int32");
        expectTensor(
          full([2], 0.1, { backend, dtype: "float32" }),
          hand([Math.fround(0.1), Math.fround(0.1)], [2]),
          "float32",
        );
        // arange(1, 2, 0.25): 1, 1.25, 1.5, 1.75 (2 excluded)
        expectTensor(arange(1, 2, 0.25, { backend }), hand([1, 1.25, 1.5, 1.75], [4]), "float64");
        expectTensor(zeros([0, 3], { backend }), hand([], [0, 3]), "float64");
      });

      it("moves tensors to and from the backend with .to(), keeping values", () => {
        const host = tensor(
          [
            [1.5, -2],
            [0.25, 8],
          ],
          { dtype: "float32" },
        );
        const there = host.to(backend);
        expectTensor(there, refOf(host), "float32");
        expect(there.to(backend)).toBe(there);
        const back = there.add(1).to(host.backend);
        expect(back.backend).toBe(host.backend);
        expect(Array.from(back.data)).toEqual([2.5, -1, 1.25, 9]);
      });

      it("reshape shares storage; assign and clone behave on the backend", () => {
        const x = on([1, 2, 3, 4, 5, 6]);
        const r = x.reshape([2, -1]);
        expect(r.shape).toEqual([2, 3]);
        expect(r.data).toBe(x.data);
        const c = x.clone();
        expect(c.data).not.toBe(x.data);
        expectTensor(c, refOf(x), "float64");
        x.assign(on([6, 5, 4, 3, 2, 1]));
        expectTensor(r, hand([6, 5, 4, 3, 2, 1], [2, 3]), "float64");
        expectTensor(c, hand([1, 2, 3, 4, 5, 6], [6]), "float64");
      });
    });

    describe("unary ops", () => {
      const specials = [-3, -1.5, -0.5, -0, 0, 0.25, 1, 2.5, 40, -40, Infinity, -Infinity, NaN];

      it("hand-derived values", () => {
        const x = on([-2, -0.5, 0, 0.5, 4]);
        expectTensor(x.neg(), hand([2, 0.5, -0, -0.5, -4], [5]), "float64");
        expectTensor(x.abs(), hand([2, 0.5, 0, 0.5, 4], [5]), "float64");
        expectTensor(x.square(), hand([4, 0.25, 0, 0.25, 16], [5]), "float64");
        expectTensor(x.relu(), hand([0, 0, 0, 0.5, 4], [5]), "float64");
        // step is the ReLU derivative mask: 1 where x > 0, 0 elsewhere (also at 0)
        expectTensor(x.step(), hand([0, 0, 0, 1, 1], [5]), "float64");
        expectTensor(x.sign(), hand([-1, -1, 0, 1, 1], [5]), "float64");
        expectTensor(x.reciprocal(), hand([-0.5, -2, Infinity, 2, 0.25], [5]), "float64");
        expectTensor(on([0, 1, 4, 9]).sqrt(), hand([0, 1, 2, 3], [4]), "float64");
        // sigmoid(0) = 1/(1+e^0) = 0.5; tanh(0) = 0; exp(0) = 1; log(1) = 0
        expectTensor(on([0]).sigmoid(), hand([0.5], [1]), "float64");
        expectTensor(on([0]).tanh(), hand([0], [1]), "float64");
        expectTensor(on([0, 1]).exp(), hand([1, Math.E], [2]), "float64");
        expectTensor(on([1, 0]).log(), hand([0, -Infinity], [2]), "float64");
        // sigmoid saturates without NaN: 1/(1+e^1000) = 1/Inf = 0, 1/(1+e^-1000) = 1
        expectTensor(on([-1000, 1000]).sigmoid(), hand([0, 1], [2]), "float64");
      });

      for (const dtype of FLOATS) {
        it(`every op on ${dtype} matches the reference bit for bit (special values, a large tensor)`, () => {
          const small = on(specials, dtype);
          const large = sample([3, 1700], 11, dtype, -5, 5);
          for (const op of UNARY_OPS) {
            for (const x of [small, large]) {
              const y = x.unary(op);
              expectTensor(y, unaryRef(op, refOf(x), dtype), dtype, `${op} on ${dtype} ${JSON.stringify(x.shape)}`);
            }
          }
          // The named methods are the same ops.
          const methods: Record<UnaryOp, (t: Tensor) => Tensor> = {
            neg: (t) => t.neg(),
            exp: (t) => t.exp(),
            log: (t) => t.log(),
            sqrt: (t) => t.sqrt(),
            abs: (t) => t.abs(),
            square: (t) => t.square(),
            reciprocal: (t) => t.reciprocal(),
            relu: (t) => t.relu(),
            step: (t) => t.step(),
            sigmoid: (t) => t.sigmoid(),
            tanh: (t) => t.tanh(),
            sign: (t) => t.sign(),
          };
          for (const op of UNARY_OPS) expectTensor(methods[op](small), unaryRef(op, refOf(small), dtype), dtype, op);
        });
      }

      it("int32 accepts the integer-valued ops and stays int32", () => {
        const x = on([-3, -1, 0, 2, 5], "int32");
        for (const op of INT_UNARY) expectTensor(x.unary(op), unaryRef(op, refOf(x), "int32"), "int32", op);
        expectTensor(x.square(), hand([9, 1, 0, 4, 25], [5]), "int32");
      });

      it("keeps shapes, including scalars and empty tensors", () => {
        expectTensor(on(-2).relu(), hand(0, []), "float64");
        expectTensor(zeros([0, 4], { backend }).exp(), hand([], [0, 4]), "float64");
      });
    });

    describe("binary ops with broadcasting", () => {
      // [a shape, b shape]; b === null means a plain number as the right operand.
      const cases: [number[], number[] | null][] = [
        [
          [2, 3],
          [2, 3],
        ],
        [[2, 3], [3]],
        [[3], [2, 3]],
        [
          [2, 1],
          [1, 3],
        ],
        [
          [4, 1, 3],
          [2, 1],
        ],
        [
          [2, 3, 4],
          [3, 1],
        ],
        [
          [5, 1, 7],
          [1, 6, 1],
        ],
        [[], [2, 3]],
        [[2, 3], []],
        [[2, 3], null],
        [[1], []],
        [[], []],
        [[0, 3], [3]],
        [
          [2, 0],
          [2, 1],
        ],
        [[64, 130], [130]],
        [
          [64, 130],
          [64, 1],
        ],
      ];

      it("hand-derived values", () => {
        // [[1,2,3],[4,5,6]] + [10,20,30]: the row is added to each row
        expectTensor(
          on([
            [1, 2, 3],
            [4, 5, 6],
          ]).add(on([10, 20, 30])),
          hand(
            [
              [11, 22, 33],
              [14, 25, 36],
            ],
            [2, 3],
          ),
          "float64",
        );
        // [[1],[2]] * [[1,2,3]]: the outer product
        expectTensor(
          on([[1], [2]]).mul(on([[1, 2, 3]])),
          hand(
            [
              [1, 2, 3],
              [2, 4, 6],
            ],
            [2, 3],
          ),
          "float64",
        );
        // [[1,2],[3,4]] - [[1],[2]]: column broadcast
        expectTensor(
          on([
            [1, 2],
            [3, 4],
          ]).sub(on([[1], [2]])),
          hand(
            [
              [0, 1],
              [1, 2],
            ],
            [2, 2],
          ),
          "float64",
        );
        expectTensor(on([1, 2, 3]).div(2), hand([0.5, 1, 1.5], [3]), "float64");
        expectTensor(on([2, 9]).pow(on([3, 0.5])), hand([8, 3], [2]), "float64"); // 2^3, 9^0.5
        expectTensor(on([1, 5, NaN]).maximum(on([3, 2, 0])), hand([3, 5, NaN], [3]), "float64");
        expectTensor(on([1, 5, 0]).minimum(2), hand([1, 2, 0], [3]), "float64");
        // comparisons give 0/1 masks in the operands' dtype
        expectTensor(on([1, 2, 3]).lt(2), hand([1, 0, 0], [3]), "float64");
        expectTensor(on([1, 2, 3]).le(2), hand([1, 1, 0], [3]), "float64");
        expectTensor(on([1, 2, 3]).gt(2), hand([0, 0, 1], [3]), "float64");
        expectTensor(on([1, 2, 3]).ge(2), hand([0, 1, 1], [3]), "float64");
        expectTensor(on([1, 2, 3]).eq(2), hand([0, 1, 0], [3]), "float64");
        expectTensor(on([1, 2, NaN]).ne(on([1, 3, NaN])), hand([0, 1, 1], [3]), "float64");
        expectTensor(on([1, 2, 3], "float32").gt(on([2], "float32")), hand([0, 0, 1], [3]), "float32");
        // [2,3,1] + [4]: rank difference, result [2,3,4]
        expect(on(new Array(6).fill(1), "float64", [2, 3, 1]).add(on([0, 1, 2, 3])).shape).toEqual([2, 3, 4]);
      });

      for (const dtype of [...FLOATS, "int32"] as DType[]) {
        for (const op of BINARY_OPS) {
          it(`${op} on ${dtype} matches the reference for every broadcasting case`, () => {
            let seed = 100;
            for (const [as, bs] of cases) {
              // Values in multiples of 0.5 in [-2, 2] (integers for int32), so ties and zeros occur.
              const a = sample(as, seed++, dtype, -2, 2, 0.5);
              const b = bs === null ? 1.5 : sample(bs, seed++, dtype, -2, 2, 0.5);
              const bRef: Ref = typeof b === "number" ? { data: [dtype === "int32" ? 1 : 1.5], shape: [] } : refOf(b);
              const y = typeof b === "number" ? a.binary(op, dtype === "int32" ? 1 : b) : a.binary(op, b);
              expectTensor(
                y,
                binaryRef(op, refOf(a), bRef, dtype),
                dtype,
                `${op} ${JSON.stringify(as)} ${JSON.stringify(bs)}`,
              );
            }
          });
        }
      }

      it("named methods are the same ops as binary(op, ...)", () => {
        const a = sample([3, 4], 1, "float64", -2, 2, 0.5);
        const b = sample([4], 2, "float64", -2, 2, 0.5);
        const methods: Record<BinaryOp, (x: Tensor, y: Tensor) => Tensor> = {
          add: (x, y) => x.add(y),
          sub: (x, y) => x.sub(y),
          mul: (x, y) => x.mul(y),
          div: (x, y) => x.div(y),
          pow: (x, y) => x.pow(y),
          maximum: (x, y) => x.maximum(y),
          minimum: (x, y) => x.minimum(y),
          eq: (x, y) => x.eq(y),
          ne: (x, y) => x.ne(y),
          lt: (x, y) => x.lt(y),
          le: (x, y) => x.le(y),
          gt: (x, y) => x.gt(y),
          ge: (x, y) => x.ge(y),
        };
        for (const op of BINARY_OPS) expectTensor(methods[op](a, b), binaryRef(op, refOf(a), refOf(b)), "float64", op);
      });

      it("int32 arithmetic stores like an Int32Array (division truncates toward zero)", () => {
        // 7/2 = 3.5 -> 3; -7/2 = -3.5 -> -3; 1/0 = Infinity -> 0
        expectTensor(on([7, -7, 1], "int32").div(on([2, 2, 0], "int32")), hand([3, -3, 0], [3]), "int32");
        expectTensor(on([2, 3], "int32").mul(4), hand([8, 12], [2]), "int32");
      });
    });

    describe("where", () => {
      it("hand-derived values", () => {
        // condition != 0 ? x : other
        expectTensor(on([1, 2, 3]).where(on([1, 0, 1]), 0), hand([1, 0, 3], [3]), "float64");
        // a row condition broadcast over rows, other a column
        const x = on([
          [1, 2, 3],
          [4, 5, 6],
        ]);
        expectTensor(
          x.where(on([0, 1, 0]), on([[-1], [-2]])),
          hand(
            [
              [-1, 2, -1],
              [-2, 5, -2],
            ],
            [2, 3],
          ),
          "float64",
        );
      });

      it("matches the reference for broadcast shapes, dtypes and condition dtypes", () => {
        const shapes: [number[], number[], number[]][] = [
          [
            [2, 3],
            [2, 3],
            [2, 3],
          ],
          [[3], [2, 3], []],
          [[2, 1], [1, 3], [3]],
          [
            [4, 1, 5],
            [3, 1],
            [1, 5],
          ],
          [[], [2, 2], [2, 2]],
          [[0, 3], [3], [1]],
          [[50, 64], [64], [50, 1]],
        ];
        let seed = 300;
        for (const dtype of [...FLOATS, "int32"] as DType[]) {
          for (const condDtype of [...FLOATS, "int32"] as DType[]) {
            for (const [cs, xs, os] of shapes) {
              const cond = sample(cs, seed++, condDtype, -1, 1, 1); // -1, 0 or 1: zeros and non-zeros
              const x = sample(xs, seed++, dtype);
              const other = sample(os, seed++, dtype);
              expectTensor(
                x.where(cond, other),
                whereRef(refOf(cond), refOf(x), refOf(other)),
                dtype,
                `${dtype} cond ${condDtype} ${JSON.stringify([cs, xs, os])}`,
              );
            }
          }
        }
        // `other` as a number is a scalar of x's dtype; NaN in the condition counts as true.
        expectTensor(on([5, 6], "float32").where(on([NaN, 0]), -1), hand([5, -1], [2]), "float32");
      });
    });

    describe("reductions: sum, max, min, mean", () => {
      it("hand-derived values", () => {
        const x = on([
          [1, 2, 3],
          [4, 5, 6],
        ]);
        expectTensor(x.sum(), hand(21, []), "float64"); // 1+2+...+6 = 21
        expectTensor(x.sum(0), hand([5, 7, 9], [3]), "float64"); // column sums
        expectTensor(x.sum(1), hand([6, 15], [2]), "float64"); // row sums
        expectTensor(x.sum(-1, true), hand([[6], [15]], [2, 1]), "float64");
        expectTensor(x.sum(null, true), hand([[21]], [1, 1]), "float64");
        expectTensor(x.max(0), hand([4, 5, 6], [3]), "float64");
        expectTensor(x.min(1), hand([1, 4], [2]), "float64");
        expectTensor(x.max(), hand(6, []), "float64");
        expectTensor(x.mean(), hand(3.5, []), "float64"); // 21 / 6
        expectTensor(x.mean(-1, true), hand([[2], [5]], [2, 1]), "float64"); // 6/3, 15/3
        expectTensor(x.mean(0), hand([2.5, 3.5, 4.5], [3]), "float64");
        // NaN propagates through max/min, wherever it is
        expectTensor(
          on([
            [1, NaN],
            [3, 4],
          ]).max(0),
          hand([3, NaN], [2]),
          "float64",
        );
        expectTensor(
          on([
            [1, NaN],
            [3, 4],
          ]).min(1),
          hand([NaN, 3], [2]),
          "float64",
        ); // rows [1, NaN], [3, 4]
        expectTensor(on([[NaN, 1, 2]]).max(1), hand([NaN], [1]), "float64");
      });

      it("empty inputs: sums are 0, max/min keep empty non-reduced axes", () => {
        expectTensor(zeros([0, 3], { backend }).sum(0), hand([0, 0, 0], [3]), "float64");
        expectTensor(zeros([0, 3], { backend }).sum(), hand(0, []), "float64");
        expectTensor(zeros([2, 0], { backend }).sum(1), hand([0, 0], [2]), "float64");
        expectTensor(zeros([2, 0], { backend }).max(0), hand([], [0]), "float64");
      });

      const ops = ["sum", "max", "min", "mean"] as const;
      const shapes: number[][] = [[7], [2, 3, 4], [5, 1, 6], [300, 70], [3, 0, 2]];

      for (const dtype of FLOATS) {
        it(`every op, axis (null, each, negative) and keepDims on ${dtype} matches the reference`, () => {
          let seed = 500;
          for (const shape of shapes) {
            const x = sample(shape, seed++, dtype, -3, 3);
            const axes: (number | null)[] = [null];
            for (let a = 0; a < shape.length; a++) axes.push(a, a - shape.length);
            for (const op of ops) {
              for (const axis of axes) {
                const axisLen = axis === null ? x.size : shape[axis < 0 ? axis + shape.length : axis]!;
                if (op !== "sum" && axisLen === 0) continue; // a typed error, tested in errors.test.ts
                for (const keepDims of [false, true]) {
                  const y = x[op](axis, keepDims);
                  const expected =
                    op === "mean"
                      ? meanRef(refOf(x), axis, keepDims, dtype)
                      : reduceRef(op, refOf(x), axis, keepDims, dtype);
                  expectTensor(y, expected, dtype, `${op}(${axis}, ${keepDims}) of ${JSON.stringify(shape)}`);
                }
              }
            }
          }
        });
      }

      it("int32 sums, maxima and minima stay int32", () => {
        const x = on(
          [
            [1, -2, 3],
            [4, 5, -6],
          ],
          "int32",
        );
        expectTensor(x.sum(0), hand([5, 3, -3], [3]), "int32");
        expectTensor(x.sum(), hand(5, []), "int32");
        expectTensor(x.max(1), hand([3, 5], [2]), "int32");
        expectTensor(x.min(-2, true), hand([[1, -2, -6]], [1, 3]), "int32");
      });

      it("float32 sums are float32: every partial sum is rounded to float32", () => {
        // (2^24 + 1) + 1 summed in float32: 2^24 + 1 = 16777217 lies halfway between the float32
        // neighbours 2^24 and 2^24 + 2 and rounds to the even significand, 2^24; so does the second
        // add. The result is 16777216 (summing in float64 and rounding once would give 16777218).
        const x = on([16777216, 1, 1], "float32");
        expectTensor(x.sum(), hand(16777216, []), "float32");
        // Added the other way round the ones survive: (0 + 1 + 1) + 2^24 = 16777218, exact.
        expectTensor(on([1, 1, 16777216], "float32").sum(), hand(16777218, []), "float32");
        const col = on(
          [
            [16777216, 0],
            [1, 0],
            [1, 0],
          ],
          "float32",
        );
        expectTensor(col.sum(0), hand([16777216, 0], [2]), "float32");
      });
    });

    describe("argmax", () => {
      it("hand-derived values: ties go to the first index", () => {
        const x = on([
          [1, 3, 3],
          [2, 2, 1],
        ]);
        expectTensor(x.argmax(), hand([1, 0], [2]), "int32"); // row 0: 3 first at 1; row 1: 2 first at 0
        expectTensor(x.argmax(-1), hand([1, 0], [2]), "int32");
        expectTensor(x.argmax(0), hand([1, 0, 0], [3]), "int32"); // 1<2, 3>2, 3>1
        expectTensor(x.argmax(1, true), hand([[1], [0]], [2, 1]), "int32");
        expectTensor(on([5, 5, 5]).argmax(), hand(0, []), "int32");
        // a NaN counts as the maximum (NumPy): the first NaN wins
        expectTensor(on([1, NaN, 9, NaN]).argmax(), hand(1, []), "int32");
        expectTensor(
          on(
            [
              [3, 1],
              [2, 7],
            ],
            "int32",
          ).argmax(0),
          hand([0, 1], [2]),
          "int32",
        );
      });

      for (const dtype of [...FLOATS, "int32"] as DType[]) {
        it(`every axis on ${dtype} matches the reference (with many ties)`, () => {
          let seed = 700;
          for (const shape of [[9], [7, 13], [3, 4, 5], [40, 257]]) {
            const x = sample(shape, seed++, dtype, -2, 2, 1); // few distinct values: many ties
            for (let axis = -shape.length; axis < shape.length; axis++) {
              for (const keepDims of [false, true]) {
                expectTensor(
                  x.argmax(axis, keepDims),
                  argmaxRef(refOf(x), axis, keepDims),
                  "int32",
                  `argmax(${axis}) of ${JSON.stringify(shape)}`,
                );
              }
            }
          }
        });
      }
    });

    describe("matmul", () => {
      it("hand-derived product and its transposed forms", () => {
        // [[1,2,3],[4,5,6]] @ [[7,8],[9,10],[11,12]]:
        //   1*7+2*9+3*11 = 58, 1*8+2*10+3*12 = 64, 4*7+5*9+6*11 = 139, 4*8+5*10+6*12 = 154
        const expected = hand(
          [
            [58, 64],
            [139, 154],
          ],
          [2, 2],
        );
        const a = on([
          [1, 2, 3],
          [4, 5, 6],
        ]);
        const b = on([
          [7, 8],
          [9, 10],
          [11, 12],
        ]);
        const aT = on([
          [1, 4],
          [2, 5],
          [3, 6],
        ]);
        const bT = on([
          [7, 9, 11],
          [8, 10, 12],
        ]);
        expectTensor(a.matmul(b), expected, "float64");
        expectTensor(aT.matmul(b, { transposeA: true }), expected, "float64");
        expectTensor(a.matmul(bT, { transposeB: true }), expected, "float64");
        expectTensor(aT.matmul(bT, { transposeA: true, transposeB: true }), expected, "float64");
        expectTensor(a.cast("float32").matmul(b.cast("float32")), expected, "float32");
      });

      it("an empty inner dimension gives zeros; empty outer dimensions give empty results", () => {
        expectTensor(
          zeros([2, 0], { backend }).matmul(zeros([0, 3], { backend })),
          hand([0, 0, 0, 0, 0, 0], [2, 3]),
          "float64",
        );
        expectTensor(zeros([0, 4], { backend }).matmul(ones([4, 3], { backend })), hand([], [0, 3]), "float64");
        expectTensor(ones([2, 4], { backend }).matmul(ones([4, 0], { backend })), hand([], [2, 0]), "float64");
      });

      // [m, k, n] with the odd sizes 1, 3, 17, 65, 130 in every position.
      const sizes: [number, number, number][] = [
        [1, 1, 1],
        [1, 3, 17],
        [3, 17, 65],
        [17, 65, 130],
        [65, 130, 1],
        [130, 1, 3],
        [17, 17, 17],
        [65, 3, 130],
        [130, 65, 17],
        [3, 130, 65],
        [130, 130, 130],
      ];
      const combos: [boolean, boolean][] = [
        [false, false],
        [true, false],
        [false, true],
        [true, true],
      ];

      for (const dtype of FLOATS) {
        it(`all four transpose combinations at odd sizes on ${dtype} match the reference bit for bit`, () => {
          let seed = 900;
          for (const [m, k, n] of sizes) {
            for (const [tA, tB] of combos) {
              const a = sample(tA ? [k, m] : [m, k], seed++, dtype, -1, 1);
              const b = sample(tB ? [n, k] : [k, n], seed++, dtype, -1, 1);
              const y = a.matmul(b, { transposeA: tA, transposeB: tB });
              expectTensor(y, matmulRef(refOf(a), refOf(b), tA, tB, dtype), dtype, `${m}x${k}x${n} tA=${tA} tB=${tB}`);
            }
          }
        });
      }
    });

    describe("transpose", () => {
      it("hand-derived values", () => {
        const x = on([
          [1, 2, 3],
          [4, 5, 6],
        ]);
        expectTensor(
          x.transpose(),
          hand(
            [
              [1, 4],
              [2, 5],
              [3, 6],
            ],
            [3, 2],
          ),
          "float64",
        );
        expectTensor(
          x.transpose([1, 0]),
          hand(
            [
              [1, 4],
              [2, 5],
              [3, 6],
            ],
            [3, 2],
          ),
          "float64",
        );
        expectTensor(
          x.transpose([0, 1]),
          hand(
            [
              [1, 2, 3],
              [4, 5, 6],
            ],
            [2, 3],
          ),
          "float64",
        );
        expectTensor(on([1, 2]).transpose(), hand([1, 2], [2]), "float64");
        expectTensor(on(7).transpose(), hand(7, []), "float64");
        expectTensor(zeros([0, 3], { backend }).transpose(), hand([], [3, 0]), "float64");
      });

      it("every permutation of a 3-d tensor, negative axes, dtypes and a large 2-d tensor", () => {
        const perms = [
          [0, 1, 2],
          [0, 2, 1],
          [1, 0, 2],
          [1, 2, 0],
          [2, 0, 1],
          [2, 1, 0],
        ];
        let seed = 1100;
        for (const dtype of [...FLOATS, "int32"] as DType[]) {
          const x = sample([2, 3, 4], seed++, dtype, -9, 9);
          for (const perm of perms)
            expectTensor(x.transpose(perm), transposeRef(refOf(x), perm), dtype, `perm ${perm}`);
          expectTensor(x.transpose([-1, 0, -2]), transposeRef(refOf(x), [2, 0, 1]), dtype, "negative axes");
          expectTensor(x.transpose(), transposeRef(refOf(x), [2, 1, 0]), dtype, "default");
          const big = sample([65, 130], seed++, dtype, -9, 9);
          expectTensor(big.transpose(), transposeRef(refOf(big), [1, 0]), dtype, "large");
        }
      });
    });

    describe("transpose of 4-d tensors", () => {
      it("every permutation, with and without a length-1 axis, split at any element", () => {
        const perms: number[][] = [];
        const permute = (prefix: number[]): void => {
          if (prefix.length === 4) perms.push(prefix);
          for (let a = 0; a < 4; a++) if (!prefix.includes(a)) permute([...prefix, a]);
        };
        permute([]);
        let seed = 1950;
        for (const shape of [
          [2, 3, 4, 5],
          [3, 1, 4, 2],
          [5, 6, 7, 3],
          [3, 20, 1, 37], // long rows and columns: the tiled batched path
        ]) {
          const x = sample(shape, seed++, "float64");
          for (const perm of perms)
            expectTensor(x.transpose(perm), transposeRef(refOf(x), perm), "float64", `${shape} perm ${perm}`);
        }
      });
    });

    describe("gather", () => {
      it("hand-derived values: rows picked, repeated, in any order", () => {
        const x = on([
          [1, 2],
          [3, 4],
          [5, 6],
        ]);
        expectTensor(
          x.gather([2, 0, 2]),
          hand(
            [
              [5, 6],
              [1, 2],
              [5, 6],
            ],
            [3, 2],
          ),
          "float64",
        );
        expectTensor(x.gather(on([1], "int32")), hand([[3, 4]], [1, 2]), "float64");
        expectTensor(
          x.gather(new Int32Array([0, 1])),
          hand(
            [
              [1, 2],
              [3, 4],
            ],
            [2, 2],
          ),
          "float64",
        );
        expectTensor(x.gather([]), hand([], [0, 2]), "float64");
        expectTensor(on([10, 20, 30], "int32").gather([2, 2, 0]), hand([30, 30, 10], [3]), "int32");
      });

      it("matches the reference for 1-d, 2-d and 3-d tensors of each dtype", () => {
        let seed = 1300;
        for (const dtype of [...FLOATS, "int32"] as DType[]) {
          for (const shape of [[10], [10, 7], [10, 3, 4], [12, 32], [500, 65]]) {
            const x = sample(shape, seed++, dtype, -9, 9);
            const idx = sampleValues(37, seed++, 0, shape[0]!).map(Math.floor);
            expectTensor(x.gather(idx), gatherRef(refOf(x), idx), dtype, JSON.stringify(shape));
          }
        }
      });
    });

    describe("oneHot", () => {
      it("hand-derived values in each dtype", () => {
        const labels = on([2, 0, 1], "int32");
        const expected = hand(
          [
            [0, 0, 1],
            [1, 0, 0],
            [0, 1, 0],
          ],
          [3, 3],
        );
        expectTensor(labels.oneHot(3), expected, "float64");
        expectTensor(labels.oneHot(3, "float32"), expected, "float32");
        expectTensor(labels.oneHot(3, "int32"), expected, "int32");
        expectTensor(on([], "int32").oneHot(4), hand([], [0, 4]), "float64");
        // class indices may also come as a float tensor holding integers
        expectTensor(
          on([1, 1]).oneHot(2),
          hand(
            [
              [0, 1],
              [0, 1],
            ],
            [2, 2],
          ),
          "float64",
        );
      });

      it("matches the reference for 1000 labels over 10 classes", () => {
        const idx = sampleValues(1000, 1500, 0, 10).map(Math.floor);
        expectTensor(on(idx, "int32").oneHot(10, "float32"), oneHotRef(idx, 10), "float32");
      });
    });

    describe("cast", () => {
      it("hand-derived conversions", () => {
        // float64 -> int32 truncates toward zero (like storing into an Int32Array); NaN becomes 0
        expectTensor(on([1.5, -1.5, 2.7, -0.2, NaN]).cast("int32"), hand([1, -1, 2, 0, 0], [5]), "int32");
        // float64 -> float32 rounds to nearest: 0.1 becomes 0.100000001490116...
        expectTensor(on([0.1, 1 / 3]).cast("float32"), hand([Math.fround(0.1), Math.fround(1 / 3)], [2]), "float32");
        // float32 and int32 -> float64 are exact
        expectTensor(on([0.1], "float32").cast("float64"), hand([Math.fround(0.1)], [1]), "float64");
        expectTensor(on([-7, 2147483647], "int32").cast("float64"), hand([-7, 2147483647], [2]), "float64");
        expectTensor(on([3, -4], "int32").cast("float32"), hand([3, -4], [2]), "float32");
      });

      it("every dtype pair on a large tensor; casting to the same dtype copies", () => {
        const dtypes: DType[] = ["float64", "float32", "int32"];
        let seed = 1700;
        for (const from of dtypes) {
          const x = sample([40, 99], seed++, from, -1000, 1000);
          for (const to of dtypes) {
            const y = x.cast(to);
            const store = to === "float32" ? Math.fround : to === "int32" ? (v: number) => v | 0 : (v: number) => v;
            expectTensor(y, { data: Array.from(x.data, store), shape: x.shape }, to, `${from} -> ${to}`);
            expect(y.data).not.toBe(x.data);
          }
        }
      });
    });

    describe("im2col and col2im", () => {
      it("hand-derived windows and their adjoint", () => {
        // x = 1..9 as one 3x3 image; 2x2 windows, stride 1, no pad: a 2x2 grid of windows, each row
        // one window read left to right, top to bottom.
        const x = on([1, 2, 3, 4, 5, 6, 7, 8, 9], "float64", [1, 1, 3, 3]);
        const col = hand(
          [
            [1, 2, 4, 5],
            [2, 3, 5, 6],
            [4, 5, 7, 8],
            [5, 6, 8, 9],
          ],
          [4, 4],
        );
        expectTensor(x.im2col(2, 2), col, "float64");
        // col2im of all ones counts how many windows cover each pixel: the centre is in all 4.
        expectTensor(
          ones([4, 4], { backend }).col2im([1, 1, 3, 3], 2, 2),
          hand([1, 2, 1, 2, 4, 2, 1, 2, 1], [1, 1, 3, 3]),
          "float64",
        );
        // 3x3 windows, stride 2, pad 1: (3 + 2 - 3) / 2 + 1 = 2 windows per side, centred on the
        // corners; the padding reads 0. Window (0, 0) covers padded rows/cols -1..1.
        expectTensor(
          x.im2col(3, 3, 2, 1),
          hand(
            [
              [0, 0, 0, 0, 1, 2, 0, 4, 5],
              [0, 0, 0, 2, 3, 0, 5, 6, 0],
              [0, 4, 5, 0, 7, 8, 0, 0, 0],
              [5, 6, 0, 8, 9, 0, 0, 0, 0],
            ],
            [4, 9],
          ),
          "float64",
        );
        // Its adjoint: the middle row and column are shared by two windows, the centre by four.
        expectTensor(
          ones([4, 9], { backend }).col2im([1, 1, 3, 3], 3, 3, 2, 1),
          hand([1, 2, 1, 2, 4, 2, 1, 2, 1], [1, 1, 3, 3]),
          "float64",
        );
        // Two channels: each row holds channel 0's window, then channel 1's.
        const x2 = on([1, 2, 3, 4, 10, 20, 30, 40], "float64", [1, 2, 2, 2]);
        expectTensor(x2.im2col(2, 2), hand([[1, 2, 3, 4, 10, 20, 30, 40]], [1, 8]), "float64");
      });

      it("equal the book's loops bit for bit: strides, padding, channels, images, dtypes", () => {
        // [input shape, fh, fw, stride, pad]
        const cases: [number[], number, number, number, number][] = [
          [[2, 3, 7, 7], 3, 3, 2, 1],
          [[1, 1, 10, 10], 3, 3, 1, 0],
          [[3, 2, 6, 8], 2, 2, 2, 0],
          [[2, 3, 5, 6], 2, 3, 1, 2],
          [[1, 2, 4, 4], 4, 4, 1, 0],
          [[2, 1, 5, 5], 1, 1, 2, 0],
          [[1, 2, 3, 3], 2, 2, 3, 1],
          [[4, 3, 28, 28], 5, 5, 1, 0],
        ];
        let seed = 1800;
        for (const dtype of FLOATS) {
          for (const [shape, fh, fw, stride, pad] of cases) {
            const what = `${dtype} ${shape} ${fh}x${fw} stride ${stride} pad ${pad}`;
            const x = sample(shape, seed++, dtype);
            const col = x.im2col(fh, fw, stride, pad);
            expectTensor(col, im2colRef(refOf(x), fh, fw, stride, pad), dtype, what);
            const dcol = sample([...col.shape], seed++, dtype);
            expectTensor(
              dcol.col2im(shape, fh, fw, stride, pad),
              col2imRef(refOf(dcol), shape, fh, fw, stride, pad, dtype),
              dtype,
              what,
            );
          }
        }
      });

      it("col2im is the adjoint of im2col: <im2col(x), y> = <x, col2im(y)>", () => {
        // Exact on small integers (every product and sum is an integer far below 2^53).
        // [2, 3, 7, 5] with 3x3 windows, stride 2, pad 1: (7 + 2 - 3) / 2 + 1 = 4 by (5 + 2 - 3) / 2 + 1 = 3.
        const x = sample([2, 3, 7, 5], 1900, "float64", -5, 5, 1);
        const y = sample([2 * 4 * 3, 3 * 3 * 3], 1901, "float64", -5, 5, 1);
        const lhs = x.im2col(3, 3, 2, 1).mul(y).sum().item();
        const rhs = x
          .mul(y.col2im([2, 3, 7, 5], 3, 3, 2, 1))
          .sum()
          .item();
        expect(lhs).toBe(rhs);
      });
    });

    describe("takeAlongLastAxis and putAlongLastAxis", () => {
      it("hand-derived values", () => {
        // Row r gives x[r, i_r]: rows [1, 2, 3] and [4, 5, 6] with indices [2, 0] give [3, 4].
        const x = on([
          [1, 2, 3],
          [4, 5, 6],
        ]);
        const idx = on([2, 0], "int32");
        expectTensor(x.takeAlongLastAxis(idx), hand([3, 4], [2]), "float64");
        // The adjoint: [7, -8] at columns [2, 0] of rows of 3 zeros.
        expectTensor(
          on([7, -8]).putAlongLastAxis(idx, 3),
          hand(
            [
              [0, 0, 7],
              [-8, 0, 0],
            ],
            [2, 3],
          ),
          "float64",
        );
        // Leading axes are kept: [2, 2, 2] with indices of shape [2, 2].
        const y = on([1, 2, 3, 4, 5, 6, 7, 8], "float32", [2, 2, 2]);
        const j = on([1, 0, 0, 1], "int32", [2, 2]);
        expectTensor(y.takeAlongLastAxis(j), hand([2, 3, 5, 8], [2, 2]), "float32");
        expectTensor(
          on([2, 3, 5, 8], "float32", [2, 2]).putAlongLastAxis(j, 2),
          hand([0, 2, 3, 0, 5, 0, 0, 8], [2, 2, 2]),
          "float32",
        );
      });

      it("take of the argmax is the max; put of it is the max's mask times the values (large)", () => {
        for (const dtype of FLOATS) {
          const x = sample([3000, 4], 1990, dtype);
          const am = x.argmax(1);
          expectTensor(x.takeAlongLastAxis(am), refOf(x.max(1)), dtype, "take");
          const v = sample([3000], 1991, dtype);
          const put = v.putAlongLastAxis(am, 4);
          const mask = refOf(am.oneHot(4, dtype));
          const want = mask.data.map((m, i) => (m === 1 ? v.data[Math.floor(i / 4)]! : 0));
          expectTensor(put, { data: want, shape: [3000, 4] }, dtype, "put");
        }
      });
    });

    describe("seeded random numbers", () => {
      it("randn and rand with a seed equal the cpu backend's bit for bit", () => {
        for (const dtype of FLOATS) {
          const here = randn([3, 50], { seed: 42, dtype, backend });
          const there = randn([3, 50], { seed: 42, dtype });
          expect(here.backend).toBe(backend);
          expect(firstDifference(here.data, there.data)).toBeNull();
          const u = rand([200], { seed: 7, low: -2, high: 3, dtype, backend });
          expect(firstDifference(u.data, rand([200], { seed: 7, low: -2, high: 3, dtype }).data)).toBeNull();
          expect(Math.min(...u.data)).toBeGreaterThanOrEqual(-2);
          expect(Math.max(...u.data)).toBeLessThan(3);
        }
        const w = randn([2, 2], { seed: 1, mean: 5, std: 0.01, backend });
        expect(firstDifference(w.data, randn([2, 2], { seed: 1, mean: 5, std: 0.01 }).data)).toBeNull();
      });

      it("a shared Rng stream gives the same tensors as on the cpu backend", () => {
        const rHere = new Rng(9);
        const rThere = new Rng(9);
        for (let i = 0; i < 3; i++) {
          const a = randn([5], { rng: rHere, backend });
          const b = randn([5], { rng: rThere });
          expect(firstDifference(a.data, b.data)).toBeNull();
        }
        // different seeds give different numbers
        expect(
          firstDifference(randn([5], { seed: 1, backend }).data, randn([5], { seed: 2, backend }).data),
        ).not.toBeNull();
      });
    });

    describe("purity", () => {
      it("ops return new storage and never modify their inputs", () => {
        const x = sample([6, 5], 1900, "float64");
        const y = sample([5], 1901, "float64");
        const labels = on([0, 3, 1], "int32");
        const before = [Array.from(x.data), Array.from(y.data), Array.from(labels.data)];
        const results = [
          x.exp(),
          x.add(y),
          x.where(x.gt(0), y),
          x.sum(0),
          x.max(1, true),
          x.mean(),
          x.argmax(),
          x.matmul(x, { transposeA: true }),
          x.transpose(),
          x.gather([1, 1]),
          labels.oneHot(4),
          x.cast("float32"),
        ];
        for (const r of results) {
          expect(r.data).not.toBe(x.data);
          expect(r.data).not.toBe(y.data);
          expect(r.backend).toBe(backend);
        }
        expect([Array.from(x.data), Array.from(y.data), Array.from(labels.data)]).toEqual(before);
      });
    });
  });
}

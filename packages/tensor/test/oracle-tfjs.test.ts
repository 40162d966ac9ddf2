// Property-based oracle tests against TensorFlow.js (tfjs-core with the cpu backend, float32) on
// random shapes: broadcasting binary ops, reductions, matmul with all four transpose combinations
// and argmax. Our float32 results must be within |ours - tfjs| <= ATOL + RTOL * |tfjs| (NaN where
// tfjs has NaN, the same infinities). Argmax and comparisons must agree exactly.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { BINARY_OPS, tensor, type BinaryOp, type Tensor } from "../src/index.js";
import { broadcastPairArb, matmulArb, seedArb, shapeArb, shapeAxisArb, values } from "./oracle/arbitraries.js";

const RUNS = 60;

/** Element-wise float32 arithmetic: both sides round the float64 result of the same inputs once,
 * so they should agree to the last bit; the tolerance only covers a different evaluation order. */
const EW = { atol: 1e-6, rtol: 1e-6 };
/** Reductions of up to 6^4 values in [-10, 10]: float32 partial sums may round differently. */
const RED = { atol: 1e-4, rtol: 1e-5 };
/** Matmul with k <= 70 of values in [-1, 1]: both sum float32 products in float32, tfjs-cpu in
 * blocks of k, we in increasing k, so partial sums may round differently. */
const MM = { atol: 1e-5, rtol: 1e-5 };

const TF_BINARY: Record<BinaryOp, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor> = {
  add: tf.add,
  sub: tf.sub,
  mul: tf.mul,
  div: tf.div,
  pow: tf.pow,
  maximum: tf.maximum,
  minimum: tf.minimum,
  eq: tf.equal,
  ne: tf.notEqual,
  lt: tf.less,
  le: tf.lessEqual,
  gt: tf.greater,
  ge: tf.greaterEqual,
};

beforeAll(async () => {
  tf.env().set("IS_TEST", true);
  await tf.setBackend("cpu");
});

/** The same float32 values as a bp tensor and a tfjs tensor. */
function pair(shape: number[], seed: number, lo: number, hi: number, step = 0): { ours: Tensor; theirs: tf.Tensor } {
  const ours = tensor(values(shape, seed, lo, hi, step), { dtype: "float32", shape });
  return { ours, theirs: tf.tensor(ours.data as Float32Array, shape, "float32") };
}

/** Where `ours` is out of tolerance of tfjs's values, or null. */
function outOfTolerance(ours: Tensor, theirs: tf.Tensor, tol: { atol: number; rtol: number }): string | null {
  if (JSON.stringify(ours.shape) !== JSON.stringify(theirs.shape))
    return `shape ${JSON.stringify(ours.shape)}, tfjs ${JSON.stringify(theirs.shape)}`;
  const t = theirs.dataSync();
  for (let i = 0; i < t.length; i++) {
    const a = ours.data[i]!;
    const e = t[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) && Number.isNaN(a)) continue;
    } else if (a === e || Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e)) {
      continue;
    }
    return `element ${i}: ours ${a}, tfjs ${e} (atol ${tol.atol}, rtol ${tol.rtol})`;
  }
  return null;
}

function check(ours: Tensor, theirs: tf.Tensor, tol: { atol: number; rtol: number }): boolean {
  const why = outOfTolerance(ours, theirs, tol);
  theirs.dispose();
  expect(why).toBeNull();
  return true;
}

describe("oracle: tfjs-core float32", () => {
  it("binary ops with broadcasting (rank 0-4, dimensions 1-4, all 13 ops)", () => {
    fc.assert(
      fc.property(
        broadcastPairArb(4, 1, 4),
        fc.constantFrom<BinaryOp>(...BINARY_OPS),
        seedArb,
        ([as, bs], op, seed) => {
          // multiples of 0.5 in [-3, 3]: equal elements, zeros and negative bases occur
          const a = pair(as, seed, -3, 3, 0.5);
          const b = pair(bs, seed + 1, -3, 3, 0.5);
          const ours = a.ours.binary(op, b.ours);
          // tfjs comparisons give bool tensors; cast to float32 masks like ours
          const theirs = tf.tidy(() => tf.cast(TF_BINARY[op](a.theirs, b.theirs), "float32"));
          a.theirs.dispose();
          b.theirs.dispose();
          expect(ours.dtype).toBe("float32");
          return check(ours, theirs, EW);
        },
      ),
      { seed: 2001, numRuns: RUNS * 2 },
    );
  });

  it("sum, max, min and mean along an axis with keepDims", () => {
    fc.assert(
      fc.property(
        shapeAxisArb(4, 1, 6),
        fc.constantFrom("sum", "max", "min", "mean" as const),
        seedArb,
        ({ shape, axis, keepDims }, op, seed) => {
          const x = pair(shape, seed, -10, 10);
          // biome-ignore lint/performance/noDynamicNamespaceImportAccess: the property test picks the tfjs op by name
          const theirs = tf[op](x.theirs, axis, keepDims);
          x.theirs.dispose();
          return check(x.ours[op](axis, keepDims), theirs, RED);
        },
      ),
      { seed: 2002, numRuns: RUNS },
    );
  });

  it("sum, max, min and mean over all elements", () => {
    fc.assert(
      fc.property(
        shapeArb(1, 4, 1, 6),
        fc.constantFrom("sum", "max", "min", "mean" as const),
        seedArb,
        (shape, op, seed) => {
          const x = pair(shape, seed, -10, 10);
          // biome-ignore lint/performance/noDynamicNamespaceImportAccess: the property test picks the tfjs op by name
          const theirs = tf[op](x.theirs);
          x.theirs.dispose();
          return check(x.ours[op](), theirs, RED);
        },
      ),
      { seed: 2003, numRuns: RUNS },
    );
  });

  it("matmul, all four transpose combinations", () => {
    fc.assert(
      fc.property(matmulArb(70), seedArb, ({ m, k, n, tA, tB }, seed) => {
        const a = pair(tA ? [k, m] : [m, k], seed, -1, 1);
        const b = pair(tB ? [n, k] : [k, n], seed + 1, -1, 1);
        const theirs = tf.matMul(a.theirs, b.theirs, tA, tB);
        a.theirs.dispose();
        b.theirs.dispose();
        return check(a.ours.matmul(b.ours, { transposeA: tA, transposeB: tB }), theirs, MM);
      }),
      { seed: 2004, numRuns: RUNS },
    );
  });

  it("argmax along any axis agrees exactly, ties included (first index wins in both)", () => {
    fc.assert(
      fc.property(shapeAxisArb(4, 1, 6), seedArb, ({ shape, axis }, seed) => {
        const x = pair(shape, seed, -2, 2, 1); // integers in [-2, 2]: many ties
        const theirs = tf.argMax(x.theirs, axis);
        x.theirs.dispose();
        const ours = x.ours.argmax(axis);
        expect(ours.dtype).toBe("int32");
        return check(ours, theirs, { atol: 0, rtol: 0 });
      }),
      { seed: 2005, numRuns: RUNS },
    );
  });
});

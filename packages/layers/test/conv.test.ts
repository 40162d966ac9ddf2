// Convolution and Pooling: TensorFlow.js (tf.conv2d, tf.maxPool, float32) as the oracle for forward
// outputs and, through tf.grads on sum(out * dout), every gradient; float64 numerical gradients
// (the book's central difference); hand-derived small cases; errors; inputs never modified.
import { beforeAll, describe, expect, it } from "vitest";
import { Rng, ShapeError, ValueError, rand, randn, tensor, zeros, type Tensor } from "@bp/tensor";
import { Convolution, Pooling, col2im, im2col, numericalGradient } from "@bp/layers";
import { expectCloseToTf, setupTfjs, tf, toTf } from "./tfjsOracle.js";

// float32 tolerances: tfjs rounds every product and partial sum to float32 (relative 6e-8 each);
// the longest sums here (dW over N * outH * outW = 2 * 4 * 4 = 32 rows, or C * FH * FW = 27 terms)
// stay well below 32 * 6e-8 * (sum of |terms|) ~ 1e-5 absolute on values of order 1-10.
const ATOL = 1e-5;
const RTOL = 1e-5;

beforeAll(setupTfjs);

const NCHW_TO_NHWC = [0, 2, 3, 1];
const NHWC_TO_NCHW = [0, 3, 1, 2];

/** Explicit NHWC padding: tfjs computes the output size of a numeric `pad` as if the filter were
 * square (its height for both sides), so non-square windows need the explicit form. */
function tfPad(pad: number): "valid" | tf.backend_util.ExplicitPadding {
  return pad === 0
    ? "valid"
    : [
        [0, 0],
        [pad, pad],
        [pad, pad],
        [0, 0],
      ];
}

/** tf.conv2d on NCHW input and [FN, C, FH, FW] filters (the book's layout), plus bias. */
function tfConv(x: tf.Tensor, W: tf.Tensor, b: tf.Tensor, stride: number, pad: number): tf.Tensor {
  const y = tf.conv2d(
    tf.transpose(x, NCHW_TO_NHWC) as tf.Tensor4D,
    tf.transpose(W, [2, 3, 1, 0]) as tf.Tensor4D,
    stride,
    tfPad(pad),
  );
  return tf.transpose(tf.add(y, b), NHWC_TO_NCHW);
}

function tfMaxPool(x: tf.Tensor, ph: number, pw: number, stride: number, pad: number): tf.Tensor {
  const y = tf.maxPool(tf.transpose(x, NCHW_TO_NHWC) as tf.Tensor4D, [ph, pw], stride, tfPad(pad));
  return tf.transpose(y, NHWC_TO_NCHW);
}

function tfGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: Tensor[], dout: Tensor) {
  const xs = inputs.map(toTf);
  const out = f(...xs);
  const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(...args), toTf(dout))))(xs);
  return { out, grads };
}

describe("Convolution against tf.conv2d (float32)", () => {
  // [x shape, FN, FH, FW, stride, pad]
  const cases: [number[], number, number, number, number, number][] = [
    [[2, 3, 7, 7], 4, 3, 3, 2, 1],
    [[2, 1, 6, 6], 3, 3, 3, 1, 0],
    [[1, 2, 5, 6], 2, 2, 3, 1, 2],
    [[3, 3, 8, 8], 5, 2, 2, 2, 0],
  ];
  for (const [shape, FN, FH, FW, stride, pad] of cases) {
    it(`x ${shape}, ${FN} filters ${FH}x${FW}, stride ${stride}, pad ${pad}`, () => {
      const rng = new Rng(shape[0]! * 31 + FN * 7 + FH + stride * 3 + pad);
      const x = randn(shape, { rng });
      const W = randn([FN, shape[1]!, FH, FW], { rng });
      const b = randn([FN], { rng });
      const layer = new Convolution(W, b, stride, pad);
      const out = layer.forward(x);
      const dout = randn([...out.shape], { rng });
      const dx = layer.backward(dout)!;
      const tfr = tfGrads((a, w, c) => tfConv(a!, w!, c!, stride, pad), [x, W, b], dout);
      expectCloseToTf(out, tfr.out, ATOL, RTOL, "out");
      expectCloseToTf(dx, tfr.grads[0]!, ATOL, RTOL, "dx");
      expectCloseToTf(layer.dW!, tfr.grads[1]!, ATOL, RTOL, "dW");
      expectCloseToTf(layer.db!, tfr.grads[2]!, ATOL, RTOL, "db");
      expect(layer.grads.W).toBe(layer.dW);
      expect(layer.params.W).toBe(W);
    });
  }
});

describe("Pooling against tf.maxPool (float32)", () => {
  // [x shape, poolH, poolW, stride, pad]. The book pads with zeros and tfjs with -Infinity, so the
  // padded cases use positive inputs (where the two agree: the padding never wins).
  const cases: [number[], number, number, number, number][] = [
    [[2, 3, 8, 8], 2, 2, 2, 0],
    [[2, 3, 7, 7], 3, 3, 2, 1],
    [[1, 4, 6, 5], 2, 3, 1, 0],
    [[3, 2, 5, 5], 3, 3, 1, 1],
  ];
  for (const [shape, ph, pw, stride, pad] of cases) {
    it(`x ${shape}, pool ${ph}x${pw}, stride ${stride}, pad ${pad}`, () => {
      const rng = new Rng(shape[0]! * 17 + ph * 5 + pw + stride * 3 + pad);
      const x = pad > 0 ? rand(shape, { rng }).add(0.1) : randn(shape, { rng });
      const layer = new Pooling(ph, pw, stride, pad);
      const out = layer.forward(x);
      const dout = randn([...out.shape], { rng });
      const dx = layer.backward(dout)!;
      const tfr = tfGrads((a) => tfMaxPool(a!, ph, pw, stride, pad), [x], dout);
      expectCloseToTf(out, tfr.out, ATOL, RTOL, "out");
      expectCloseToTf(dx, tfr.grads[0]!, ATOL, RTOL, "dx");
    });
  }
});

/** max |a - b| / max(|a|, |b|, 1e-8) elementwise. */
function maxRelativeError(a: Tensor, b: Tensor): number {
  let worst = 0;
  for (let i = 0; i < a.size; i++) {
    const x = a.data[i]!;
    const y = b.data[i]!;
    worst = Math.max(worst, Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), 1e-8));
  }
  return worst;
}

describe("float64 gradient checks (central differences, h = 1e-4)", () => {
  // The loss sum(out * dout) is linear in each of x, W, b for the convolution, so the central
  // difference is exact up to rounding (~1e-16 / 1e-4 relative): 1e-8 leaves a wide margin.
  it("Convolution: dx, dW and db, stride 2, pad 1, 3 channels", () => {
    const rng = new Rng(3);
    const x = randn([2, 3, 5, 5], { rng });
    const W = randn([2, 3, 3, 3], { rng });
    const b = randn([2], { rng });
    const layer = new Convolution(W, b, 2, 1);
    const dout = randn([...layer.forward(x).shape], { rng });
    const dx = layer.backward(dout)!;
    const loss = (): number => layer.forward(x).mul(dout).sum().item();
    expect(maxRelativeError(dx, numericalGradient(loss, x))).toBeLessThan(1e-8);
    expect(maxRelativeError(layer.dW!, numericalGradient(loss, W))).toBeLessThan(1e-8);
    expect(maxRelativeError(layer.db!, numericalGradient(loss, b))).toBeLessThan(1e-8);
  });

  it("Pooling: dx, stride 2, pad 1, 2 channels (inputs spaced so no step crosses a tie)", () => {
    // Distinct values at least 0.01 apart: a step of 1e-4 never changes which element wins, so the
    // max is linear around x and the central difference is exact up to rounding.
    const perm = new Rng(9).permutation(2 * 2 * 5 * 5);
    const x = tensor(
      Array.from(perm, (v) => v * 0.01 + 0.05),
      { shape: [2, 2, 5, 5] },
    );
    const layer = new Pooling(3, 3, 2, 1);
    const dout = randn([...layer.forward(x).shape], { seed: 10 });
    const dx = layer.backward(dout)!;
    const numeric = numericalGradient(() => layer.forward(x).mul(dout).sum().item(), x);
    expect(maxRelativeError(dx, numeric)).toBeLessThan(1e-8);
  });
});

describe("hand-derived values", () => {
  it("a 2x2 filter of ones with bias 1 sums each window; pooling picks each window's max", () => {
    // x = 1..9 as a 3x3 image. Windows of a 2x2 all-ones filter: 1+2+4+5 = 12, 2+3+5+6 = 16,
    // 4+5+7+8 = 24, 5+6+8+9 = 28; plus b = 1.
    const x = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9], { shape: [1, 1, 3, 3] });
    const conv = new Convolution(tensor([1, 1, 1, 1], { shape: [1, 1, 2, 2] }), tensor([1]));
    expect(conv.forward(x).toArray()).toEqual([
      [
        [
          [13, 17],
          [25, 29],
        ],
      ],
    ]);
    // dout all ones: db = 4 windows; dW[ky, kx] = sum of the pixels each filter tap saw
    // (tap (0,0) saw 1, 2, 4, 5 = 12); dx counts the windows covering each pixel.
    conv.backward(tensor([1, 1, 1, 1], { shape: [1, 1, 2, 2] }));
    expect(Array.from(conv.db!.data)).toEqual([4]);
    expect(Array.from(conv.dW!.data)).toEqual([12, 16, 24, 28]);
    const pool = new Pooling(2, 2, 1);
    expect(pool.forward(x).toArray()).toEqual([
      [
        [
          [5, 6],
          [8, 9],
        ],
      ],
    ]);
    // Each window's gradient goes to its max: 5 gets dout[0,0] = 1, 6 gets 2, 8 gets 3, 9 gets 4.
    const dx = pool.backward(tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2] }))!;
    expect(dx.toArray()).toEqual([
      [
        [
          [0, 0, 0],
          [0, 1, 2],
          [0, 3, 4],
        ],
      ],
    ]);
  });

  it("im2col and col2im are the book's functions on tensors", () => {
    const x = tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2] });
    expect(im2col(x, 2, 2).toArray()).toEqual([[1, 2, 3, 4]]);
    expect(im2col(x, 1, 1, 1, 0).shape).toEqual([4, 1]);
    expect(col2im(tensor([[1, 1, 1, 1]]), [1, 1, 2, 2], 2, 2).toArray()).toEqual([
      [
        [
          [1, 1],
          [1, 1],
        ],
      ],
    ]);
  });
});

describe("contract", () => {
  it("never modifies x, W, b or dout; computeDx = false skips dx", () => {
    const rng = new Rng(4);
    const x = randn([2, 2, 6, 6], { rng });
    const W = randn([3, 2, 3, 3], { rng });
    const b = randn([3], { rng });
    const copies = [x, W, b].map((t) => Float64Array.from(t.data));
    const conv = new Convolution(W, b, 1, 1);
    const pool = new Pooling(2, 2, 2);
    const h = pool.forward(conv.forward(x));
    const dout = randn([...h.shape], { rng });
    const doutCopy = Float64Array.from(dout.data);
    const dh = pool.backward(dout)!;
    const dhCopy = Float64Array.from(dh.data);
    conv.backward(dh);
    for (const [i, t] of [x, W, b].entries()) expect(Array.from(t.data)).toEqual(Array.from(copies[i]!));
    expect(Array.from(dout.data)).toEqual(Array.from(doutCopy));
    expect(Array.from(dh.data)).toEqual(Array.from(dhCopy));
    conv.computeDx = false;
    expect(conv.backward(dh)).toBeNull();
    expect(conv.dW!.shape).toEqual([3, 2, 3, 3]);
  });

  it("float32 works", () => {
    const x = randn([1, 2, 4, 4], { seed: 1, dtype: "float32" });
    const conv = new Convolution(randn([2, 2, 3, 3], { seed: 2, dtype: "float32" }), zeros([2], { dtype: "float32" }));
    const out = new Pooling(2, 2, 2).forward(conv.forward(x));
    expect(out.dtype).toBe("float32");
    expect(out.shape).toEqual([1, 2, 1, 1]);
  });

  it("bad shapes and arguments throw typed errors naming the numbers", () => {
    const W = zeros([4, 3, 3, 3]);
    expect(() => new Convolution(zeros([4, 3, 3]), zeros([4]))).toThrow(ShapeError);
    expect(() => new Convolution(W, zeros([3]))).toThrow(
      "Convolution: b must have shape [4] to match W [4, 3, 3, 3], got [3]",
    );
    expect(() => new Convolution(W, zeros([4]), 0)).toThrow(ValueError);
    expect(() => new Convolution(W, zeros([4])).forward(zeros([2, 2, 5, 5]))).toThrow(
      "Convolution.forward: x has shape [2, 2, 5, 5] but W has shape [4, 3, 3, 3]: expected [N, 3, H, W]",
    );
    expect(() => new Convolution(W, zeros([4]), 2).forward(zeros([1, 3, 6, 6]))).toThrow(
      "im2col: output height (H + 2*pad - fh) / stride + 1 = (6 + 2*0 - 3) / 2 + 1 = 2.5 is not a positive integer",
    );
    expect(() => new Convolution(W, zeros([4])).backward(zeros([1, 4, 3, 3]))).toThrow("called before forward");
    const conv = new Convolution(W, zeros([4]));
    conv.forward(zeros([1, 3, 5, 5]));
    expect(() => conv.backward(zeros([1, 4, 2, 3]))).toThrow(
      "Convolution.backward: dout has shape [1, 4, 2, 3] but the forward output has shape [1, 4, 3, 3]",
    );
    expect(() => new Pooling(0, 2)).toThrow("Pooling: poolH must be a positive integer, got 0");
    expect(() => new Pooling(2, 2, 2).forward(zeros([2, 5, 5]))).toThrow(
      "Pooling.forward: x must be 4-d [N, C, H, W], got shape [2, 5, 5]",
    );
    expect(() => new Pooling(2, 2, 2).forward(zeros([1, 1, 5, 5]))).toThrow("(5 + 2*0 - 2) / 2 + 1 = 2.5");
  });
});

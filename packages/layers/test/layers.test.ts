import { describe, expect, it } from "vitest";
import { BpError, DTypeError, ShapeError, type Tensor, arange, tensor } from "@bp/tensor";
import { Affine, Relu, Sigmoid, SoftmaxWithLoss, crossEntropyError, hasParams, softmax } from "@bp/layers";

const close = (actual: Tensor, expected: number[] | number[][], digits = 12): void => {
  const a = actual.toArray() as number[] | number[][];
  expect(a.flat().length).toBe(expected.flat().length);
  for (const [i, v] of a.flat().entries()) expect(v).toBeCloseTo(expected.flat()[i]!, digits);
};

describe("Relu", () => {
  it("zeroes negatives in forward and blocks their gradient in backward (book 5.5.1)", () => {
    const relu = new Relu();
    const x = tensor([
      [1.0, -0.5],
      [-2.0, 3.0],
    ]);
    expect(relu.forward(x).toArray()).toEqual([
      [1, 0],
      [0, 3],
    ]);
    expect(
      relu
        .backward(
          tensor([
            [10, 20],
            [30, 40],
          ]),
        )
        .toArray(),
    ).toEqual([
      [10, 0],
      [0, 40],
    ]);
  });

  it("has gradient 0 at exactly x = 0, as the book's mask (x <= 0) does", () => {
    const relu = new Relu();
    relu.forward(tensor([0, -0, 1e-300]));
    expect(relu.backward(tensor([5, 5, 5])).toArray()).toEqual([0, 0, 5]);
  });

  it("does not modify x or dout (the book writes dout[mask] = 0 in place; this layer does not)", () => {
    const relu = new Relu();
    const x = tensor([-1, 2]);
    const dout = tensor([3, 4]);
    relu.forward(x);
    relu.backward(dout);
    expect(x.toArray()).toEqual([-1, 2]);
    expect(dout.toArray()).toEqual([3, 4]);
  });

  it("refuses backward before forward and a dout of another shape", () => {
    expect(() => new Relu().backward(tensor([1]))).toThrow(BpError);
    expect(() => new Relu().backward(tensor([1]))).toThrow(
      "Relu.backward: called before forward: 'mask' is not set yet",
    );
    const relu = new Relu();
    relu.forward(tensor([1, 2]));
    expect(() => relu.backward(tensor([1, 2, 3]))).toThrow(
      "Relu.backward: dout has shape [3] but the forward input has shape [2]",
    );
  });
});

describe("Sigmoid", () => {
  it("forward is 1/(1+e^-x); backward is dout*(1-y)*y from the cached output (book 5.5.2)", () => {
    const s = new Sigmoid();
    // sigmoid(0) = 0.5, sigmoid(ln 3) = 1/(1 + 1/3) = 0.75
    close(s.forward(tensor([0, Math.log(3)])), [0.5, 0.75], 15);
    // dout = [4, 8]: 4*0.5*0.5 = 1, 8*0.25*0.75 = 1.5
    close(s.backward(tensor([4, 8])), [1, 1.5], 15);
  });

  it("refuses backward before forward", () => {
    expect(() => new Sigmoid().backward(tensor([1]))).toThrow(
      "Sigmoid.backward: called before forward: 'out' is not set yet",
    );
  });
});

describe("Affine", () => {
  const W = tensor([
    [1, 2, 3],
    [4, 5, 6],
  ]); // 2 inputs, 3 outputs
  const b = tensor([0.5, -0.5, 1]);

  it("computes x·W + b and dx = dout·Wᵀ, dW = xᵀ·dout, db = Σ dout (book 5.6.2)", () => {
    const affine = new Affine(W, b);
    const x = tensor([
      [1, 1],
      [2, -1],
    ]);
    // row 1: [1+4, 2+5, 3+6] + b = [5.5, 6.5, 10]; row 2: [2-4, 4-5, 6-6] + b = [-1.5, -1.5, 1]
    expect(affine.forward(x).toArray()).toEqual([
      [5.5, 6.5, 10],
      [-1.5, -1.5, 1],
    ]);
    const dout = tensor([
      [1, 0, 0],
      [0, 1, 1],
    ]);
    // dx row 1 = W[:,0] = [1, 4]; row 2 = W[:,1] + W[:,2] = [5, 11]
    expect(affine.backward(dout)!.toArray()).toEqual([
      [1, 4],
      [5, 11],
    ]);
    // dW = xᵀ·dout = [[1, 2, 2], [1, -1, -1]]
    expect(affine.dW?.toArray()).toEqual([
      [1, 2, 2],
      [1, -1, -1],
    ]);
    expect(affine.db?.toArray()).toEqual([1, 1, 1]);
    expect(affine.grads.W).toBe(affine.dW);
    expect(affine.params.W).toBe(W);
    expect(hasParams(affine)).toBe(true);
  });

  it("flattens an N-d input and gives dx back in the input's shape", () => {
    const Wbig = arange(12).reshape([4, 3]);
    const affine = new Affine(Wbig, tensor([0, 0, 0]));
    const x = arange(8).reshape([2, 2, 2]); // two samples of 2x2 -> rows of 4
    const out = affine.forward(x);
    expect(out.shape).toEqual([2, 3]);
    // row 0 = [0,1,2,3]·W = [0*0+1*3+2*6+3*9, ...] = [42, 48, 54]
    expect(out.toArray()).toEqual([
      [42, 48, 54],
      [114, 136, 158],
    ]);
    const dx = affine.backward(
      tensor([
        [1, 0, 0],
        [0, 0, 1],
      ]),
    )!;
    expect(dx.shape).toEqual([2, 2, 2]);
    // dx[0] = W[:,0] = [0, 3, 6, 9]; dx[1] = W[:,2] = [2, 5, 8, 11]
    expect(dx.toArray()).toEqual([
      [
        [0, 3],
        [6, 9],
      ],
      [
        [2, 5],
        [8, 11],
      ],
    ]);
  });

  it("computeDx: false fills dW and db but returns null", () => {
    const affine = new Affine(W, b, { computeDx: false });
    affine.forward(tensor([[1, 1]]));
    expect(affine.backward(tensor([[1, 2, 3]]))).toBeNull();
    expect(affine.dW?.toArray()).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(affine.db?.toArray()).toEqual([1, 2, 3]);
  });

  it("says which shapes do not fit", () => {
    const affine = new Affine(W, b);
    expect(() => affine.forward(tensor([[1, 2, 3]]))).toThrow(ShapeError);
    expect(() => affine.forward(tensor([[1, 2, 3]]))).toThrow(
      "Affine.forward: x has shape [1, 3] but W has shape [2, 3]",
    );
    expect(() => affine.forward(tensor([[1, 2]], { dtype: "float32" }))).toThrow(DTypeError);
    expect(() => new Affine(W, tensor([1, 2]))).toThrow("Affine: b must have shape [3] to match W [2, 3], got [2]");
    expect(() => new Affine(W, b).backward(tensor([[1, 2, 3]]))).toThrow("Affine.backward: called before forward");
    expect(() => new Affine(W, b).grads).toThrow("Affine.grads: called before forward: 'dW' is not set yet");
  });

  it("does not modify x, dout, W or b", () => {
    const affine = new Affine(W, b);
    const x = tensor([[1, 2]]);
    const dout = tensor([[1, 1, 1]]);
    affine.forward(x);
    affine.backward(dout);
    expect([x.toArray(), dout.toArray(), W.toArray(), b.toArray()]).toEqual([
      [[1, 2]],
      [[1, 1, 1]],
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      [0.5, -0.5, 1],
    ]);
  });
});

describe("softmax", () => {
  it("matches the book's example (section 3.5.1)", () => {
    // book: softmax([0.3, 2.9, 4.0]) = [0.01821127 0.24519181 0.73659691]
    close(softmax(tensor([0.3, 2.9, 4.0])), [0.01821127, 0.24519181, 0.73659691], 8);
  });

  it("does not overflow on large scores (book section 3.5.2)", () => {
    // book: [1010, 1000, 990] -> [9.99954600e-01 4.53978686e-05 2.06106005e-09]
    const y = softmax(tensor([1010, 1000, 990]));
    expect(y.get(0)).toBeCloseTo(9.999546e-1, 7);
    expect(y.get(1) / 4.53978686e-5).toBeCloseTo(1, 7);
    expect(y.get(2) / 2.06106005e-9).toBeCloseTo(1, 7);
  });

  it("works row by row on 2-d input (each row sums to 1)", () => {
    const y = softmax(
      tensor([
        [0, 0],
        [1000, 1000 + Math.log(3)],
      ]),
    );
    // row 2: e^0 : e^ln3 = 1 : 3
    close(
      y,
      [
        [0.5, 0.5],
        [0.25, 0.75],
      ],
      12,
    ); // 1000 + ln 3 is stored to ~1e-13
  });
});

describe("crossEntropyError", () => {
  it("matches the book's values (section 4.2.2)", () => {
    const t = tensor([0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    // book: 0.51082545709933802 and 2.3025840929945458, i.e. -log(0.6 + 1e-7) and -log(0.1 + 1e-7)
    expect(crossEntropyError(tensor([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]), t)).toBe(
      0.51082545709933802,
    );
    expect(crossEntropyError(tensor([0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0]), t)).toBe(2.3025840929945458);
  });

  it("takes one-hot or int32 class labels and averages over the batch", () => {
    const y = tensor([
      [0.5, 0.5],
      [0.25, 0.75],
    ]);
    // (-log(0.5 + 1e-7) - log(0.75 + 1e-7)) / 2
    const expected = -(Math.log(0.5 + 1e-7) + Math.log(0.75 + 1e-7)) / 2;
    expect(
      crossEntropyError(
        y,
        tensor([
          [1, 0],
          [0, 1],
        ]),
      ),
    ).toBeCloseTo(expected, 15);
    expect(crossEntropyError(y, tensor([0, 1], { dtype: "int32" }))).toBeCloseTo(expected, 15);
  });

  it("says what labels it expected", () => {
    const y = tensor([[0.5, 0.5]]);
    expect(() => crossEntropyError(y, tensor([2], { dtype: "int32" }))).toThrow(
      "crossEntropyError: label 2 at position 0 is not a class index in [0, 2)",
    );
    expect(() => crossEntropyError(y, tensor([1, 0, 0]))).toThrow(
      "one-hot labels t must have the shape of the scores [1, 2], got [3]",
    );
  });
});

describe("SoftmaxWithLoss", () => {
  const x = tensor([
    [0, Math.log(3)],
    [2, 2],
  ]); // softmax rows [0.25, 0.75] and [0.5, 0.5]

  it("forward gives the cross-entropy of softmax; backward (y - t) / N for both label kinds (book 5.6.3)", () => {
    for (const t of [
      tensor([
        [0, 1],
        [1, 0],
      ]),
      tensor([1, 0], { dtype: "int32" }),
    ]) {
      const layer = new SoftmaxWithLoss();
      const loss = layer.forward(x, t);
      expect(loss).toBeCloseTo(-(Math.log(0.75 + 1e-7) + Math.log(0.5 + 1e-7)) / 2, 14);
      // (y - t) / 2 = [[0.25, -0.25] / 2, [-0.5, 0.5] / 2]
      close(
        layer.backward(),
        [
          [0.125, -0.125],
          [-0.25, 0.25],
        ],
        14,
      );
      // dout scales the gradient
      close(
        layer.backward(2),
        [
          [0.25, -0.25],
          [-0.5, 0.5],
        ],
        14,
      );
    }
  });

  it("handles a single 1-d sample", () => {
    const layer = new SoftmaxWithLoss();
    const loss = layer.forward(tensor([0, Math.log(3)]), tensor(1, { dtype: "int32" }));
    expect(loss).toBeCloseTo(-Math.log(0.75 + 1e-7), 14);
    close(layer.backward(), [0.25, -0.25], 14);
  });

  it("refuses backward before forward", () => {
    expect(() => new SoftmaxWithLoss().backward()).toThrow(
      "SoftmaxWithLoss.backward: called before forward: 'y' is not set yet",
    );
  });
});

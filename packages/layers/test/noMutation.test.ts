// No layer modifies its inputs, its parameters or the dout it is given (the book's Relu writes
// dout[mask] = 0 in place; these layers must not): every layer, on seeded random values.
import { describe, expect, it } from "vitest";
import { Rng, randn, tensor, type Tensor } from "@bp/tensor";
import { AddLayer, Affine, BatchNormalization, Dropout, MulLayer, Relu, Sigmoid, SoftmaxWithLoss } from "@bp/layers";

const rng = new Rng(5);
const r = (...shape: number[]): Tensor => randn(shape, { rng });

/** Each case: the tensors involved, and a forward + backward pass over them. */
const cases: [string, Tensor[], (a: Tensor[]) => void][] = [
  [
    "Relu",
    [r(3, 4), r(3, 4)],
    ([x, d]) => {
      const l = new Relu();
      l.forward(x!);
      l.backward(d!);
    },
  ],
  [
    "Sigmoid",
    [r(3, 4), r(3, 4)],
    ([x, d]) => {
      const l = new Sigmoid();
      l.forward(x!);
      l.backward(d!);
    },
  ],
  [
    "Affine",
    [r(4, 2), r(2), r(3, 2, 2), r(3, 2)],
    ([W, b, x, d]) => {
      const l = new Affine(W!, b!);
      l.forward(x!);
      l.backward(d!);
    },
  ],
  [
    "MulLayer",
    [r(3, 4), r(4), r(3, 4)],
    ([x, y, d]) => {
      const l = new MulLayer();
      l.forward(x!, y!);
      l.backward(d!);
    },
  ],
  [
    "AddLayer",
    [r(3, 4), r(3, 4), r(3, 4)],
    ([x, y, d]) => {
      const l = new AddLayer();
      l.forward(x!, y!);
      l.backward(d!);
    },
  ],
  [
    "BatchNormalization (its parameters; the running statistics are state it updates)",
    [r(4), r(4), r(3, 2, 2), r(3, 2, 2)],
    ([gamma, beta, x, d]) => {
      const l = new BatchNormalization(gamma!, beta!);
      l.forward(x!);
      l.backward(d!);
      l.forward(x!, false);
    },
  ],
  [
    "Dropout",
    [r(3, 4), r(3, 4)],
    ([x, d]) => {
      const l = new Dropout(new Rng(1));
      l.forward(x!);
      l.backward(d!);
      l.forward(x!, false);
    },
  ],
  [
    "SoftmaxWithLoss",
    [r(3, 4), tensor([0, 3, 1], { dtype: "int32" }), tensor([0, 3, 1], { dtype: "int32" }).oneHot(4)],
    ([x, t, oneHot]) => {
      const l = new SoftmaxWithLoss();
      l.forward(x!, t!);
      l.backward(2);
      l.forward(x!, oneHot!);
      l.backward();
    },
  ],
];

describe("no layer modifies its arguments", () => {
  for (const [name, args, run] of cases) {
    it(name, () => {
      const before = args.map((t) => Array.from(t.data));
      run(args);
      expect(args.map((t) => Array.from(t.data))).toEqual(before);
    });
  }
});

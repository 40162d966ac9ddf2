import { describe, expect, it } from "vitest";
import { BpError, ShapeError, type Tensor, tensor } from "@bp/tensor";
import { AddLayer, MulLayer } from "@bp/layers";

const arr = (v: number | Tensor): unknown => (typeof v === "number" ? v : v.toArray());

describe("MulLayer", () => {
  it("multiplies numbers and swaps them in backward", () => {
    const m = new MulLayer();
    expect(m.forward(3, 4)).toBe(12);
    // d(xy)/dx = y, d(xy)/dy = x, times dout = 2
    expect(m.backward(2)).toEqual([8, 6]);
  });

  it("multiplies tensors element-wise", () => {
    const m = new MulLayer();
    const x = tensor([1, 2, 3]);
    const y = tensor([4, 5, 6]);
    expect(m.forward(x, y).toArray()).toEqual([4, 10, 18]);
    const [dx, dy] = m.backward(tensor([1, 10, 100]));
    expect(arr(dx)).toEqual([4, 50, 600]); // dout * y
    expect(arr(dy)).toEqual([1, 20, 300]); // dout * x
  });

  it("sums a broadcast gradient back to each input's shape", () => {
    const m = new MulLayer();
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]); // [2, 3]
    const y = tensor([10, 20, 30]); // [3], broadcast over rows
    m.forward(x, y);
    const [dx, dy] = m.backward(
      tensor([
        [1, 1, 1],
        [1, 1, 1],
      ]),
    );
    expect(arr(dx)).toEqual([
      [10, 20, 30],
      [10, 20, 30],
    ]);
    // dy_j = sum_i dout_ij * x_ij = column sums of x
    expect(arr(dy)).toEqual([5, 7, 9]);
  });

  it("gives a number gradient for a number input multiplied with a tensor", () => {
    const m = new MulLayer();
    const out = m.forward(tensor([1, 2, 3]), 2);
    expect(out.toArray()).toEqual([2, 4, 6]);
    const [dx, dy] = m.backward(tensor([1, 1, 1]));
    expect(arr(dx)).toEqual([2, 2, 2]);
    expect(dy).toBe(6); // 1 + 2 + 3
  });

  it("does not modify its inputs or dout", () => {
    const m = new MulLayer();
    const x = tensor([1, -2]);
    const y = tensor([3, 4]);
    const dout = tensor([5, 6]);
    m.forward(x, y);
    const [dx, dy] = m.backward(dout);
    expect([x.toArray(), y.toArray(), dout.toArray()]).toEqual([
      [1, -2],
      [3, 4],
      [5, 6],
    ]);
    expect(dx).not.toBe(dout);
    expect(dy).not.toBe(dout);
  });

  it("refuses backward before forward and a dout of the wrong kind or shape", () => {
    expect(() => new MulLayer().backward(1)).toThrow(BpError);
    expect(() => new MulLayer().backward(1)).toThrow("MulLayer.backward: called before forward: 'x' is not set yet");
    const m = new MulLayer();
    m.forward(tensor([1, 2]), tensor([3, 4]));
    expect(() => m.backward(1)).toThrow(
      "forward returned a Tensor of shape [2], so dout must be a Tensor of that shape",
    );
    expect(() => m.backward(tensor([1, 2, 3]))).toThrow(ShapeError);
    expect(() => m.backward(tensor([1, 2, 3]))).toThrow("dout has shape [3] but the forward output has shape [2]");
    const n = new MulLayer();
    n.forward(2, 3);
    expect(() => n.backward(tensor(1))).toThrow("forward returned a number, so dout must be a number");
  });
});

describe("AddLayer", () => {
  it("adds numbers and passes dout to both", () => {
    const a = new AddLayer();
    expect(a.forward(3, 4)).toBe(7);
    expect(a.backward(2.5)).toEqual([2.5, 2.5]);
  });

  it("returns two new tensors, neither being dout", () => {
    const a = new AddLayer();
    a.forward(tensor([1, 2]), tensor([3, 4]));
    const dout = tensor([7, 8]);
    const [dx, dy] = a.backward(dout);
    expect(arr(dx)).toEqual([7, 8]);
    expect(arr(dy)).toEqual([7, 8]);
    expect(dx).not.toBe(dout);
    expect(dy).not.toBe(dout);
    expect(dx).not.toBe(dy);
  });

  it("sums a broadcast gradient (a bias added to every row)", () => {
    const a = new AddLayer();
    a.forward(
      tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      tensor([[10], [20], [30]]),
    );
    const [dx, dy] = a.backward(
      tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
    );
    expect(arr(dx)).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(arr(dy)).toEqual([[3], [7], [11]]); // row sums of dout, shape [3, 1]
  });

  it("refuses backward before forward", () => {
    expect(() => new AddLayer().backward(1)).toThrow("AddLayer.backward: called before forward");
  });
});

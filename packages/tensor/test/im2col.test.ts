// im2col/col2im: argument validation (typed errors naming the numbers) and bitwise parity of the
// worker backend with cpu, with the rows of im2col and the planes of col2im split between threads.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DTypeError,
  ShapeError,
  ValueError,
  randn,
  tensor,
  zeros,
  type FloatDType,
  type Tensor,
} from "../src/index.js";
import { type WorkerBackend, createWorkerBackend } from "../src/worker/node.js";
import { splitEveryOp } from "../src/worker/internals.js";

describe("im2col and col2im validate their arguments", () => {
  const x = zeros([2, 3, 7, 7]);

  it("names H, pad, fh and stride when the output size is not an integer", () => {
    // (7 + 2*0 - 3) / 2 + 1 = 3 is fine; (7 + 2*1 - 4) / 2 + 1 = 3.5 is not.
    expect(x.im2col(3, 3, 2, 0).shape).toEqual([2 * 3 * 3, 3 * 3 * 3]);
    expect(() => x.im2col(4, 3, 2, 1)).toThrow(ShapeError);
    expect(() => x.im2col(4, 3, 2, 1)).toThrow(
      "im2col: output height (H + 2*pad - fh) / stride + 1 = (7 + 2*1 - 4) / 2 + 1 = 3.5 is not a positive integer (input [2, 3, 7, 7], fh 4, stride 2, pad 1)",
    );
    expect(() => x.im2col(3, 4, 2, 1)).toThrow(
      "im2col: output width (W + 2*pad - fw) / stride + 1 = (7 + 2*1 - 4) / 2 + 1 = 3.5",
    );
    // A filter larger than the padded input leaves no window at all.
    expect(() => x.im2col(10, 3)).toThrow("(7 + 2*0 - 10) / 1 + 1 = -2 is not a positive integer");
  });

  it("rejects bad ranks, filter sizes, strides, pads and dtypes", () => {
    expect(() => zeros([3, 7, 7]).im2col(3, 3)).toThrow(ShapeError);
    expect(() => zeros([3, 7, 7]).im2col(3, 3)).toThrow("im2col: needs an input of shape [N, C, H, W], got [3, 7, 7]");
    expect(() => x.im2col(0, 3)).toThrow(ValueError);
    expect(() => x.im2col(0, 3)).toThrow("im2col: filterH must be a positive integer, got 0");
    expect(() => x.im2col(3, 1.5)).toThrow("im2col: filterW must be a positive integer, got 1.5");
    expect(() => x.im2col(3, 3, 0)).toThrow("im2col: stride must be a positive integer, got 0");
    expect(() => x.im2col(3, 3, 1, -1)).toThrow("im2col: pad must be a non-negative integer, got -1");
    expect(() => zeros([1, 1, 3, 3], { dtype: "int32" }).im2col(2, 2)).toThrow(DTypeError);
  });

  it("col2im checks col against the input shape and window", () => {
    const col = zeros([18, 27]);
    expect(col.col2im([2, 3, 7, 7], 3, 3, 2, 0).shape).toEqual([2, 3, 7, 7]);
    expect(() => col.col2im([2, 3, 7, 7], 3, 3, 1, 0)).toThrow(ShapeError);
    expect(() => col.col2im([2, 3, 7, 7], 3, 3, 1, 0)).toThrow(
      "col2im: col has shape [18, 27] but input [2, 3, 7, 7] with 3x3 windows, stride 1 and pad 0 needs [50, 27]",
    );
    expect(() => col.col2im([2, 3, 7], 3, 3)).toThrow("col2im: needs an input of shape [N, C, H, W], got [2, 3, 7]");
    expect(() => col.col2im([2, 3, 7, 7], 4, 3, 2, 1)).toThrow("col2im: output height");
    expect(() => col.col2im([2, -3, 7, 7], 3, 3)).toThrow(ShapeError);
  });

  it("never modifies its input", () => {
    const a = tensor([1, 2, 3, 4], { shape: [1, 1, 2, 2] });
    const col = a.im2col(2, 2, 1, 1);
    col.col2im([1, 1, 2, 2], 2, 2, 1, 1);
    expect(Array.from(a.data)).toEqual([1, 2, 3, 4]);
    expect(col.sum().item()).toBe(4 * (1 + 2 + 3 + 4));
  });
});

describe("im2col and col2im on the worker backend equal cpu bit for bit", () => {
  let worker: WorkerBackend;
  beforeAll(async () => {
    worker = await createWorkerBackend({ threads: 3 }).then(splitEveryOp);
  });
  afterAll(() => worker.dispose());

  const same = (a: Tensor, b: Tensor): void => {
    expect(a.backend.name).toBe("worker");
    expect(a.shape).toEqual(b.shape);
    expect(a.dtype).toBe(b.dtype);
    const x = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
    const y = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
    let differ = x.length === y.length ? -1 : 0;
    for (let i = 0; i < x.length && differ === -1; i++)
      if (x[i] !== y[i]) differ = Math.floor(i / a.data.BYTES_PER_ELEMENT);
    expect(differ === -1 ? "identical" : `differs at element ${differ}: ${a.data[differ]} vs ${b.data[differ]}`).toBe(
      "identical",
    );
  };

  // [input shape, fh, fw, stride, pad]: single images and rows, the book's conv and pool layers.
  const cases: [number[], number, number, number, number][] = [
    [[1, 1, 10, 10], 3, 3, 1, 0],
    [[2, 3, 7, 7], 3, 3, 2, 1],
    [[5, 2, 9, 6], 3, 2, 1, 2],
    [[20, 1, 28, 28], 5, 5, 1, 0],
    [[20, 30, 24, 24], 2, 2, 2, 0],
  ];
  for (const dtype of ["float64", "float32"] as FloatDType[]) {
    for (const [shape, fh, fw, stride, pad] of cases) {
      it(`${dtype} ${shape} ${fh}x${fw} stride ${stride} pad ${pad}`, () => {
        const x = randn(shape, { seed: shape[0]! * 100 + fh, dtype });
        const col = x.im2col(fh, fw, stride, pad);
        same(x.to(worker).im2col(fh, fw, stride, pad), col);
        const dcol = randn([...col.shape], { seed: 7, dtype });
        same(dcol.to(worker).col2im(shape, fh, fw, stride, pad), dcol.col2im(shape, fh, fw, stride, pad));
      });
    }
  }

  it("with the default split policy on the book's conv layer (split) and a small case (inline)", async () => {
    const auto = await createWorkerBackend({ threads: 2 });
    const x = randn([100, 1, 28, 28], { seed: 3 });
    same(x.to(auto).im2col(5, 5), x.im2col(5, 5));
    const dcol = randn([100 * 24 * 24, 25], { seed: 4 });
    same(dcol.to(auto).col2im([100, 1, 28, 28], 5, 5), dcol.col2im([100, 1, 28, 28], 5, 5));
    const small = randn([1, 1, 4, 4], { seed: 5 });
    same(small.to(auto).im2col(2, 2), small.im2col(2, 2));
    expect(auto.stats).toEqual({ split: 2, inline: 1 });
    auto.dispose();
  });
});

describe("takeAlongLastAxis and putAlongLastAxis validate their arguments", () => {
  const x = zeros([2, 3]);
  const idx = tensor([0, 2], { dtype: "int32" });
  it("typed errors naming the shapes and values", () => {
    expect(() => x.takeAlongLastAxis(tensor([0, 1, 2], { dtype: "int32" }))).toThrow(
      "takeAlongLastAxis: indices have shape [3] but [2] is needed for values of shape [2, 3]",
    );
    expect(() => x.takeAlongLastAxis(tensor([0, 3], { dtype: "int32" }))).toThrow(
      "takeAlongLastAxis: index 3 at position 1 is not an integer in [0, 3)",
    );
    expect(() => x.takeAlongLastAxis(tensor([0, 1]))).toThrow(DTypeError);
    expect(() => zeros([2]).putAlongLastAxis(idx, 0)).toThrow(
      "putAlongLastAxis: depth must be a positive integer, got 0",
    );
    expect(() => zeros([2]).putAlongLastAxis(idx, 2)).toThrow(
      "putAlongLastAxis: index 2 at position 1 is not an integer in [0, 2)",
    );
    expect(() => zeros([3]).putAlongLastAxis(idx, 3)).toThrow(ShapeError);
  });
});

describe("takeAlongLastAxis and putAlongLastAxis on the worker backend equal cpu bit for bit", () => {
  it("split between three threads", async () => {
    const worker = await createWorkerBackend({ threads: 3 }).then(splitEveryOp);
    try {
      const x = randn([5000, 4], { seed: 11 });
      const am = x.argmax(1);
      const a = x.to(worker).takeAlongLastAxis(am.to(worker));
      expect(Array.from(a.data)).toEqual(Array.from(x.takeAlongLastAxis(am).data));
      const v = randn([5000], { seed: 12, dtype: "float32" });
      const p = v.to(worker).putAlongLastAxis(am.to(worker), 4);
      expect(Array.from(p.data)).toEqual(Array.from(v.putAlongLastAxis(am, 4).data));
    } finally {
      worker.dispose();
    }
  });
});

// Bad input gets a typed error whose message names the op, what was wrong (shapes, values,
// positions) and what was expected.
import { describe, expect, it } from "vitest";
import {
  BackendError,
  BpError,
  CpuBackend,
  DTypeError,
  IndexError,
  Rng,
  ShapeError,
  Tensor,
  ValueError,
  arange,
  full,
  ones,
  rand,
  randn,
  tensor,
  zeros,
  type Backend,
} from "../src/index.js";

type ErrorClass = typeof ShapeError | typeof DTypeError | typeof IndexError | typeof ValueError | typeof BackendError;

/** fn throws `type` for `op`, and the message contains every fragment. */
function expectError(fn: () => unknown, type: ErrorClass, op: string, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${type.name} from ${op}`).toBeInstanceOf(type);
  const err = caught as BpError;
  expect(err).toBeInstanceOf(BpError);
  expect(err.name).toBe(type.name);
  expect(err.op).toBe(op);
  expect(err.message.startsWith(`${op}: `), err.message).toBe(true);
  for (const f of fragments) expect(err.message).toContain(f);
}

/** A second backend: a separate CpuBackend instance named "other". */
function otherBackend(): Backend {
  const backend = new CpuBackend();
  Object.defineProperty(backend, "name", { value: "other" });
  return backend;
}

describe("ShapeError", () => {
  it("broadcast mismatch names both shapes and the clashing dimension", () => {
    expectError(
      () => tensor([[1, 2, 3]]).add(tensor([1, 2])),
      ShapeError,
      "add",
      "[1, 3]",
      "[2]",
      "do not broadcast",
      "3 in one and 2 in the other",
      "must match or one must be 1",
    );
    expectError(() => ones([2, 3, 4]).mul(ones([3, 5])), ShapeError, "mul", "[2, 3, 4]", "[3, 5]", "dimension 2");
    expectError(() => ones([2]).gt(ones([3])), ShapeError, "gt", "[2]", "[3]");
    expectError(() => ones([2, 3]).where(ones([4]), 0), ShapeError, "where", "[4]", "[2, 3]");
  });

  it("matmul mismatch names the (transposed) shapes and the inner dimensions", () => {
    expectError(
      () => ones([100, 783]).matmul(ones([784, 50])),
      ShapeError,
      "matmul",
      "a has shape [100, 783]",
      "b has shape [784, 50]",
      "inner dimensions 783 and 784 must match",
    );
    expectError(
      () => ones([3, 2]).matmul(ones([3, 4]), { transposeA: true, transposeB: true }),
      ShapeError,
      "matmul",
      "a^T has shape [2, 3]",
      "b^T has shape [4, 3]",
      "3 and 4",
    );
    expectError(() => ones([3]).matmul(ones([3, 1])), ShapeError, "matmul", "needs 2-d tensors", "[3]", "[3, 1]");
  });

  it("bad axes name the axis, the shape and the valid range", () => {
    const x = ones([2, 3]);
    expectError(() => x.sum(2), ShapeError, "sum", "axis 2 is out of range for shape [2, 3]", "[-2, 1]");
    expectError(() => x.max(-3), ShapeError, "max", "axis -3", "[-2, 1]");
    expectError(() => x.min(0.5), ShapeError, "min", "axis 0.5");
    expectError(() => x.mean(7), ShapeError, "mean", "axis 7");
    expectError(() => x.argmax(2), ShapeError, "argmax", "axis 2");
    expectError(() => tensor(3).argmax(), ShapeError, "argmax", "rank at least 1");
    expectError(() => x.transpose([0, 2]), ShapeError, "transpose", "axis 2");
    expectError(() => x.transpose([1, 1]), ShapeError, "transpose", "repeats axis 1");
    expectError(() => x.transpose([0]), ShapeError, "transpose", "perm [0]", "2 axes");
  });

  it("reductions over nothing say so instead of returning -Infinity or NaN", () => {
    expectError(() => zeros([0, 3]).max(), ShapeError, "max", "empty tensor [0, 3]");
    expectError(() => zeros([2, 0]).min(1), ShapeError, "min", "axis 1 of length 0", "[2, 0]");
    expectError(() => zeros([0]).mean(), ShapeError, "mean", "zero elements");
    expectError(() => zeros([3, 0]).argmax(), ShapeError, "argmax", "length 0", "[3, 0]");
  });

  it("ragged nested arrays name the position and the expected length", () => {
    expectError(() => tensor([[1, 2], [3]]), ShapeError, "tensor", "ragged", "element at [1] has length 1, expected 2");
    expectError(
      () => tensor([[1, 2], 3] as never),
      ShapeError,
      "tensor",
      "ragged",
      "element at [1] is a number, expected an array of length 2",
    );
    expectError(
      () =>
        tensor([
          [[1], [2]],
          [[3], [4, 5]],
        ]),
      ShapeError,
      "tensor",
      "element at [1, 1] has length 2, expected 1",
    );
  });

  it("data length that does not match the shape", () => {
    expectError(
      () => tensor(new Float64Array(5), { shape: [2, 3] }),
      ShapeError,
      "tensor",
      "5 elements",
      "[2, 3]",
      "needs 6",
    );
    expectError(() => new Tensor(new Float32Array(4), [3]), ShapeError, "Tensor", "4 elements", "[3] needs 3");
    expectError(
      () => tensor([1, 2, 3], { shape: [2, 2] }),
      ShapeError,
      "reshape",
      "[3] (3 elements)",
      "[2, 2] (4 elements)",
    );
    expectError(() => arange(6).reshape([4, -1]), ShapeError, "reshape", "[6]", "[4, -1]");
    expectError(() => arange(6).reshape([-1, -1]), ShapeError, "reshape", "only one dimension may be -1");
    expectError(() => zeros([2, -1]), ShapeError, "zeros", "[2, -1]", "non-negative integers");
    expectError(() => ones([1.5]), ShapeError, "ones", "non-negative integers");
    expectError(() => arange(6).assign(arange(5)), ShapeError, "assign", "[5]", "[6]");
    expectError(() => ones([2]).item(), ShapeError, "item", "exactly one element", "[2]");
  });
});

describe("DTypeError", () => {
  it("mixed dtypes name both dtypes and shapes and how to fix it", () => {
    const f64 = ones([2]);
    const f32 = ones([2], { dtype: "float32" });
    expectError(() => f64.add(f32), DTypeError, "add", "float64 [2]", "float32 [2]", ".cast(dtype)");
    expectError(() => f32.matmul(ones([2, 1]).reshape([2, 1]).cast("float64")), DTypeError, "matmul");
    expectError(
      () => ones([2, 2], { dtype: "float32" }).matmul(ones([2, 2])),
      DTypeError,
      "matmul",
      "float32 [2, 2]",
      "float64 [2, 2]",
    );
    expectError(() => f64.where(ones([2]), f32), DTypeError, "where", "float64", "float32");
    expectError(() => f64.assign(f32), DTypeError, "assign", "float32", "float64");
  });

  it("int32 into float-only ops names the op and the tensor", () => {
    const labels = tensor([1, 2, 3], { dtype: "int32" });
    for (const op of ["exp", "log", "sqrt", "reciprocal", "sigmoid", "tanh"] as const) {
      expectError(() => labels.unary(op), DTypeError, op, "needs a float32 or float64 tensor", "int32 [3]");
    }
    expectError(() => labels.exp(), DTypeError, "exp", "int32 [3]");
    expectError(() => labels.mean(), DTypeError, "mean", "int32 [3]");
    expectError(() => labels.reshape([3, 1]).matmul(labels.reshape([1, 3])), DTypeError, "matmul", "int32 [3, 1]");
  });

  it("unknown dtypes and data of the wrong array type", () => {
    expectError(
      () => tensor([1], { dtype: "float16" as never }),
      DTypeError,
      "tensor",
      "float16",
      "float64, float32 or int32",
    );
    expectError(() => ones([2]).cast("uint8" as never), DTypeError, "cast", "uint8");
    expectError(() => new Tensor(new Float32Array(2), [2], "float64"), DTypeError, "Tensor", "Float32Array", "float64");
  });
});

describe("IndexError", () => {
  const x = tensor([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);

  it("gather: non-integer, negative and out-of-range rows name the value, position and range", () => {
    expectError(() => x.gather([0, 3]), IndexError, "gather", "row 3 at position 1", "[0, 3)");
    expectError(() => x.gather([-1]), IndexError, "gather", "row -1 at position 0");
    expectError(() => x.gather([1.5]), IndexError, "gather", "row 1.5", "not an integer");
    expectError(() => x.gather(tensor([2, NaN])), IndexError, "gather", "row NaN at position 1");
    expectError(
      () => x.gather(tensor([[0]], { dtype: "int32" })),
      ShapeError,
      "gather",
      "indices must be 1-d",
      "[1, 1]",
    );
  });

  it("oneHot: class indices outside [0, depth) and bad depths", () => {
    expectError(
      () => tensor([2, 5], { dtype: "int32" }).oneHot(4),
      IndexError,
      "oneHot",
      "class index 5 at position 1",
      "[0, 4)",
    );
    expectError(() => tensor([0.5]).oneHot(2), IndexError, "oneHot", "class index 0.5");
    expectError(
      () => tensor([1], { dtype: "int32" }).oneHot(0),
      ValueError,
      "oneHot",
      "depth must be a positive integer, got 0",
    );
    expectError(() => tensor([1], { dtype: "int32" }).oneHot(2.5), ValueError, "oneHot", "got 2.5");
    expectError(() => tensor([[1]], { dtype: "int32" }).oneHot(2), ShapeError, "oneHot", "1-d", "[1, 1]");
  });

  it("get: wrong number of indices and indices out of range", () => {
    expectError(() => x.get(3, 0), IndexError, "get", "index 3 is out of range for axis 0 of shape [3, 2]");
    expectError(() => x.get(0), IndexError, "get", "1 entries", "rank 2");
  });
});

describe("ValueError", () => {
  it("non-numbers in nested arrays and non-integers for int32", () => {
    expectError(() => tensor([1, [2]] as never), ValueError, "tensor", "element at [1] is an array, expected a number");
    expectError(() => tensor([1, "a"] as never), ValueError, "tensor", "element at [1] is string");
    expectError(() => tensor([[1, 2.5]], { dtype: "int32" }), ValueError, "tensor", "value 2.5 at [0, 1]", "int32");
    expectError(
      () => tensor(new Float64Array([1, 2.5]), { dtype: "int32" }),
      ValueError,
      "tensor",
      "value 2.5 at [1]",
      "int32",
    );
    expectError(() => tensor([3e9], { dtype: "int32" }), ValueError, "tensor", "value 3000000000", "int32 range");
    expectError(() => full([2], 0.5, { dtype: "int32" }), ValueError, "full", "value 0.5", "int32");
  });

  it("operands that are not tensors", () => {
    expectError(() => ones([2]).add([1, 2] as never), ValueError, "add", "an array (wrap it with tensor(...))");
    expectError(() => ones([2]).where([1, 0] as never, 0), ValueError, "where", "condition must be a Tensor");
    expectError(() => ones([2]).assign(null as never), ValueError, "assign", "null");
  });

  it("bad factory and generator arguments", () => {
    expectError(() => arange(0, 1, 0), ValueError, "arange", "non-zero step", "step=0");
    expectError(() => arange(0, Infinity), ValueError, "arange", "stop=Infinity");
    expectError(() => randn([2], { seed: NaN }), ValueError, "randn", "seed must be an integer in [0, 2^53), got NaN");
    expectError(() => rand([2], { seed: Infinity }), ValueError, "rand", "Infinity");
    expectError(() => new Rng(1).int(0), ValueError, "Rng.int", "got 0");
  });
});

describe("BackendError", () => {
  it("operands on different backends name both backends and how to fix it", () => {
    const other = otherBackend();
    const a = ones([2]);
    const b = ones([2], { backend: other });
    expectError(() => a.add(b), BackendError, "add", "'cpu' and 'other'", ".to(backend)");
    expectError(() => b.matmul(ones([2, 1]).reshape([1, 2])), BackendError, "matmul", "'other' and 'cpu'");
    expectError(() => a.where(ones([2], { backend: other }), 1), BackendError, "where", "'other'", "'cpu'");
    // .to() is the fix
    expect(Array.from(a.add(b.to(a.backend)).data)).toEqual([2, 2]);
  });
});

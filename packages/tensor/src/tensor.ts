import type { Backend } from "./backend.js";
import { cpu } from "./cpu.js";
import type { DType, FloatDType, TypedArray } from "./dtype.js";
import { dtypeOfArray, isDType, isFloatDType } from "./dtype.js";
import { BackendError, DTypeError, IndexError, ShapeError, ValueError } from "./errors.js";
import { INT_UNARY_OPS, firstNonFiniteImpl, type BinaryOp, type ReduceOp, type UnaryOp } from "./kernels/index.js";
import type { Shape } from "./shape.js";
import {
  broadcastShapes,
  checkOptions,
  checkShape,
  checkSize,
  describeValue,
  formatShape,
  normalizeAxis,
  sameShape,
  sizeOf,
  stridesOf,
} from "./shape.js";
import { formatTensor } from "./format.js";
import { windowGeometry } from "./window.js";
import { tracking } from "./track.js";

export type TensorOrNumber = Tensor | number;

/** The undisposed tensors that hold storage an op of a backend made: the op's result and its
 * `reshape` views share one of these, and the storage goes back to the backend when the last of
 * them is disposed. */
interface Holders {
  count: number;
}
/** Storage given to the constructor from outside: it may be another tensor's, so no tensor
 * recycles it (checked once, when the last holder of some op's storage is disposed). */
const foreign = new WeakSet<TypedArray>();
/** Set by `ownedTensor` and `reshape` for the one constructor call they make (which clears it
 * first thing): the holders the new tensor joins (null: storage nobody recycles). */
let internal = false;
let joining: Holders | null = null;
export interface MatmulOptions {
  /** Read `this` transposed (no copy is made). */
  transposeA?: boolean;
  /** Read `other` transposed (no copy is made). */
  transposeB?: boolean;
}

/**
 * An n-dimensional array: contiguous row-major `data`, a `shape`, a `dtype` and the `backend` that
 * made it and runs its ops. Ops are methods that return new tensors and never modify `this` or
 * their arguments; the only in-place method is `assign`, and `data` is exposed for code that
 * deliberately writes elements (numerical gradients).
 *
 * Operands of one op must share a backend and a dtype; numbers are taken as scalars of the
 * tensor's dtype.
 */
export class Tensor {
  readonly shape: Shape;
  readonly dtype: DType;
  /** The backend that made this tensor and runs its ops. */
  readonly backend: Backend;
  readonly size: number;
  /** Whether dispose() has run. */
  #disposed = false;
  /** Who holds this tensor's storage when an op made it (see `Holders`), else null. */
  #holders: Holders | null = null;
  /** The elements, row-major. Declared last on purpose: `dispose()` deletes this own property, and
   * deleting the property an object got last only steps it back to the shape it had before (a
   * fraction of a microsecond, where redefining it as an accessor took one); a disposed tensor then
   * reads `data` from the prototype's getter, which throws (see below the class). */
  readonly data: TypedArray;

  constructor(data: TypedArray, shape: Shape, dtype: DType = dtypeOfArray(data), backend: Backend = cpu) {
    if (internal) {
      // ownedTensor: storage a backend just allocated for this shape and dtype, which the op or
      // factory validated before allocating (about 0.3 us less per result than the checks below);
      // or a reshape view, whose shape reshape validated.
      internal = false;
      this.#holders = joining;
      joining = null;
    } else {
      checkShape("Tensor", shape);
      const size = sizeOf(shape);
      if (data.length !== size) {
        throw new ShapeError(
          "Tensor",
          `data has ${data.length} elements but shape ${formatShape(shape)} needs ${size}`,
        );
      }
      if (dtypeOfArray(data) !== dtype) {
        throw new DTypeError("Tensor", `data is a ${data.constructor.name} but dtype is ${dtype}`);
      }
      // Storage given from outside may be another tensor's: then neither may recycle it.
      foreign.add(data);
    }
    // A frozen shape (another tensor's) cannot change under this one; any other is copied.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze([...shape]);
    this.dtype = dtype;
    this.backend = backend;
    this.size = data.length;
    this.data = data;
    tracking.made?.push(this); // under track() (track.ts): listed as made
  }

  get rank(): number {
    return this.shape.length;
  }

  /** Row-major strides, in elements. */
  get strides(): number[] {
    return stridesOf(this.shape);
  }

  /** A tensor of fresh storage that an op of this backend made (so `dispose()` may recycle it). */
  private make(data: TypedArray, shape: Shape, dtype: DType = this.dtype): Tensor {
    return ownedTensor(data, shape, dtype, this.backend);
  }

  // ---- lifetime -----------------------------------------------------------------------------

  /**
   * Declares this tensor dead: any later use of it (its `data`, or an op on it) throws a
   * `ValueError`, and when an op of its backend made its storage and every tensor sharing it (the
   * op's result and its `reshape` views) has been disposed, the backend may hand that storage to a
   * later op of the same size instead of allocating (cpu keeps a pool, see `BufferPool`; wasm a
   * heap in its module's memory). Storage the constructor was given is never recycled, so the only
   * way a buffer is reused is that every tensor holding it was disposed. Call it only on tensors you
   * made and nobody else holds (a function's temporaries); disposing twice does nothing.
   *
   * Without it nothing changes: the garbage collector frees unused tensors as before.
   */
  dispose(): void {
    if (this.#disposed) return;
    const data = this.data;
    this.#disposed = true;
    // From now on `data` is the prototype's getter, which throws.
    delete (this as { data?: TypedArray }).data;
    const holders = this.#holders;
    if (holders !== null && --holders.count === 0 && !foreign.has(data)) this.backend.release?.(this.dtype, data);
  }

  /** Whether `dispose()` has run on this tensor. */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** A tensor operand, or a number turned into a scalar of this tensor's dtype and backend (listed
   * by `track` as made; the op disposes it once it has read it). */
  private operand(op: string, other: TensorOrNumber): Tensor {
    if (typeof other === "number") {
      const data = allocFor(op, this.backend, this.dtype, 1);
      data[0] = other;
      return this.make(data, []);
    }
    if (!(other instanceof Tensor)) {
      throw new ValueError(op, `expected a Tensor or a number, got ${describeValue(other)}`);
    }
    this.checkPartner(op, other);
    return other;
  }

  private checkPartner(op: string, other: Tensor): void {
    if (other.backend !== this.backend) {
      throw new BackendError(
        op,
        `operands live on different backends ('${this.backend.name}' and '${other.backend.name}'); move one with .to(backend)`,
      );
    }
    if (other.dtype !== this.dtype) {
      throw new DTypeError(
        op,
        `operands have different dtypes (${this.dtype} ${formatShape(this.shape)} and ${other.dtype} ${formatShape(other.shape)}); convert one with .cast(dtype)`,
      );
    }
  }

  private requireFloat(op: string): FloatDType {
    if (!isFloatDType(this.dtype)) {
      throw new DTypeError(op, `needs a float32 or float64 tensor, got ${this.dtype} ${formatShape(this.shape)}`);
    }
    return this.dtype;
  }

  // ---- element-wise unary -------------------------------------------------------------------

  /** Any unary op by name (see `UnaryOp`). */
  unary(op: UnaryOp): Tensor {
    if (this.dtype === "int32" && !INT_UNARY_OPS.has(op)) this.requireFloat(op);
    return this.make(this.backend.unary(op, this), this.shape);
  }
  neg(): Tensor {
    return this.unary("neg");
  }
  exp(): Tensor {
    return this.unary("exp");
  }
  log(): Tensor {
    return this.unary("log");
  }
  sqrt(): Tensor {
    return this.unary("sqrt");
  }
  abs(): Tensor {
    return this.unary("abs");
  }
  square(): Tensor {
    return this.unary("square");
  }
  reciprocal(): Tensor {
    return this.unary("reciprocal");
  }
  relu(): Tensor {
    return this.unary("relu");
  }
  /** 1 where x > 0, else 0 (0 at exactly 0). */
  step(): Tensor {
    return this.unary("step");
  }
  sigmoid(): Tensor {
    return this.unary("sigmoid");
  }
  tanh(): Tensor {
    return this.unary("tanh");
  }
  sign(): Tensor {
    return this.unary("sign");
  }

  // ---- element-wise binary with broadcasting ------------------------------------------------

  /** Any binary op by name (see `BinaryOp`), with NumPy broadcasting. */
  binary(op: BinaryOp, other: TensorOrNumber): Tensor {
    const b = this.operand(op, other);
    const outShape = sameOr(broadcastShapes(op, this.shape, b.shape), this.shape, b.shape);
    const out = this.make(this.backend.binary(op, this, b, outShape), outShape);
    if (b !== other) b.dispose(); // a number's one-element tensor, read by this op only: its storage serves the next
    return out;
  }
  add(other: TensorOrNumber): Tensor {
    return this.binary("add", other);
  }
  sub(other: TensorOrNumber): Tensor {
    return this.binary("sub", other);
  }
  mul(other: TensorOrNumber): Tensor {
    return this.binary("mul", other);
  }
  div(other: TensorOrNumber): Tensor {
    return this.binary("div", other);
  }
  pow(other: TensorOrNumber): Tensor {
    return this.binary("pow", other);
  }
  maximum(other: TensorOrNumber): Tensor {
    return this.binary("maximum", other);
  }
  minimum(other: TensorOrNumber): Tensor {
    return this.binary("minimum", other);
  }
  /** 1 where equal, else 0, in this tensor's dtype. */
  eq(other: TensorOrNumber): Tensor {
    return this.binary("eq", other);
  }
  ne(other: TensorOrNumber): Tensor {
    return this.binary("ne", other);
  }
  lt(other: TensorOrNumber): Tensor {
    return this.binary("lt", other);
  }
  le(other: TensorOrNumber): Tensor {
    return this.binary("le", other);
  }
  gt(other: TensorOrNumber): Tensor {
    return this.binary("gt", other);
  }
  ge(other: TensorOrNumber): Tensor {
    return this.binary("ge", other);
  }

  /** Element-wise `condition != 0 ? this : other`, all three broadcast together (PyTorch's
   * `Tensor.where`). `condition` may have any dtype. */
  where(condition: Tensor, other: TensorOrNumber): Tensor {
    const b = this.operand("where", other);
    if (!(condition instanceof Tensor)) {
      throw new ValueError("where", `condition must be a Tensor, got ${describeValue(condition)}`);
    }
    if (condition.backend !== this.backend) {
      throw new BackendError(
        "where",
        `condition lives on backend '${condition.backend.name}', values on '${this.backend.name}'`,
      );
    }
    const outShape = sameOr(
      broadcastShapes("where", broadcastShapes("where", condition.shape, this.shape), b.shape),
      this.shape,
      condition.shape,
    );
    const out = this.make(this.backend.where(condition, this, b, outShape), outShape);
    if (b !== other) b.dispose(); // as in `binary`
    return out;
  }

  // ---- reductions ---------------------------------------------------------------------------

  private reduceOp(op: ReduceOp, axis: number | null, keepDims: boolean): Tensor {
    if (axis === null) {
      if (op !== "sum" && this.size === 0) {
        throw new ShapeError(op, `cannot take the ${op} of an empty tensor ${formatShape(this.shape)}`);
      }
      const flat = { data: this.data, shape: [this.size], dtype: this.dtype };
      const out = this.backend.reduce(op, flat, 0);
      return this.make(out, keepDims ? this.shape.map(() => 1) : []);
    }
    const ax = normalizeAxis(op, axis, this.shape);
    if (op !== "sum" && this.shape[ax] === 0) {
      throw new ShapeError(
        op,
        `cannot take the ${op} along axis ${axis} of length 0 (shape ${formatShape(this.shape)})`,
      );
    }
    const out = this.backend.reduce(op, this, ax);
    return this.make(out, reducedShape(this.shape, ax, keepDims));
  }

  /** Sum over all elements (axis null, the default) or along one axis. */
  sum(axis: number | null = null, keepDims = false): Tensor {
    return this.reduceOp("sum", axis, keepDims);
  }
  max(axis: number | null = null, keepDims = false): Tensor {
    return this.reduceOp("max", axis, keepDims);
  }
  min(axis: number | null = null, keepDims = false): Tensor {
    return this.reduceOp("min", axis, keepDims);
  }
  /** Mean over all elements or along one axis (sum divided by the count). */
  mean(axis: number | null = null, keepDims = false): Tensor {
    this.requireFloat("mean");
    const count = axis === null ? this.size : this.shape[normalizeAxis("mean", axis, this.shape)]!;
    if (count === 0)
      throw new ShapeError("mean", `cannot average over zero elements (shape ${formatShape(this.shape)})`);
    return this.sum(axis, keepDims).div(count);
  }
  /** Index of the first maximum along `axis` (default: the last), as an int32 tensor. */
  argmax(axis = -1, keepDims = false): Tensor {
    if (this.rank === 0) throw new ShapeError("argmax", "needs a tensor of rank at least 1, got a scalar");
    const ax = normalizeAxis("argmax", axis, this.shape);
    if (this.shape[ax] === 0)
      throw new ShapeError("argmax", `axis ${axis} has length 0 (shape ${formatShape(this.shape)})`);
    return this.make(this.backend.argmax(this, ax), reducedShape(this.shape, ax, keepDims), "int32");
  }

  // ---- linear algebra and layout ------------------------------------------------------------

  /** Matrix product of two 2-d tensors; `transposeA`/`transposeB` read an operand transposed
   * without copying it. */
  matmul(other: Tensor, options: MatmulOptions = {}): Tensor {
    const op = "matmul";
    checkOptions(op, options, "options");
    this.requireFloat(op);
    if (!(other instanceof Tensor)) throw new ValueError(op, `b must be a 2-d Tensor, got ${describeValue(other)}`);
    this.operand(op, other);
    const tA = options.transposeA ?? false;
    const tB = options.transposeB ?? false;
    if (this.rank !== 2 || other.rank !== 2) {
      throw new ShapeError(
        op,
        `needs 2-d tensors, got a with shape ${formatShape(this.shape)} and b with shape ${formatShape(other.shape)}`,
      );
    }
    const ka = tA ? this.shape[0]! : this.shape[1]!;
    const kb = tB ? other.shape[1]! : other.shape[0]!;
    if (ka !== kb) {
      const an = tA ? "a^T" : "a";
      const bn = tB ? "b^T" : "b";
      throw new ShapeError(
        op,
        `${an} has shape ${formatShape(tA ? [this.shape[1]!, this.shape[0]!] : this.shape)} but ${bn} has shape ${formatShape(tB ? [other.shape[1]!, other.shape[0]!] : other.shape)}: inner dimensions ${ka} and ${kb} must match`,
      );
    }
    const m = tA ? this.shape[1]! : this.shape[0]!;
    const n = tB ? other.shape[0]! : other.shape[1]!;
    checkSize(op, [m, n]);
    return this.make(this.backend.matmul(this, other, tA, tB), [m, n]);
  }

  /** Axes permuted by `perm` (default: reversed). */
  transpose(perm?: readonly number[]): Tensor {
    const rank = this.rank;
    if (perm !== undefined && !Array.isArray(perm))
      throw new ShapeError("transpose", `perm must be an array of axes, got ${describeValue(perm)}`);
    const p = perm ?? this.shape.map((_, i) => rank - 1 - i);
    if (p.length !== rank) {
      throw new ShapeError(
        "transpose",
        `perm [${p.join(", ")}] must list each of the ${rank} axes of shape ${formatShape(this.shape)} once`,
      );
    }
    // Loops rather than map and a Set: a layer transposes a few times a step, too rarely for the
    // engine's optimizing compiler, and callbacks cost most in the code it runs until then.
    const axes = new Array<number>(rank);
    for (let i = 0; i < rank; i++) axes[i] = normalizeAxis("transpose", p[i]!, this.shape);
    for (let i = 1; i < rank; i++) {
      const ax = axes[i]!;
      for (let j = 0; j < i; j++)
        if (axes[j] === ax) throw new ShapeError("transpose", `perm [${p.join(", ")}] repeats axis ${ax}`);
    }
    const outShape = new Array<number>(rank);
    for (let i = 0; i < rank; i++) outShape[i] = this.shape[axes[i]!]!;
    return this.make(this.backend.transpose(this, axes), outShape);
  }

  /** The same data with another shape (one dimension may be -1). Shares storage with `this`. */
  reshape(shape: readonly number[]): Tensor {
    if (!Array.isArray(shape)) checkShape("reshape", shape);
    const s = [...shape];
    const free = s.indexOf(-1);
    if (free !== -1) {
      if (s.indexOf(-1, free + 1) !== -1)
        throw new ShapeError("reshape", `only one dimension may be -1, got ${formatShape(shape)}`);
      let rest = 1;
      for (let i = 0; i < s.length; i++) if (i !== free) rest *= s[i]!;
      if (rest === 0 || this.size % rest !== 0) {
        throw new ShapeError(
          "reshape",
          `cannot reshape ${formatShape(this.shape)} (${this.size} elements) to ${formatShape(shape)}`,
        );
      }
      s[free] = this.size / rest;
    }
    checkShape("reshape", s);
    if (sizeOf(s) !== this.size) {
      throw new ShapeError(
        "reshape",
        `cannot reshape ${formatShape(this.shape)} (${this.size} elements) to ${formatShape(shape)} (${sizeOf(s)} elements)`,
      );
    }
    // Two tensors now share the storage: it goes back to the backend only when both are disposed.
    const data = this.data;
    const holders = this.#holders;
    if (holders !== null) holders.count++;
    internal = true;
    joining = holders;
    return new Tensor(data, Object.freeze(s), this.dtype, this.backend); // s is this call's own array
  }

  /** Rows of this tensor along axis 0 picked by `indices` (an int32 tensor, an array or an
   * Int32Array of integers in [0, shape[0])). Used to take minibatches. */
  gather(indices: Tensor | ArrayLike<number>): Tensor {
    if (this.rank === 0) throw new ShapeError("gather", "needs a tensor of rank at least 1, got a scalar");
    const idx = toIndexArray("gather", indices, this.shape[0]!, "row");
    return this.make(this.backend.gather(this, idx), [idx.length, ...this.shape.slice(1)]);
  }

  /**
   * The book's `im2col` of this [N, C, H, W] float tensor: one row per window position (image, oy, ox)
   * holding the window's C * filterH * filterW values (channel, ky, kx), the input padded with `pad`
   * zeros on every side. The result is [N * outH * outW, C * filterH * filterW] with
   * outH = (H + 2*pad - filterH) / stride + 1 (a ShapeError unless it is a positive integer).
   */
  im2col(filterH: number, filterW: number, stride = 1, pad = 0): Tensor {
    this.requireFloat("im2col");
    const g = windowGeometry("im2col", this.shape, filterH, filterW, stride, pad);
    return this.make(this.backend.im2col(this, g), [g.n * g.outH * g.outW, g.c * filterH * filterW]);
  }

  /**
   * The book's `col2im`, the adjoint of `im2col`: this [N * outH * outW, C * filterH * filterW]
   * tensor's values are added back into the input positions their windows read, giving a tensor of
   * `inputShape` ([N, C, H, W]); values that fell on the padding are dropped.
   */
  col2im(inputShape: readonly number[], filterH: number, filterW: number, stride = 1, pad = 0): Tensor {
    this.requireFloat("col2im");
    checkShape("col2im", inputShape);
    const g = windowGeometry("col2im", inputShape, filterH, filterW, stride, pad);
    const expected = [g.n * g.outH * g.outW, g.c * filterH * filterW];
    if (!sameShape(this.shape, expected)) {
      throw new ShapeError(
        "col2im",
        `col has shape ${formatShape(this.shape)} but input ${formatShape(inputShape)} with ${filterH}x${filterW} windows, stride ${stride} and pad ${pad} needs ${formatShape(expected)}`,
      );
    }
    return this.make(this.backend.col2im(this, g), inputShape);
  }

  /**
   * One value per row along the last axis: out[..., ] = this[..., indices[...]] (NumPy's
   * `take_along_axis` on the last axis with one index per row). `indices` is an int32 tensor of
   * this tensor's shape without its last axis, each in [0, last axis length). Max pooling reads each
   * window's maximum this way from its argmax.
   */
  takeAlongLastAxis(indices: Tensor): Tensor {
    const op = "takeAlongLastAxis";
    const depth = this.alongAxisDepth(op, indices, this.shape.slice(0, -1));
    const idx = flatIndices(op, indices, depth);
    return this.make(this.backend.takeAlongLastAxis(this, idx), indices.shape);
  }

  /**
   * The adjoint of `takeAlongLastAxis`: a new last axis of `depth`, holding this tensor's value at
   * `indices` (int32, this tensor's shape, each in [0, depth)) and 0 elsewhere (NumPy's
   * `put_along_axis` into zeros). Max pooling's backward routes each gradient to its window's maximum
   * this way.
   */
  putAlongLastAxis(indices: Tensor, depth: number): Tensor {
    const op = "putAlongLastAxis";
    if (!Number.isInteger(depth) || depth <= 0)
      throw new ValueError(op, `depth must be a positive integer, got ${depth}`);
    this.alongAxisDepth(op, indices, this.shape);
    // The kernel checks the indices in its own pass (an IndexError naming the first bad one, and no
    // result): int32 storage passes as it is (backends only read indices), with no scan here.
    const idx = indices.data as Int32Array;
    return this.make(this.backend.putAlongLastAxis(this, idx, depth), [...this.shape, depth]);
  }

  /** Checks the indices of take/putAlongLastAxis (int32, same backend, `shape`); the last axis length. */
  private alongAxisDepth(op: string, indices: Tensor, shape: Shape): number {
    if (!(indices instanceof Tensor))
      throw new ValueError(op, `indices must be a Tensor, got ${describeValue(indices)}`);
    if (indices.dtype !== "int32") throw new DTypeError(op, `indices must be int32, got ${indices.dtype}`);
    if (indices.backend !== this.backend)
      throw new BackendError(op, `indices live on '${indices.backend.name}', values on '${this.backend.name}'`);
    if (this.rank === 0) throw new ShapeError(op, "needs a tensor of rank at least 1, got a scalar");
    if (!sameShape(indices.shape, shape))
      throw new ShapeError(
        op,
        `indices have shape ${formatShape(indices.shape)} but ${formatShape(shape)} is needed for values of shape ${formatShape(this.shape)}`,
      );
    return this.shape[this.rank - 1]!;
  }

  /** One-hot rows from this 1-d tensor of class indices in [0, depth). */
  oneHot(depth: number, dtype: FloatDType | "int32" = "float64"): Tensor {
    if (!Number.isInteger(depth) || depth <= 0)
      throw new ValueError("oneHot", `depth must be a positive integer, got ${depth}`);
    if (this.rank !== 1)
      throw new ShapeError("oneHot", `needs a 1-d tensor of class indices, got shape ${formatShape(this.shape)}`);
    checkSize("oneHot", [this.size, depth]);
    const idx = toIndexArray("oneHot", this, depth, "class index");
    return ownedTensor(this.backend.oneHot(idx, depth, dtype), [idx.length, depth], dtype, this.backend);
  }

  /** A copy converted to `dtype` (a copy even when the dtype is the same). */
  cast(dtype: DType): Tensor {
    if (!isDType(dtype))
      throw new DTypeError("cast", `unknown dtype ${String(dtype)} (expected float64, float32 or int32)`);
    return this.make(this.backend.cast(this, dtype), this.shape, dtype);
  }

  /** A copy with its own storage on the same backend. */
  clone(): Tensor {
    return this.cast(this.dtype);
  }

  /** A copy of this tensor on another backend (the same tensor if it is already there). */
  to(backend: Backend): Tensor {
    if (backend === this.backend) return this;
    const data = allocFor("to", backend, this.dtype, this.size);
    data.set(this.data);
    return new Tensor(data, this.shape, this.dtype, backend);
  }

  /**
   * Copies `source` into this tensor's storage, in place. Shapes must match exactly. This is how
   * optimizers update parameters that layers hold (the book's `params[key] -= lr * grad[key]`).
   */
  assign(source: Tensor): this {
    if (!(source instanceof Tensor)) throw new ValueError("assign", `expected a Tensor, got ${describeValue(source)}`);
    if (source.dtype !== this.dtype) {
      throw new DTypeError("assign", `source has dtype ${source.dtype} but the target has ${this.dtype}`);
    }
    if (!sameShape(source.shape, this.shape)) {
      throw new ShapeError(
        "assign",
        `source has shape ${formatShape(source.shape)} but the target has ${formatShape(this.shape)}`,
      );
    }
    this.data.set(source.data);
    return this;
  }

  // ---- reading values -----------------------------------------------------------------------

  /** The flat index of the first NaN or ±Infinity, or -1 when every element is finite (int32
   * tensors always are). A training loop's divergence check: about twice as fast as a
   * `Number.isFinite` loop over `data`. */
  firstNonFinite(): number {
    return this.backend.firstNonFinite?.(this) ?? firstNonFiniteImpl(this.data, 0, this.size);
  }

  /** Whether every element is finite (no NaN, no ±Infinity). */
  allFinite(): boolean {
    return this.firstNonFinite() === -1;
  }

  /** The value of a one-element tensor. */
  item(): number {
    if (this.size !== 1)
      throw new ShapeError("item", `needs a tensor with exactly one element, got shape ${formatShape(this.shape)}`);
    return this.data[0]!;
  }

  /** The element at a multi-index (negative indices count from the end). */
  get(...index: number[]): number {
    if (index.length !== this.rank) {
      throw new IndexError(
        "get",
        `index [${index.join(", ")}] has ${index.length} entries, tensor has rank ${this.rank}`,
      );
    }
    let flat = 0;
    const strides = this.strides;
    for (let d = 0; d < index.length; d++) {
      const dim = this.shape[d]!;
      let i = index[d]!;
      if (!Number.isInteger(i) || i < -dim || i >= dim) {
        throw new IndexError("get", `index ${i} is out of range for axis ${d} of shape ${formatShape(this.shape)}`);
      }
      if (i < 0) i += dim;
      flat += i * strides[d]!;
    }
    return this.data[flat]!;
  }

  /** Nested arrays of numbers (a number for a scalar). */
  toArray(): NestedArray {
    if (this.rank === 0) return this.data[0]!;
    const build = (dim: number, offset: number): NestedArray[] | number[] => {
      const n = this.shape[dim]!;
      if (dim === this.rank - 1) return Array.from(this.data.subarray(offset, offset + n));
      const stride = this.strides[dim]!;
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) out.push(build(dim + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  toString(): string {
    return formatTensor(this);
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** `data` of a disposed tensor, whose own `data` property `dispose()` deleted: every use of the
 * tensor (reading `data`, or an op, which reads it) throws this ValueError. A live tensor's own
 * property hides this getter, so nothing changes for live tensors (not even what `toEqual` compares). */
Object.defineProperty(Tensor.prototype, "data", {
  configurable: true,
  enumerable: false,
  get(this: Tensor): never {
    throw new ValueError(
      "Tensor",
      `this ${this.dtype} ${formatShape(this.shape)} tensor was disposed and cannot be read or used in an op; dispose() only the tensors nobody uses any more`,
    );
  },
});

export type NestedArray = number | NestedArray[];

/** An operand's shape (frozen, so the result shares it instead of freezing a copy) when it equals
 * the broadcast `shape`, else `shape`. */
function sameOr(shape: Shape, a: Shape, b: Shape): Shape {
  if (sameShape(shape, a)) return a;
  return sameShape(shape, b) ? b : shape;
}

function reducedShape(shape: Shape, axis: number, keepDims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (i !== axis) out.push(shape[i]!);
    else if (keepDims) out.push(1);
  }
  return out;
}

/**
 * A tensor holding storage that a backend just allocated for it and nobody else holds (an op's
 * result, a factory's fresh buffer): `dispose()` may hand that storage back to the backend, as for
 * an op's result. Internal to @bp/tensor (not exported from the package): `new Tensor(data, ...)`
 * from outside keeps treating its storage as foreign.
 */
export function ownedTensor(data: TypedArray, shape: Shape, dtype: DType, backend: Backend): Tensor {
  // Storage a backend hands out again (its pool's or its heap's arrays are reused whole) is no
  // longer what some constructor call was given.
  foreign.delete(data);
  internal = true;
  joining = { count: 1 };
  return new Tensor(data, shape, dtype, backend);
}

/** `backend.alloc(dtype, size)` for `op`: a backend that can no longer compute (a disposed worker
 * backend) refuses to make storage, and its BackendError then names `op`. */
export function allocFor(op: string, backend: Backend, dtype: DType, size: number): TypedArray {
  try {
    return backend.alloc(dtype, size);
  } catch (e) {
    if (e instanceof BackendError && e.op === "alloc") throw new BackendError(op, e.message.slice("alloc: ".length));
    throw e;
  }
}

/** `indices` (any shape) as validated flat int32 indices in [0, limit). A flat view made for the
 * check is disposed right after it (its share of the storage would keep the indices' storage from
 * ever returning to the backend); the returned array is the indices' own storage, which stays. */
function flatIndices(op: string, indices: Tensor, limit: number): Int32Array {
  if (indices.rank === 1) return toIndexArray(op, indices, limit, "index");
  const flat = indices.reshape([indices.size]);
  try {
    return toIndexArray(op, flat, limit, "index");
  } finally {
    flat.dispose();
  }
}

/** Validates integer indices in [0, limit) and returns them as an Int32Array. */
export function toIndexArray(op: string, indices: Tensor | ArrayLike<number>, limit: number, what: string): Int32Array {
  let values: ArrayLike<number>;
  if (indices instanceof Tensor) {
    if (indices.rank !== 1) throw new ShapeError(op, `indices must be 1-d, got shape ${formatShape(indices.shape)}`);
    values = indices.data;
    if (values instanceof Int32Array) {
      // int32 data are integers already: check the range only, and pass the tensor's own storage
      // (backends only read indices), without a copy.
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        if (v < 0 || v >= limit)
          throw new IndexError(op, `${what} ${v} at position ${i} is not an integer in [0, ${limit})`);
      }
      return values;
    }
  } else {
    if (typeof indices !== "object" || indices === null || typeof indices.length !== "number")
      throw new IndexError(op, `indices must be a Tensor or an array of integers, got ${describeValue(indices)}`);
    values = indices;
  }
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= limit) {
      throw new IndexError(op, `${what} ${v} at position ${i} is not an integer in [0, ${limit})`);
    }
    out[i] = v;
  }
  return out;
}

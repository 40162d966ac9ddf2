import type { Backend } from "./backend.js";
import { cpu } from "./cpu.js";
import type { DType, TypedArray } from "./dtype.js";
import { DEFAULT_DTYPE, dtypeOfArray, isDType } from "./dtype.js";
import { DTypeError, ShapeError, ValueError } from "./errors.js";
import { Rng, checkSeed } from "./random.js";
import type { Shape } from "./shape.js";
import { checkOptions, checkShape, describeValue, formatShape, sizeOf } from "./shape.js";
import { type NestedArray, type Tensor, allocFor, ownedTensor } from "./tensor.js";

export interface CreateOptions {
  /** Element type; default float64 (or the typed array's own type for `tensor(typedArray)`). */
  dtype?: DType;
  /** Where the tensor lives and its ops run; default the shared `cpu` backend. */
  backend?: Backend;
}

export interface RandomOptions extends CreateOptions {
  /** A seed for a fresh `Rng`; ignored when `rng` is given. Default 0. */
  seed?: number;
  /** A generator to draw from (advances it), so several tensors can share one stream. */
  rng?: Rng;
}

function resolve(opts: CreateOptions, fallback: DType = DEFAULT_DTYPE): { dtype: DType; backend: Backend } {
  const dtype = opts.dtype ?? fallback;
  if (!isDType(dtype))
    throw new DTypeError("tensor", `unknown dtype ${String(dtype)} (expected float64, float32 or int32)`);
  return { dtype, backend: opts.backend ?? cpu };
}

function filled(shape: Shape, opts: CreateOptions, fill: (data: TypedArray) => void, op: string): Tensor {
  checkShape(op, shape);
  const { dtype, backend } = resolve(opts);
  const data = allocate(op, backend, dtype, shape);
  fill(data);
  return ownedTensor(data, shape, dtype, backend);
}

/**
 * Storage for `shape`: memory the backend cannot give (the engine's RangeError, or the backend's own
 * `alloc` ValueError) becomes a ValueError naming this op and the shape.
 */
function allocate(op: string, backend: Backend, dtype: DType, shape: Shape): TypedArray {
  try {
    return allocFor(op, backend, dtype, sizeOf(shape));
  } catch (e) {
    if (!(e instanceof RangeError || (e instanceof ValueError && e.op === "alloc"))) throw e;
    const why = e instanceof RangeError ? e.message : "out of memory";
    throw new ValueError(
      op,
      `cannot allocate shape ${formatShape(shape)} of ${dtype} (${sizeOf(shape)} elements): ${why}`,
    );
  }
}

/**
 * A tensor from a number, nested arrays of numbers, or a typed array (1-d unless `shape` is given).
 * Data is always copied into the backend's storage, which `dispose()` may recycle (as for every
 * factory here: their storage is fresh from the backend, like an op's result).
 */
export function tensor(
  values: number | NestedArray | ArrayLike<number>,
  opts: CreateOptions & { shape?: Shape } = {},
): Tensor {
  checkOptions("tensor", opts, "options");
  if (ArrayBuffer.isView(values)) {
    const arr = values as unknown as TypedArray;
    const fallback =
      arr instanceof Float64Array || arr instanceof Float32Array || arr instanceof Int32Array
        ? dtypeOfArray(arr)
        : DEFAULT_DTYPE;
    const { dtype, backend } = resolve(opts, fallback);
    const shape = opts.shape ?? [arr.length];
    checkShape("tensor", shape);
    if (sizeOf(shape) !== arr.length) {
      throw new ShapeError(
        "tensor",
        `typed array has ${arr.length} elements but shape ${formatShape(shape)} needs ${sizeOf(shape)}`,
      );
    }
    if (dtype === "int32" && !(arr instanceof Int32Array)) {
      for (let i = 0; i < arr.length; i++) checkInt32("tensor", arr[i]!, `[${i}]`);
    }
    const data = allocFor("tensor", backend, dtype, arr.length);
    data.set(arr);
    return ownedTensor(data, shape, dtype, backend);
  }
  const { dtype, backend } = resolve(opts);
  const shape = inferShape(values as NestedArray);
  const data = allocFor("tensor", backend, dtype, sizeOf(shape));
  let pos = 0;
  const fill = (v: NestedArray, path: number[]): void => {
    if (typeof v === "number") {
      if (dtype === "int32") checkInt32("tensor", v, `[${path.join(", ")}]`);
      data[pos++] = v;
      return;
    }
    for (let i = 0; i < v.length; i++) fill(v[i]!, [...path, i]);
  };
  fill(values as NestedArray, []);
  const t = ownedTensor(data, shape, dtype, backend);
  if (opts.shape === undefined) return t;
  // The view is the one tensor returned: the inferred-shape original lets go of its share.
  const view = t.reshape(opts.shape);
  t.dispose();
  return view;
}

/** Refuses a value an int32 tensor cannot hold exactly (instead of truncating or wrapping it). */
function checkInt32(op: string, v: number, where: string): void {
  if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) {
    throw new ValueError(
      op,
      `value ${v} at ${where} is not an integer in the int32 range [-2^31, 2^31), but dtype is int32`,
    );
  }
}

/** The shape of nested arrays; throws on ragged nesting or non-numbers, naming the position. */
function inferShape(values: NestedArray): number[] {
  const shape: number[] = [];
  let v: NestedArray = values;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0]!;
  }
  const check = (x: unknown, depth: number, path: number[]): void => {
    const where = `[${path.join(", ")}]`;
    if (depth === shape.length) {
      if (typeof x !== "number") {
        throw new ValueError(
          "tensor",
          `element at ${where} is ${Array.isArray(x) ? "an array" : typeof x}, expected a number (nesting is ragged or holds non-numbers)`,
        );
      }
      return;
    }
    if (!Array.isArray(x)) {
      throw new ShapeError(
        "tensor",
        `ragged nested array: element at ${where} is a ${typeof x}, expected an array of length ${shape[depth]}`,
      );
    }
    if (x.length !== shape[depth]) {
      throw new ShapeError(
        "tensor",
        `ragged nested array: element at ${where} has length ${x.length}, expected ${shape[depth]} (as at [${path.map(() => 0).join(", ")}])`,
      );
    }
    for (let i = 0; i < x.length; i++) check(x[i], depth + 1, [...path, i]);
  };
  check(values, 0, []);
  return shape;
}

export function zeros(shape: Shape, opts: CreateOptions = {}): Tensor {
  checkOptions("zeros", opts, "options");
  return filled(shape, opts, () => {}, "zeros");
}

export function ones(shape: Shape, opts: CreateOptions = {}): Tensor {
  checkOptions("ones", opts, "options");
  return filled(shape, opts, (d) => d.fill(1), "ones");
}

export function full(shape: Shape, value: number, opts: CreateOptions = {}): Tensor {
  checkOptions("full", opts, "options");
  if (typeof value !== "number") throw new ValueError("full", `value must be a number, got ${describeValue(value)}`);
  if (opts.dtype === "int32") checkInt32("full", value, "(the fill value)");
  return filled(shape, opts, (d) => d.fill(value), "full");
}

/** Values start, start+step, ... below stop (NumPy's arange); `arange(n)` is 0..n-1. */
export function arange(start: number, stop?: number, step = 1, opts: CreateOptions = {}): Tensor {
  checkOptions("arange", opts, "options");
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop];
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !Number.isFinite(step) || step === 0) {
    throw new ValueError(
      "arange",
      `needs finite start/stop and a non-zero step, got start=${lo} stop=${hi} step=${step}`,
    );
  }
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  return filled(
    [n],
    opts,
    (d) => {
      for (let i = 0; i < n; i++) d[i] = lo + i * step;
    },
    "arange",
  );
}

function rngOf(op: string, opts: RandomOptions): Rng {
  if (opts.rng !== undefined) {
    if (!(opts.rng instanceof Rng)) throw new ValueError(op, `rng must be an Rng, got ${describeValue(opts.rng)}`);
    return opts.rng;
  }
  const seed = opts.seed ?? 0;
  checkSeed(op, seed);
  return new Rng(seed);
}

/** Refuses a distribution parameter that is not a finite number (it would fill the tensor with NaN). */
function checkFinite(op: string, name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isFinite(v))
    throw new ValueError(op, `${name} must be a finite number, got ${describeValue(v)}`);
  return v;
}

/** Normal samples with the given mean and standard deviation, drawn in float64 from the seeded
 * generator and then stored in `dtype` (so float32 holds the rounded float64 draws). */
export function randn(shape: Shape, opts: RandomOptions & { mean?: number; std?: number } = {}): Tensor {
  checkOptions("randn", opts, "options");
  checkShape("randn", shape);
  const rng = rngOf("randn", opts);
  const mean = checkFinite("randn", "mean", opts.mean ?? 0);
  const std = checkFinite("randn", "std", opts.std ?? 1);
  return filled(
    shape,
    opts,
    (d) => {
      for (let i = 0; i < d.length; i++) d[i] = mean + std * rng.normal();
    },
    "randn",
  );
}

/** Uniform samples in [low, high) from the seeded generator. */
export function rand(shape: Shape, opts: RandomOptions & { low?: number; high?: number } = {}): Tensor {
  checkOptions("rand", opts, "options");
  checkShape("rand", shape);
  const rng = rngOf("rand", opts);
  const low = checkFinite("rand", "low", opts.low ?? 0);
  const high = checkFinite("rand", "high", opts.high ?? 1);
  return filled(
    shape,
    opts,
    (d) => {
      for (let i = 0; i < d.length; i++) d[i] = low + (high - low) * rng.uniform();
    },
    "rand",
  );
}

import { ValueError } from "./errors.js";

/** Element types a tensor can hold. `float64` is the default everywhere. `int32` holds indices
 * (labels, `argmax` results); only element-wise ops, comparisons, `gather`/`oneHot` inputs and
 * reshaping accept it. */
export type DType = "float64" | "float32" | "int32";
export type FloatDType = "float64" | "float32";

export type TypedArray = Float64Array | Float32Array | Int32Array;
export type FloatArray = Float64Array | Float32Array;

export const DEFAULT_DTYPE: FloatDType = "float64";

export const DTYPES: readonly DType[] = ["float64", "float32", "int32"];

export function isDType(x: unknown): x is DType {
  return x === "float64" || x === "float32" || x === "int32";
}

export function isFloatDType(d: DType): d is FloatDType {
  return d === "float64" || d === "float32";
}

export function bytesPerElement(dtype: DType): number {
  return dtype === "float64" ? 8 : 4;
}

/**
 * Fresh zero-filled storage of `size` elements of `dtype`, as the cpu and worker backends allocate
 * it. Memory the engine cannot give is a ValueError naming the size, not a bare RangeError from
 * deep inside an op.
 */
export function newStorage(dtype: DType, size: number): TypedArray {
  let buffer: ArrayBuffer;
  try {
    buffer = new ArrayBuffer(size * bytesPerElement(dtype));
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new ValueError(
      "alloc",
      `cannot allocate ${size} ${dtype} values (${size * bytesPerElement(dtype)} bytes): ${e.message} (expected a result that fits in memory)`,
    );
  }
  return typedArrayOn(dtype, buffer, 0, size);
}

/** Wraps `buffer` (an ArrayBuffer or SharedArrayBuffer) as a typed array of `dtype`. */
export function typedArrayOn(dtype: DType, buffer: ArrayBufferLike, byteOffset: number, length: number): TypedArray {
  switch (dtype) {
    case "float64":
      return new Float64Array(buffer, byteOffset, length);
    case "float32":
      return new Float32Array(buffer, byteOffset, length);
    case "int32":
      return new Int32Array(buffer, byteOffset, length);
  }
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Float32Array) return "float32";
  return "int32";
}

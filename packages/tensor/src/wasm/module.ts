import { BackendError } from "../errors.js";
import { KERNELS_SHARED_WASM, KERNELS_WASM } from "./kernels.generated.js";

/**
 * The smallest module that uses a SIMD instruction (`i8x16.popcnt` of a splat): an engine validates
 * it only if it implements WebAssembly SIMD (fixed-width, 128-bit).
 */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

/** What this engine lacks for the wasm kernels, or null when it has everything. */
export function missingWasmFeature(): string | null {
  if (typeof WebAssembly !== "object" || typeof WebAssembly.validate !== "function") {
    return "WebAssembly is not available in this JavaScript engine";
  }
  if (!WebAssembly.validate(SIMD_PROBE)) {
    return "WebAssembly SIMD (128-bit fixed-width SIMD) is not supported by this engine";
  }
  return null;
}

/** Throws a BackendError naming the missing feature when the wasm kernels cannot run here. */
export function requireWasmSimd(op: string): void {
  const missing = missingWasmFeature();
  if (missing !== null) {
    throw new BackendError(op, `cannot run here: ${missing}. Use the cpu backend (same results, bit for bit).`);
  }
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const chars = atob(text);
  const bytes = new Uint8Array(chars.length);
  for (let i = 0; i < chars.length; i++) bytes[i] = chars.charCodeAt(i);
  return bytes;
}

const compiled = new Map<boolean, Promise<WebAssembly.Module>>();

/**
 * The compiled kernels, compiled once per process or Worker (asynchronously: a browser's main thread
 * refuses to compile larger modules synchronously). `shared`: the build that imports a shared memory.
 */
export function kernelsModule(shared: boolean): Promise<WebAssembly.Module> {
  let module = compiled.get(shared);
  if (module === undefined) {
    module = WebAssembly.compile(decodeBase64(shared ? KERNELS_SHARED_WASM : KERNELS_WASM));
    compiled.set(shared, module);
  }
  return module;
}

const compiledSync = new Map<boolean, WebAssembly.Module>();

/** The compiled kernels, compiled synchronously (Node, and Workers; not a browser's main thread). */
export function kernelsModuleSync(shared: boolean): WebAssembly.Module {
  let module = compiledSync.get(shared);
  if (module === undefined) {
    module = new WebAssembly.Module(decodeBase64(shared ? KERNELS_SHARED_WASM : KERNELS_WASM));
    compiledSync.set(shared, module);
  }
  return module;
}

/** The exports of the kernels module (see assembly/index.ts); pointers are byte offsets. */
export interface KernelExports {
  matmul(
    a: number,
    b: number,
    out: number,
    m: number,
    n: number,
    k: number,
    transA: number,
    transB: number,
    rowStart: number,
    rowEnd: number,
    f32: number,
    scratch: number,
  ): void;
  matmulScratchBytes(n: number, k: number): number;
  /** Scratch bytes of `matmul` with float32 operands (assembly/matmul32.ts). */
  matmul32ScratchBytes(n: number, k: number): number;
  /** Bytes of the live-step lists of a product op(A) · B with A transposed (k x m) and B k x n, or 0
   * when it does not use them (assembly/steps.ts). */
  liveStepsBytes(m: number, n: number, k: number): number;
  /** Makes `at` the empty lists of that product for the threads' next matmul calls. */
  prepareLiveSteps(at: number, a: number, b: number, m: number, n: number, k: number): void;
  /** This thread's next matmul calls share the lists at `at` (0: none). */
  useLiveSteps(at: number): void;
  /** out[i] = a[i * aStride] op b[i * bStride], strides 0 or 1; op: 0 add, 1 sub, 2 mul, 3 div. */
  binary(
    op: number,
    a: number,
    aStride: number,
    b: number,
    bStride: number,
    out: number,
    len: number,
    f32: number,
  ): void;
  /** `binary` on each of `rows` rows of `len` values with b one row under all of them (a bias). */
  binaryRows(op: number, a: number, b: number, out: number, rows: number, len: number, f32: number, bb: number): void;
  /** `binary` on each of `rows` rows of `len` values with one b value per row (a column). */
  binaryCols(op: number, a: number, b: number, out: number, rows: number, len: number, f32: number): void;
  /** out[i] = op(x[i]); op: 0 neg, 1 abs, 2 square, 3 sqrt, 4 reciprocal, 5 relu, 6 step, 7 sign. */
  unary(op: number, x: number, out: number, len: number, f32: number): void;
  /** out[i] = cond[i * cs] != 0 ? a[i * as] : b[i * bs], strides 0 or 1. */
  where(
    cond: number,
    cs: number,
    a: number,
    as: number,
    b: number,
    bs: number,
    out: number,
    len: number,
    f32: number,
  ): void;
  /** im2col rows [start, end) of x into out, row `start` first; g: the geometry as nine int32 (c, h,
   * w, fh, fw, stride, pad, outH, outW). */
  im2col(x: number, g: number, out: number, start: number, end: number, f32: number): void;
  /** col2im planes [start, end) (image * c + channel) from all of col into out, plane `start` first. */
  col2im(col: number, g: number, out: number, start: number, end: number, f32: number): void;
  /** out[b, c, r] = x[b, r, c] for `batches` rows x cols matrices. */
  transposeBatched(x: number, batches: number, rows: number, cols: number, out: number, f32: number): void;
  /** acc[j] += x[r * stride + j], j < cols, over `rows` rows (acc zeroed first with init = 1); acc
   * holds x's float type (f32: float32 sums). */
  sumRows(x: number, rows: number, cols: number, stride: number, acc: number, f32: number, init: number): void;
  /** out[r] = max (min with min = 1) of row r of `len` values; NaN if the row has one. */
  extremeOfRows(x: number, rows: number, len: number, out: number, f32: number, min: number): void;
  /** Sets `bytes` bytes at `at` to zero. */
  zero(at: number, bytes: number): void;
  /** out row r = x row idx[r] (int32) for r in [0, n), rows of `rowBytes` bytes. */
  gatherRows(x: number, rowBytes: number, idx: number, n: number, out: number): void;
  /** The index of the first NaN or ±Infinity among `len` values at x, or -1. */
  firstNonFinite(x: number, len: number, f32: number): number;
  /** out[r] (int32) = index of the maximum of row r (rows of `len` values; first NaN wins). */
  argmaxRows(x: number, rows: number, len: number, out: number, f32: number): void;
  /** Rows [0, rows) of `depth` values at out: zeros, but out[r * depth + idx[r]] (int32) = values[r];
   * -1, or the first row whose index is outside [0, depth) (nothing written outside out's rows). */
  putAlongRows(values: number, idx: number, rows: number, depth: number, out: number, f32: number): number;
  /** A fused element-wise program over elements [start, start + len), `block` at a time; `table`
   * holds its slots, instructions and outputs as int32 (assembly/fused.ts). */
  fused(
    table: number,
    slots: number,
    instructions: number,
    outputs: number,
    start: number,
    len: number,
    block: number,
    f32: number,
  ): void;
}

/** An instance of the kernels over `memory` (a new instance per thread, one memory for all). */
export function instantiateKernels(module: WebAssembly.Module, memory: WebAssembly.Memory): KernelExports {
  const instance = new WebAssembly.Instance(module, {
    env: {
      memory,
      abort: () => {
        throw new Error("a wasm kernel aborted");
      },
    },
  });
  return instance.exports as unknown as KernelExports;
}

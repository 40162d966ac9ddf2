import type { TensorData } from "../backend.js";
import { CpuBackend } from "../cpu.js";
import type { FloatArray, TypedArray } from "../dtype.js";
import { matmulDims } from "../kernel-dims.js";
import { matmulImpl, type BinaryOp } from "../kernels/index.js";
import type { Shape } from "../shape.js";
import { sizeOf } from "../shape.js";
import { Arena, matmulStaged } from "./arena.js";
import { instantiateKernels, kernelsModule, requireWasmSimd } from "./module.js";

/** The binary ops with a wasm kernel (assembly/elementwise.ts), by operation code. */
const WASM_BINARY: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3 };
/** Below this many output elements, staging costs more than the SIMD loop saves. */
const BINARY_MIN_SIZE = 256;

/**
 * The CPU backend with its matrix product in WebAssembly SIMD (assembly/matmul.ts): the same
 * results bit for bit, several times faster. Storage is ordinary ArrayBuffer memory, as on cpu;
 * operands are copied into the module's memory for each product (in chunks of rows, so a pass
 * over 60 000 images needs a few MB there). Every other op runs the shared TypeScript kernels, which
 * measured no faster in wasm once their operands must be copied in and out (see the README).
 * Make one with `createWasmBackend()`.
 */
export class WasmBackend extends CpuBackend {
  override readonly name: string = "wasm";

  /** Use `createWasmBackend()`, which compiles the module first. */
  constructor(private readonly arena: Arena) {
    super();
  }

  override matmul(a: TensorData, b: TensorData, transposeA: boolean, transposeB: boolean): FloatArray {
    const { m, n, k } = matmulDims(a.shape, b.shape, transposeA, transposeB);
    const out = this.alloc(a.dtype, m * n) as FloatArray;
    const ad = a.data as FloatArray;
    const bd = b.data as FloatArray;
    const f32 = ad instanceof Float32Array ? 1 : 0;
    const kernels = this.arena.kernels!;
    const staged = matmulStaged(this.arena, ad, bd, out, m, n, k, transposeA, (aAt, bAt, outAt, rows) => {
      const scratch = this.arena.reserve(kernels.matmulScratchBytes(n, k));
      if (scratch < 0) return false;
      kernels.matmul(aAt, bAt, outAt, rows, n, k, +transposeA, +transposeB, 0, rows, f32, scratch);
      return true;
    });
    if (!staged) matmulImpl(ad, bd, out, m, n, k, transposeA, transposeB, 0, m);
    return out;
  }

  /**
   * add, sub, mul and div of float tensors in wasm when both operands are whole (same shape), one is
   * a single value, or b is one row broadcast over a's rows (a bias); everything else, and small
   * ops, run the TypeScript kernel. Same bits either way (see assembly/elementwise.ts).
   */
  override binary(op: BinaryOp, a: TensorData, b: TensorData, outShape: Shape): TypedArray {
    const code = WASM_BINARY[op];
    const size = sizeOf(outShape);
    const row = outShape.length === 0 ? 1 : outShape[outShape.length - 1]!;
    const aLen = a.data.length;
    const bLen = b.data.length;
    const whole = aLen === size && (bLen === size || bLen === 1 || (bLen === row && isRow(b.shape)));
    if (
      code === undefined ||
      a.dtype === "int32" ||
      size < BINARY_MIN_SIZE ||
      !(whole || (aLen === 1 && bLen === size))
    ) {
      return super.binary(op, a, b, outShape);
    }
    const out = this.alloc(a.dtype, size);
    const arena = this.arena;
    arena.reset();
    const aAt = arena.stage(a.data);
    const bAt = arena.stage(b.data);
    const outAt = arena.reserve(out.byteLength);
    if (aAt < 0 || bAt < 0 || outAt < 0) return super.binary(op, a, b, outShape);
    const f32 = a.dtype === "float32" ? 1 : 0;
    const kernels = arena.kernels!;
    if (bLen === size || bLen === 1 || aLen === 1) {
      kernels.binary(code, aAt, aLen === 1 ? 0 : 1, bAt, bLen === size ? 1 : 0, outAt, size, f32);
    } else {
      // b is one row of `row` values under every row of a.
      const bytes = row * out.BYTES_PER_ELEMENT;
      for (let r = 0; r * row < size; r++)
        kernels.binary(code, aAt + r * bytes, 1, bAt, 1, outAt + r * bytes, row, f32);
    }
    out.set(arena.view(out, outAt, size));
    return out;
  }
}

/** A shape that is one row: [n] or [1, ..., 1, n]. */
function isRow(shape: Shape): boolean {
  for (let i = 0; i < shape.length - 1; i++) if (shape[i] !== 1) return false;
  return true;
}

/**
 * A backend that runs matrix products in WebAssembly SIMD and everything else as `cpu` does, with
 * results identical to `cpu` bit for bit. Async because compiling a module synchronously is refused
 * on a browser's main thread; the compiled module is cached, so later calls are quick. Throws a
 * BackendError naming the missing feature where WebAssembly or its SIMD extension is unavailable.
 *
 * ```ts
 * const backend = await createWasmBackend();
 * const y = randn([100, 784], { backend }).matmul(randn([784, 50], { backend }));
 * ```
 */
export async function createWasmBackend(): Promise<WasmBackend> {
  requireWasmSimd("createWasmBackend");
  const module = await kernelsModule(false);
  const memory = new WebAssembly.Memory({ initial: 16 });
  return new WasmBackend(new Arena(memory, instantiateKernels(module, memory)));
}

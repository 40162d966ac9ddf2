import type { TensorData } from "../backend.js";
import { CpuBackend } from "../cpu.js";
import type { FloatArray } from "../dtype.js";
import { matmulDims } from "../kernel-dims.js";
import { matmulImpl } from "../kernels/index.js";
import { Arena, matmulStaged } from "./arena.js";
import { instantiateKernels, kernelsModule, requireWasmSimd } from "./module.js";

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

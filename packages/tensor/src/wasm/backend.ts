import type { ResidentBackend, TensorData } from "../backend.js";
import { CpuBackend } from "../cpu.js";
import type { DType, TypedArray } from "../dtype.js";
import { bytesPerElement } from "../dtype.js";
import { ValueError } from "../errors.js";
import { firstNonFiniteImpl } from "../kernels/index.js";
import { recordOf, type OpName, type TaskOf, type WasmContext } from "../ops.js";
import { checkOptions, describeValue } from "../shape.js";
import { Arena, stageTask } from "./arena.js";
import { ResidentHeap } from "./heap.js";
import { instantiateKernels, kernelsModule, requireWasmSimd } from "./module.js";

/** Below this many elements the divergence check's TypeScript loop is as fast as a wasm call. */
const WASM_MIN_SIZE = 256;

/**
 * The CPU backend with wasm kernels (assembly/, WebAssembly SIMD): the same results bit for bit,
 * several times faster. Tensors live in the module's memory (`heap`, see ResidentHeap), where the
 * kernels read and write them in place. An op whose record in `OPS` has a wasm kernel that applies
 * (matrix products, add/sub/mul/div, the unary ops without a transcendental function, `where`, the
 * last-axis argmax, max and min, sums along other axes, im2col, col2im, batched transposes, the
 * minibatch gather) runs it; operands in ordinary memory (small tensors, a full heap, storage given
 * to `new Tensor`) are copied in for it and the result copied out, or, when the staging room cannot
 * hold them, the TypeScript kernel runs. Every other op runs the TypeScript kernel. Make one with
 * `createWasmBackend()`.
 */
export class WasmBackend extends CpuBackend implements ResidentBackend {
  override readonly name: string = "wasm";

  /** The memory's buffer, which never changes while tensors live in it (null: no resident heap). */
  private readonly buffer: ArrayBufferLike | null;

  /** Use `createWasmBackend()`, which compiles the module first. */
  constructor(
    private readonly arena: Arena,
    /** Where tensors live in the module's memory (null: all storage is ordinary memory). */
    readonly heap: ResidentHeap | null = null,
  ) {
    super();
    this.buffer = heap === null ? null : arena.memory.buffer;
    this.context = { kernels: arena.kernels!, scratch: 0 };
  }

  /** Zero-filled storage: a block of the resident heap when it has room, else ordinary memory. */
  override alloc(dtype: DType, size: number): TypedArray {
    return this.allocOut(dtype, size, true);
  }

  /** Storage for `size` values of `dtype`, zero-filled when `zero` (else a result the caller
   * overwrites whole). In the resident heap from RESIDENT_MIN_BYTES on, when it has room. */
  override allocOut(dtype: DType, size: number, zero: boolean): TypedArray {
    const heap = this.heap;
    const bytes = size * bytesPerElement(dtype);
    if (heap !== null && bytes >= RESIDENT_MIN_BYTES) {
      const view = heap.allocView(dtype, size, this.buffer!, bytes);
      if (view !== null) {
        if (zero && !heap.zeroed) this.arena.kernels!.zero(view.byteOffset, bytes);
        return view;
      }
    }
    return this.pool.allocForOverwrite(dtype, size, zero);
  }

  override release(dtype: DType, data: TypedArray): void {
    if (this.heap !== null && data.buffer === this.buffer) this.heap.freeView(data);
    else super.release(dtype, data);
  }

  /** Whether `data` (a tensor's storage) lives in the module's memory, where the kernels read and
   * write it in place; false for storage in ordinary memory (small, or when the heap was full). */
  isResident(data: TypedArray): boolean {
    return data.buffer === this.buffer;
  }

  /** The byte offset of `data` in the module's memory when it lives there (a resident tensor), else -1. */
  private readonly residentAt = (data: TypedArray): number => (data.buffer === this.buffer ? data.byteOffset : -1);
  private readonly resident = (data: TypedArray): boolean => data.buffer === this.buffer;
  /** What a wasm kernel's `run` reads besides its task, refilled for each op (one op runs at a time). */
  private readonly context: WasmContext;

  /** The op's wasm kernel when its record has one that applies and the staging room holds the
   * operands that are not resident; else the TypeScript kernel (same bits either way). */
  override exec<K extends OpName>(op: K, task: TaskOf<K>): void {
    const record = recordOf(op);
    const wasm = record.wasm;
    if (wasm?.when(task, this.resident)) {
      const kernels = this.arena.kernels!;
      const out = task.out;
      const staged = stageTask(this.arena, record.inputs, task, this.residentAt, wasm.scratch?.(task, kernels) ?? 0, 1);
      if (staged !== null) {
        const context = this.context;
        context.kernels = kernels;
        context.scratch = staged.scratch;
        wasm.run(task, 0, record.units(task), context);
        if (task.out !== out) {
          out.set(task.out);
          task.out = out;
        }
        return;
      }
    }
    record.run(task, 0, record.units(task));
  }

  /** The divergence check's scan in wasm (assembly/reduce.ts) for a resident float tensor; others
   * run the TypeScript loop (copying a tensor in would cost as much as scanning it). */
  firstNonFinite(x: TensorData): number {
    const at = this.residentAt(x.data);
    if (at < 0 || x.dtype === "int32" || x.data.length < WASM_MIN_SIZE) {
      return firstNonFiniteImpl(x.data, 0, x.data.length); // -1 for int32
    }
    return this.arena.kernels!.firstNonFinite(at, x.data.length, x.dtype === "float32" ? 1 : 0);
  }
}

/** Options of `createWasmBackend`. */
export interface WasmBackendOptions {
  /**
   * Bytes of the module's memory that hold tensors (their storage is a block there from 1 KiB up),
   * so that ops read and write them in place instead of copying them in and out. Default 512 MiB
   * (address space: pages are only committed as they are used); 0 keeps every tensor in ordinary
   * memory, copied into the module for each op. When the engine refuses that much, halves of it
   * down to 16 MiB are tried. A tensor that finds no room uses ordinary memory: same results, more copying.
   *
   * A block returns to the heap when its tensor is disposed, or after the garbage collector has
   * collected the tensor, which takes effect only when the program yields to the event loop. So a
   * synchronous loop that disposes nothing fills the heap with its dead results (up to this many
   * bytes of memory in use) before it goes on in ordinary memory.
   */
  residentBytes?: number;
}

/** Storage this small stays in ordinary memory (staging it costs less than keeping track of it). */
const RESIDENT_MIN_BYTES = 1024;
/** The default resident heap. */
const DEFAULT_RESIDENT_BYTES = 512 * 1024 * 1024;
/** Staging room below the heap: chunks of operands that are not resident, and kernel scratch. */
export const ARENA_BYTES = 64 * 1024 * 1024;
const PAGE = 65536;

/**
 * A backend that runs the wasm kernels of the op table (matrix products and the other ops that have
 * one) and everything else as `cpu` does, with results identical to `cpu` bit for bit. Async because
 * compiling a module synchronously is refused on a browser's main thread; the compiled module is
 * cached, so later calls are quick. Throws a
 * BackendError naming the missing feature where WebAssembly or its SIMD extension is unavailable.
 *
 * ```ts
 * const backend = await createWasmBackend();
 * const y = randn([100, 784], { backend }).matmul(randn([784, 50], { backend }));
 * ```
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  checkOptions("createWasmBackend", options, "options");
  const resident = options.residentBytes ?? DEFAULT_RESIDENT_BYTES;
  if (!Number.isInteger(resident) || resident < 0 || resident > 2 ** 31 - ARENA_BYTES) {
    throw new ValueError(
      "createWasmBackend",
      `residentBytes must be an integer from 0 to ${2 ** 31 - ARENA_BYTES}, got ${describeValue(resident)}`,
    );
  }
  requireWasmSimd("createWasmBackend");
  return wasmBackendOf(await kernelsModule(false), resident);
}

/** A wasm backend running `module` (the unshared build of the kernels) over a memory of its own. */
export function wasmBackendOf(module: WebAssembly.Module, residentBytes = DEFAULT_RESIDENT_BYTES): WasmBackend {
  const made = residentMemory(false, residentBytes);
  if (made === null) {
    const memory = new WebAssembly.Memory({ initial: 16 });
    return new WasmBackend(new Arena(memory, instantiateKernels(module, memory)));
  }
  const { memory, heap } = made;
  return new WasmBackend(new Arena(memory, instantiateKernels(module, memory), 0, ARENA_BYTES), heap);
}

function halved(bytes: number): number {
  const half = Math.floor(bytes / 2);
  return half >= 16 * 1024 * 1024 ? half : 0;
}

/**
 * A memory for a wasm backend with resident tensors: staging room (ARENA_BYTES) at the bottom and,
 * above it, a heap of up to `residentBytes` (halved while the engine refuses, down to 16 MiB; null
 * when even that is refused, or for 0). Made at its full size once: it must never grow, as growing a non-shared memory
 * detaches every view of it. `shared`: a shared memory (the worker backend's threads compute in it).
 */
export function residentMemory(
  shared: boolean,
  residentBytes = DEFAULT_RESIDENT_BYTES,
): { memory: WebAssembly.Memory; heap: ResidentHeap } | null {
  // The size asked for, then halves of it down to 16 MiB while the engine refuses.
  for (let heapBytes = residentBytes; heapBytes > 0; heapBytes = halved(heapBytes)) {
    const pages = Math.ceil((ARENA_BYTES + heapBytes) / PAGE);
    try {
      const memory = new WebAssembly.Memory(shared ? { initial: pages, maximum: pages, shared } : { initial: pages });
      return { memory, heap: new ResidentHeap(ARENA_BYTES, memory.buffer.byteLength) };
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
    }
  }
  return null;
}

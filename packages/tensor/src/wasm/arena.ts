import type { TypedArray } from "../dtype.js";
import type { KernelExports } from "./module.js";

/** WebAssembly pages are 64 KiB. */
const PAGE = 65536;
/** Largest linear memory a wasm32 module can address. */
const MAX_BYTES = 4 * 1024 * 1024 * 1024;

export function align16(x: number): number {
  return Math.ceil(x / 16) * 16;
}

/**
 * Operands staged in a wasm linear memory for one op at a time: `reset`, then `reserve`
 * regions from the bottom up; nothing outlives the op. The memory grows when an op needs more and
 * is reused by every later op, so steady work allocates nothing.
 */
export class Arena {
  private top = 0;
  /** Bytes the memory had when last looked at: a memory never shrinks, so room below this needs no
   * look at `memory.buffer` (a call into the engine's API, made by most ops otherwise). */
  private known = 0;

  constructor(
    readonly memory: WebAssembly.Memory,
    /** The kernels instantiated over `memory` on this thread (null: the TypeScript kernels run). */
    readonly kernels: KernelExports | null,
    /** Bytes at the bottom kept for other uses (per-thread scratch of the worker backend). */
    private readonly base = 0,
    /** The arena never reaches past this offset (the wasm backend's tensors live above it, in a
     * memory that must never grow: growing a non-shared memory detaches every view of it). */
    private readonly limit = MAX_BYTES,
  ) {}

  reset(): void {
    this.top = this.base;
  }

  /** The offset of `bytes` fresh bytes (16-byte aligned), or -1 when memory cannot grow that far. */
  reserve(bytes: number): number {
    const at = align16(this.top);
    const end = at + bytes;
    if (end > this.limit) return -1;
    if (end > this.known) {
      const have = this.memory.buffer.byteLength;
      if (end > have) {
        try {
          this.memory.grow(Math.ceil((end - have) / PAGE));
        } catch {
          return -1;
        }
      }
      this.known = this.memory.buffer.byteLength;
    }
    this.top = end;
    return at;
  }

  /** A view of `length` elements of `like`'s type at byte `offset` (valid until memory grows). */
  view<T extends TypedArray>(like: T, offset: number, length: number): T {
    const Type = like.constructor as new (buffer: ArrayBufferLike, offset: number, length: number) => T;
    return new Type(this.memory.buffer, offset, length);
  }
}

/**
 * The one staging path of the wasm and worker backends: puts each array of `task` (its `inputs`
 * fields and `out`) in the arena's memory, where the wasm kernels and every thread reach them. An
 * array that already lives there (`residentAt` >= 0: a resident tensor) is used in place; each
 * other field is replaced by a copy in fresh arena room (for `out`, room for the kernel to fill:
 * the caller keeps the original and copies the result into it). Also reserves `scratchBytes` for
 * each of `threads` threads (at `scratch`, then every `stride` bytes). Null, leaving the task as it
 * was, when the arena has no room: the caller then runs the TypeScript kernel.
 *
 * Why stage at all rather than run the TypeScript kernel on any operand that is not resident: a
 * scalar or a bias row (under 1 KiB, never resident) is in every training step, and its op runs
 * 2.4-4 times as fast staged (`W1.mul(0.1)` at 784x50: 24 against 96 us of CPU; `h.add(b1)` at
 * 100x50: 5.7 against 17).
 */
export function stageTask(
  arena: Arena,
  inputs: readonly string[],
  task: { out: TypedArray },
  residentAt: (data: TypedArray) => number,
  scratchBytes: number,
  threads: number,
): { scratch: number; stride: number } | null {
  arena.reset();
  const fields = task as unknown as Record<string, TypedArray>;
  const n = inputs.length;
  // Room for every array not in the memory: offsets[i] for inputs[i], offsets[n] for out (-1: in
  // place); made only when some array is not (most ops of a loop over resident tensors copy nothing).
  let offsets: number[] | null = null;
  for (let i = 0; i <= n; i++) {
    const data = i < n ? fields[inputs[i]!]! : task.out;
    if (residentAt(data) >= 0) continue;
    const at = arena.reserve(data.byteLength);
    if (at < 0) return null;
    offsets ??= new Array<number>(n + 1).fill(-1);
    offsets[i] = at;
  }
  const stride = align16(scratchBytes);
  const scratch = stride === 0 ? 0 : arena.reserve(stride * threads);
  if (scratch < 0) return null;
  if (offsets === null) return { scratch, stride };
  // Views only now: reserving may grow the memory, which detaches every view of an unshared one.
  for (let i = 0; i <= n; i++) {
    const at = offsets[i]!;
    if (at < 0) continue;
    const data = i < n ? fields[inputs[i]!]! : task.out;
    const view = arena.view(data, at, data.length);
    if (i < n) {
      view.set(data);
      fields[inputs[i]!] = view;
    } else task.out = view;
  }
  return { scratch, stride };
}

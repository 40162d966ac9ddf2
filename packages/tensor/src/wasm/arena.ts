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
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      try {
        this.memory.grow(Math.ceil((end - have) / PAGE));
      } catch {
        return -1;
      }
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
 * The one staging path of the wasm and worker backends: `task` with each of its arrays (the
 * `inputs` fields and `out`) in the arena's memory, where the wasm kernels and every thread can
 * reach them. An array that already lives there (`residentAt` >= 0: a resident tensor) is used in
 * place; the others are copied into fresh arena room (an output's room is left for the kernel to
 * fill: copy it out afterwards when `task.out !== staged.task.out`). Also reserves `scratchBytes`
 * for each of `threads` threads (`scratch`, then every `stride` bytes). Null when the arena has
 * no room: the caller then runs the TypeScript kernel on the task as it is.
 */
export function stageTask<T extends { out: TypedArray }>(
  arena: Arena,
  inputs: readonly string[],
  task: T,
  residentAt: (data: TypedArray) => number,
  scratchBytes: number,
  threads: number,
): { task: T; scratch: number; stride: number } | null {
  arena.reset();
  const fields = task as unknown as Record<string, TypedArray>;
  let offsets: Map<string, number> | null = null;
  for (let i = 0; i <= inputs.length; i++) {
    const field = i < inputs.length ? inputs[i]! : "out";
    const data = fields[field]!;
    if (residentAt(data) >= 0) continue;
    const at = arena.reserve(data.byteLength);
    if (at < 0) return null;
    offsets ??= new Map();
    offsets.set(field, at);
  }
  const stride = align16(scratchBytes);
  const scratch = stride === 0 ? 0 : arena.reserve(stride * threads);
  if (scratch < 0) return null;
  if (offsets === null) return { task, scratch, stride };
  // Views only now: reserving may grow the memory, which detaches every view of an unshared one.
  const staged = { ...fields };
  for (const [field, at] of offsets) {
    const data = fields[field]!;
    const view = arena.view(data, at, data.length);
    if (field !== "out") view.set(data);
    staged[field] = view;
  }
  return { task: staged as unknown as T, scratch, stride };
}

import type { FloatArray, TypedArray } from "../dtype.js";
import type { KernelExports } from "./module.js";

/** WebAssembly pages are 64 KiB. */
const PAGE = 65536;
/** Largest linear memory a wasm32 module can address. */
const MAX_BYTES = 4 * 1024 * 1024 * 1024;
/** Output rows of a product are staged in chunks of about this many bytes of A and out (A not
 * transposed), so the memory stays small however many rows a product has (a 60 000-image pass). */
const CHUNK_BYTES = 4 * 1024 * 1024;

export function align16(x: number): number {
  return Math.ceil(x / 16) * 16;
}

/**
 * Operands staged in a wasm linear memory for one op at a time: `reset`, then `reserve` or `stage`
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

  /** The current top, to `release` back to later. */
  mark(): number {
    return this.top;
  }

  /** Frees everything reserved since `mark()` returned `top`. */
  release(top: number): void {
    this.top = top;
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

  /** Copies `src` into fresh bytes and returns their offset (-1: no room). */
  stage(src: TypedArray): number {
    const at = this.reserve(src.byteLength);
    if (at >= 0) this.view(src, at, src.length).set(src);
    return at;
  }

  /** A view of `length` elements of `like`'s type at byte `offset` (valid until memory grows). */
  view<T extends TypedArray>(like: T, offset: number, length: number): T {
    const Type = like.constructor as new (buffer: ArrayBufferLike, offset: number, length: number) => T;
    return new Type(this.memory.buffer, offset, length);
  }
}

/** Runs one staged product of `m` output rows (operands at these offsets); false: no room left. */
export type RunRows = (a: number, b: number, out: number, m: number) => boolean;

/**
 * out = op(a) @ op(b) computed by the wasm kernel on operands staged in `arena`: B once, A and the
 * output in chunks of whole rows (A read in place when transposed, as it must be whole). `run`
 * computes staged rows (the calling thread, or split between threads). Returns false, leaving `out`
 * partly written, when the memory cannot hold the operands (the caller then runs the TypeScript kernel).
 * Rows are independent and each is summed in the kernel's fixed order, so chunking changes no bit.
 * `residentAt` gives the offset of an array that already lives in the arena's memory (a wasm
 * backend's tensor), or -1: such an operand is read, and such an output written, where it is.
 */
export function matmulStaged(
  arena: Arena,
  a: FloatArray,
  b: FloatArray,
  out: FloatArray,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  run: RunRows,
  residentAt: (data: FloatArray) => number = () => -1,
): boolean {
  if (m === 0 || n === 0) return true;
  arena.reset();
  const bResident = residentAt(b);
  const bAt = bResident >= 0 ? bResident : arena.stage(b);
  if (bAt < 0) return false;
  const aResident = residentAt(a);
  const outResident = residentAt(out);
  const bytes = a.BYTES_PER_ELEMENT;
  const rowBytes = ((aResident < 0 ? k : 0) + (outResident < 0 ? n : 0)) * bytes;
  const chunk = transA || rowBytes === 0 ? m : Math.max(1, Math.min(m, Math.floor(CHUNK_BYTES / rowBytes)));
  const top = arena.mark();
  for (let r0 = 0; r0 < m; r0 += chunk) {
    const rows = Math.min(chunk, m - r0);
    arena.release(top);
    const aAt =
      aResident >= 0
        ? aResident + (transA ? 0 : r0 * k * bytes)
        : arena.stage(transA ? a : a.subarray(r0 * k, (r0 + rows) * k));
    const outAt = outResident >= 0 ? outResident + r0 * n * bytes : arena.reserve(rows * n * bytes);
    if (aAt < 0 || outAt < 0 || !run(aAt, bAt, outAt, rows)) return false;
    if (outResident < 0) out.set(arena.view(out, outAt, rows * n), r0 * n);
  }
  return true;
}

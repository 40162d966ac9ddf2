import type { DType, TypedArray } from "./dtype.js";
import { bytesPerElement, newStorage } from "./dtype.js";

/** Storage smaller than this is "small": a bias, a column sum, a scalar operand. The engine takes
 * about a microsecond to allocate even 8 bytes (an ArrayBuffer of its own), a pooled buffer a
 * fraction of that, so small storage is pooled too, but at most SMALL_PER_SIZE buffers of each
 * size wait (a loop needs a few of each; millions of disposed scalars need not stay). */
const SMALL_BYTES = 1024;
const SMALL_PER_SIZE = 64;
/** At most this many bytes wait in a pool; storage released beyond it is left to the garbage collector. */
const POOL_MAX_BYTES = 64 * 1024 * 1024;

function dtypeCode(dtype: DType): number {
  return dtype === "float64" ? 0 : dtype === "float32" ? 1 : 2;
}

/**
 * Storage of disposed tensors, kept by size class (dtype and length) for a backend's next `alloc` of
 * the same size. It only ever receives storage through `Tensor.dispose()`, which hands back a
 * buffer only when an op made it and every tensor sharing it (the result and its reshape views)
 * was disposed, so nothing a live tensor can still read is handed out again. A training loop that
 * disposes its temporaries then reuses the same few buffers every step instead of asking the engine
 * for fresh memory (which for large buffers means new pages, zeroed by the OS, and work for the
 * garbage collector).
 */
export class BufferPool {
  private readonly free = new Map<number, TypedArray[]>();
  private bytes = 0;
  /** Allocations served from the pool and from the engine (for measurements and tests). */
  readonly stats = { reused: 0, reusedBytes: 0, fresh: 0, freshBytes: 0, released: 0 };

  /** Zero-filled storage: a pooled buffer of this dtype and length, or fresh memory. */
  alloc(dtype: DType, size: number): TypedArray {
    return this.allocForOverwrite(dtype, size, true);
  }

  /**
   * Storage for a result whose every element the caller writes: like `alloc`, but a pooled buffer
   * keeps its old values unless `zero` (saves a pass over large results).
   */
  allocForOverwrite(dtype: DType, size: number, zero = false): TypedArray {
    const list = this.free.get(size * 4 + dtypeCode(dtype));
    const d = list?.pop();
    if (d === undefined) {
      this.stats.fresh++;
      this.stats.freshBytes += size * bytesPerElement(dtype);
      return newStorage(dtype, size);
    }
    this.stats.reused++;
    this.stats.reusedBytes += d.byteLength;
    this.bytes -= d.byteLength;
    return zero ? d.fill(0) : d;
  }

  /** Takes `data` back for reuse (a whole ArrayBuffer of its own, room left). */
  release(dtype: DType, data: TypedArray): void {
    const buffer = data.buffer;
    if (
      !(buffer instanceof ArrayBuffer) ||
      data.byteOffset !== 0 ||
      data.byteLength !== buffer.byteLength ||
      this.bytes + data.byteLength > POOL_MAX_BYTES
    )
      return;
    const key = data.length * 4 + dtypeCode(dtype);
    let list = this.free.get(key);
    if (list === undefined) {
      list = [];
      this.free.set(key, list);
    } else if (data.byteLength < SMALL_BYTES && list.length >= SMALL_PER_SIZE) return;
    list.push(data);
    this.bytes += data.byteLength;
    this.stats.released++;
  }

  /** Bytes waiting for reuse. */
  get pooledBytes(): number {
    return this.bytes;
  }

  /** Drops every pooled buffer (the garbage collector frees them). */
  clear(): void {
    this.free.clear();
    this.bytes = 0;
  }
}

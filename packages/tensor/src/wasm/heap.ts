import type { DType, TypedArray } from "../dtype.js";
import { dtypeOfArray, typedArrayOn } from "../dtype.js";

/** Blocks are multiples of this many bytes (a cache line), so block sizes and offsets encode exactly
 * in one number (see `encode`) and every block starts 16-byte aligned for the SIMD kernels. */
const BLOCK = 64;

function roundUp(bytes: number): number {
  return Math.ceil(bytes / BLOCK) * BLOCK;
}

/** One number for (offset, size) of a block: both are multiples of 64 below 2^32, so offset/64 and
 * size/64 fit in 26 bits each and their combination is an exact float64 integer. */
function encode(at: number, bytes: number): number {
  return (at / BLOCK) * 2 ** 26 + bytes / BLOCK;
}

/**
 * Blocks of a wasm linear memory's region [base, limit) handed out as tensor storage, so that the
 * kernels read and write tensors where they are instead of copying them in and out for every op.
 *
 * A block returns here when its tensor is disposed (`free`), or, for tensors nobody disposes, when
 * the garbage collector has collected the typed array that views it (a FinalizationRegistry; its
 * callbacks run only between tasks, never inside a synchronous loop). Until then the block stays
 * taken, so nothing a live view can still read is handed out again. When no block is free,
 * `alloc` says so (null) and the caller uses ordinary memory: a loop that disposes nothing is as fast
 * as without the heap, never wrong.
 *
 * The wasm backend allocates and frees typed arrays (`allocView`, `freeView`): a freed block keeps
 * its view and that view's tie to the registry, and the next request of the same type and length
 * gets the very same view back, so a steady loop makes no new views and no new ties (each a call
 * into the engine) for its results.
 *
 * Freed blocks wait in lists by exact size (a training loop asks for the same few sizes every step);
 * when neither a list nor the untouched top has room, adjacent free blocks are merged and the
 * smallest that fits is split.
 */
export class ResidentHeap {
  /** Bytes below this were never handed out (still zero, as a fresh wasm memory is). */
  private top: number;
  /** Bytes below this were handed out at some time (may hold old values). */
  private touched: number;
  /** Free blocks by size in bytes: their offsets. */
  private readonly lists = new Map<number, number[]>();
  /** Free blocks by size in bytes that keep the typed array that viewed them, still tied to it
   * (`freeView`): a later `allocView` of the same type and length takes the view itself, with no
   * new view and no new tie to make; one of another type or length takes its block. */
  private readonly viewLists = new Map<number, TypedArray[]>();
  /** Whether a block was freed since the last merge (merging again finds nothing new otherwise). */
  private freedSinceMerge = false;
  private readonly registry = new FinalizationRegistry<number>((code) => {
    this.stats.collected++;
    const bytes = (code % 2 ** 26) * BLOCK;
    this.release(((code - bytes / BLOCK) / 2 ** 26) * BLOCK, bytes);
  });
  /** For measurements and tests: blocks handed out, freed by dispose, freed after collection;
   * allocations that found no room; bytes in use now and at most. */
  readonly stats = { allocs: 0, freed: 0, collected: 0, refused: 0, liveBytes: 0, peakBytes: 0 };
  /** Whether the view the last `allocView` returned still holds zeros (never handed out before). */
  zeroed = false;

  constructor(
    private readonly base: number,
    private readonly limit: number,
  ) {
    this.top = base;
    this.touched = base;
  }

  /** Bytes the heap can hand out in all. */
  get capacity(): number {
    return this.limit - this.base;
  }

  /**
   * A block of at least `bytes` bytes: its offset `at`, and `zeroed`, whether it still holds zeros
   * (never handed out before); null when no block is free.
   */
  alloc(bytes: number): { at: number; zeroed: boolean } | null {
    const size = roundUp(bytes);
    let at = this.lists.get(size)?.pop();
    let zeroed = false;
    if (at === undefined) {
      if (this.top + size > this.limit && this.freedSinceMerge) this.merge();
      if (this.top + size <= this.limit) {
        at = this.top;
        this.top += size;
        zeroed = at >= this.touched;
        if (this.top > this.touched) this.touched = this.top;
      } else {
        at = this.bestFit(size);
        if (at < 0) {
          this.stats.refused++;
          return null;
        }
      }
    }
    this.taken(size);
    return { at, zeroed };
  }

  private taken(size: number): void {
    this.stats.allocs++;
    this.stats.liveBytes += size;
    if (this.stats.liveBytes > this.stats.peakBytes) this.stats.peakBytes = this.stats.liveBytes;
  }

  /**
   * A typed array of `length` elements of `dtype` on a block of `buffer` (the memory's buffer, which
   * the heap's offsets index), tied to the block as by `track`; null when no block is free.
   * `zeroed` tells whether it still holds zeros. Unless a block of its size was freed without its
   * view, a block freed by `freeView` with a view of this type and length comes back with that very
   * view (a training loop asks for the same few every step).
   */
  allocView(dtype: DType, length: number, buffer: ArrayBufferLike, bytes: number): TypedArray | null {
    const size = roundUp(bytes);
    // A block freed without its view (one whose view was collected) first, as `alloc` takes it.
    const views = this.lists.get(size)?.length ? undefined : this.viewLists.get(size);
    if (views !== undefined && views.length > 0) {
      this.taken(size);
      this.zeroed = false;
      let i = views.length - 1;
      while (i >= 0 && !(views[i]!.length === length && dtypeOfArray(views[i]!) === dtype)) i--;
      if (i >= 0) {
        const view = views[i]!;
        views[i] = views[views.length - 1]!;
        views.pop();
        return view;
      }
      // Only views of another type or length: the last one's block, viewed anew.
      const old = views.pop()!;
      this.registry.unregister(old);
      const view = typedArrayOn(dtype, buffer, old.byteOffset, length);
      this.track(view);
      return view;
    }
    const block = this.alloc(bytes);
    if (block === null) return null;
    this.zeroed = block.zeroed;
    const view = typedArrayOn(dtype, buffer, block.at, length);
    this.track(view);
    return view;
  }

  /** Returns the block under `view` (which `allocView` gave) for reuse, keeping the view and its
   * tie for the next `allocView` of its type and length. */
  freeView(view: TypedArray): void {
    const size = roundUp(view.byteLength);
    this.stats.freed++;
    this.stats.liveBytes -= size;
    push(this.viewLists, size, view);
    this.freedSinceMerge = true;
  }

  /** Ties the block under `view` to the view's life: freed when the view is collected, unless
   * `free(view)` ran first. */
  track(view: ArrayBufferView): void {
    this.registry.register(view, encode(view.byteOffset, roundUp(view.byteLength)), view);
  }

  /** Returns the block under `view` (which `alloc` gave and `track` tied) for reuse. */
  free(view: ArrayBufferView): void {
    this.registry.unregister(view);
    this.stats.freed++;
    this.release(view.byteOffset, roundUp(view.byteLength));
  }

  private release(at: number, size: number): void {
    this.stats.liveBytes -= size;
    push(this.lists, size, at);
    this.freedSinceMerge = true;
  }

  /** Merges adjacent free blocks; a free block that ends at the top lowers the top. */
  private merge(): void {
    this.freedSinceMerge = false;
    // Blocks that kept their views join the others: untied, their views dropped.
    for (const [size, views] of this.viewLists) {
      for (const view of views) {
        this.registry.unregister(view);
        this.addFree(view.byteOffset, size);
      }
    }
    this.viewLists.clear();
    const blocks: [number, number][] = [];
    for (const [size, list] of this.lists) for (const at of list) blocks.push([at, size]);
    this.lists.clear();
    blocks.sort((x, y) => x[0] - y[0]);
    const merged: [number, number][] = [];
    for (const block of blocks) {
      const last = merged[merged.length - 1];
      if (last !== undefined && last[0] + last[1] === block[0]) last[1] += block[1];
      else merged.push([block[0], block[1]]);
    }
    const last = merged[merged.length - 1];
    if (last !== undefined && last[0] + last[1] === this.top) {
      this.top = last[0];
      merged.pop();
    }
    for (const [at, size] of merged) this.addFree(at, size);
  }

  private addFree(at: number, size: number): void {
    push(this.lists, size, at);
  }

  /** The smallest free block of at least `size` bytes, split to `size` (the rest stays free); -1: none. */
  private bestFit(size: number): number {
    let best = Number.POSITIVE_INFINITY;
    for (const [s, list] of this.lists) if (s >= size && s < best && list.length > 0) best = s;
    if (best === Number.POSITIVE_INFINITY) return -1;
    const at = this.lists.get(best)!.pop()!;
    if (best > size) this.addFree(at + size, best - size);
    return at;
  }
}

/** Appends `value` to the list of `size` in `lists`, making the list when there is none. */
function push<T>(lists: Map<number, T[]>, size: number, value: T): void {
  const list = lists.get(size);
  if (list === undefined) lists.set(size, [value]);
  else list.push(value);
}

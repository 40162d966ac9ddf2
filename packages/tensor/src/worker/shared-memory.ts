import type { DType, TypedArray } from "../dtype.js";
import { bytesPerElement, dtypeOfArray, typedArrayOn } from "../dtype.js";

/**
 * V8 (Node 20, Chromium) does not count SharedArrayBuffer memory when it decides to collect
 * garbage, so a loop that makes shared tensors and little other garbage grows without bound
 * (measured: 1.6 GB of dead 640 kB buffers after 2500 allocations, freed only by an explicit GC).
 * A plain ArrayBuffer of the same size is counted: allocating and dropping one per shared buffer
 * makes the collector run as often as it would for ordinary tensors (the same loop then stays near
 * 70 MB), and costs no more than the page faults it saves. Workers do the same for the buffers they
 * receive, since each thread keeps its own references until its own collector runs.
 */
const PRESSURE_MIN_BYTES = 4096;

function pressure(bytes: number): void {
  if (bytes >= PRESSURE_MIN_BYTES) new ArrayBuffer(bytes);
}

/** Zero-filled storage over a fresh SharedArrayBuffer. */
export function allocShared(dtype: DType, size: number): TypedArray {
  const bytes = size * bytesPerElement(dtype);
  pressure(bytes);
  return typedArrayOn(dtype, new SharedArrayBuffer(bytes), 0, size);
}

export function isShared(a: TypedArray): boolean {
  return a.buffer instanceof SharedArrayBuffer;
}

/** `a` itself when it is in shared memory, else a copy in shared memory (a tensor made on another
 * backend or over a caller's own array can still be read by the workers). */
export function toShared<T extends TypedArray>(a: T): T {
  if (isShared(a)) return a;
  const copy = typedArrayOn(dtypeOfArray(a), new SharedArrayBuffer(a.byteLength), 0, a.length) as T;
  pressure(a.byteLength);
  copy.set(a);
  return copy;
}

/** Called by a worker after a task, for the shared arrays it received (see above). */
export function sharedMemoryPressure(arrays: readonly TypedArray[]): void {
  let bytes = 0;
  for (const a of arrays) bytes += a.byteLength;
  pressure(bytes);
}


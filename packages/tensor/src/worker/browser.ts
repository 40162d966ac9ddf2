// "@bp/tensor/worker" in browsers: the worker backend on module Web Workers.
import { checkOptions } from "../shape.js";
import { browserThreadHost } from "./browser-thread-host.js";
import { ThreadPoolBackend, whenReady, type WorkerBackendOptions } from "./thread-pool-backend.js";

export type { WorkerBackendOptions } from "./thread-pool-backend.js";
export { ThreadPoolBackend } from "./thread-pool-backend.js";

/**
 * The wasm backend's kernels (the cpu backend's with `{ wasm: false }`) on a pool of module Web
 * Workers, with tensors in one shared WebAssembly memory: same results bit for bit, large ops split
 * between threads (each op's threshold is in its record of `OPS`). Ops are
 * synchronous, so the calling thread blocks in Atomics.wait: create it inside a dedicated Worker of
 * a cross-origin isolated page (COOP/COEP headers). Elsewhere the constructor throws a
 * BackendError saying why. New workers start only once the creating thread returns to its event
 * loop: `await createWorkerBackend()` (or `backend.ready()`) before timing anything.
 *
 * ```ts
 * const backend = await createWorkerBackend({ threads: 2 });
 * const y = randn([512, 512], { backend }).matmul(randn([512, 512], { backend }));
 * backend.dispose();
 * ```
 */
export class WorkerBackend extends ThreadPoolBackend {
  constructor(options: WorkerBackendOptions = {}) {
    super(options, browserThreadHost);
  }
}

/** A WorkerBackend whose workers have all started (a new one works at once, on fewer threads). */
export function createWorkerBackend(options: WorkerBackendOptions = {}): Promise<WorkerBackend> {
  checkOptions("createWorkerBackend", options, "options");
  return whenReady(new WorkerBackend(options));
}

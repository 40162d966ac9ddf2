// "@bp/tensor/worker" in Node: the worker backend on worker_threads.
import { checkOptions } from "../shape.js";
import { nodeThreadHost } from "./node-thread-host.js";
import { ThreadPoolBackend, whenReady, type WorkerBackendOptions } from "./thread-pool-backend.js";

export type { WorkerBackendOptions } from "./thread-pool-backend.js";
export { ThreadPoolBackend } from "./thread-pool-backend.js";

/**
 * The wasm backend's kernels (the cpu backend's with `{ wasm: false }`) on a pool of `worker_threads`,
 * with tensors in one shared WebAssembly memory: same results bit for bit, large ops split between
 * threads (each op's threshold is in its record of `OPS`). Ops are
 * synchronous. Workers are unref'd, so they never keep the process alive; `dispose()` ends them.
 *
 * ```ts
 * const backend = await createWorkerBackend({ threads: 2 });
 * const y = randn([512, 512], { backend }).matmul(randn([512, 512], { backend }));
 * backend.dispose();
 * ```
 */
export class WorkerBackend extends ThreadPoolBackend {
  constructor(options: WorkerBackendOptions = {}) {
    super(options, nodeThreadHost);
  }
}

/** A WorkerBackend whose workers have all started (a new one works at once, on fewer threads). */
export function createWorkerBackend(options: WorkerBackendOptions = {}): Promise<WorkerBackend> {
  checkOptions("createWorkerBackend", options, "options");
  return whenReady(new WorkerBackend(options));
}

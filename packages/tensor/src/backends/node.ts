// "@bp/tensor/backends" in Node: every backend by name (the worker backend on worker_threads).
import { availableParallelism } from "node:os";
import { checkOptions } from "../shape.js";
import type { Backend } from "../backend.js";
import { createWorkerBackend, type WorkerBackendOptions } from "../worker/node.js";
import { chooseBackend, type BackendName } from "./choose.js";

export { BACKEND_NAMES, type BackendName } from "./choose.js";

/**
 * A ready backend by name: "cpu", "wasm", "worker" (with `worker` options), or "auto" (default), the
 * fastest that works here. Results are the same bit for bit whichever runs; `backend.name` says
 * which one "auto" chose. Dispose it when done (a no-op for cpu and wasm).
 *
 * ```ts
 * const backend = await createBackend("auto");
 * console.log(backend.name); // "worker" with 2 or more cores, else "wasm" (or "cpu" without wasm SIMD)
 * ```
 */
export function createBackend(
  name: BackendName = "auto",
  options: { worker?: WorkerBackendOptions } = {},
): Promise<Backend> {
  checkOptions("createBackend", options, "options");
  return chooseBackend(name, () => createWorkerBackend(options.worker), availableParallelism() >= 2);
}

// "@bp/tensor/backends" in browsers: every backend by name (the worker backend on module Web Workers).
import { checkOptions } from "../shape.js";
import type { Backend } from "../backend.js";
import { createWorkerBackend, type WorkerBackendOptions } from "../worker/browser.js";
import { chooseBackend, type BackendName } from "./choose.js";

export { BACKEND_NAMES, type BackendName } from "./choose.js";

/**
 * A ready backend by name: "cpu", "wasm", "worker" (with `worker` options), or "auto" (default), the
 * fastest that works here. Results are the same bit for bit whichever runs; `backend.name` says
 * which one "auto" chose. Dispose it when done (a no-op for cpu and wasm).
 *
 * ```ts
 * const backend = await createBackend("auto");
 * console.log(backend.name); // "wasm" where WebAssembly SIMD works, else "cpu"
 * ```
 *
 * In browsers "auto" never picks the worker backend: it needs a cross-origin isolated page and a
 * dedicated Worker to block in; ask for "worker" where you have both.
 */
export function createBackend(
  name: BackendName = "auto",
  options: { worker?: WorkerBackendOptions } = {},
): Promise<Backend> {
  checkOptions("createBackend", options, "options");
  return chooseBackend(name, () => createWorkerBackend(options.worker));
}

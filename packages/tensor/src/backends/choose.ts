import type { Backend } from "../backend.js";
import { cpu } from "../cpu.js";
import { ValueError } from "../errors.js";
import { createWasmBackend } from "../wasm/backend.js";
import { missingWasmFeature } from "../wasm/module.js";

/** The backends `createBackend` knows; "auto" picks the fastest that works here. */
export const BACKEND_NAMES = ["auto", "cpu", "wasm", "worker"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/**
 * The backend named `name`, made ready. "auto": where WebAssembly SIMD works, the worker backend
 * when `workerPays` (Node with at least two cores: measured on 2 cores, it runs the book's training
 * fastest, see the README) and the wasm backend otherwise (browsers, one core, or a worker backend
 * that fails to start); "cpu" without WebAssembly SIMD. Every backend gives the same numbers bit for
 * bit, so the choice changes only the speed.
 */
export async function chooseBackend(
  name: string,
  makeWorker: () => Promise<Backend>,
  workerPays = false,
): Promise<Backend> {
  switch (name) {
    case "cpu":
      return cpu;
    case "wasm":
      return createWasmBackend();
    case "worker":
      return makeWorker();
    case "auto":
      if (missingWasmFeature() !== null) return cpu;
      if (workerPays) {
        try {
          return await makeWorker();
        } catch {
          // No threads here after all (a sandbox without worker_threads): one thread is fine.
        }
      }
      return createWasmBackend();
    default:
      throw new ValueError(
        "createBackend",
        `unknown backend ${JSON.stringify(name)}; expected one of ${BACKEND_NAMES.join(", ")}`,
      );
  }
}

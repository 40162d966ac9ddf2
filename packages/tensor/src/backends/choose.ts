import type { Backend } from "../backend.js";
import { cpu } from "../cpu.js";
import { ValueError } from "../errors.js";
import { createWasmBackend } from "../wasm/backend.js";
import { missingWasmFeature } from "../wasm/module.js";

/** The backends `createBackend` knows; "auto" picks the fastest that works here. */
export const BACKEND_NAMES = ["auto", "cpu", "wasm", "worker"] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/**
 * The backend named `name`, made ready. "auto" is "wasm" where WebAssembly SIMD works, else "cpu":
 * measured on 2 cores, the wasm backend trains the book's network fastest (see the README), and
 * every backend gives the same numbers bit for bit, so the choice changes only the speed.
 */
export async function chooseBackend(name: string, makeWorker: () => Promise<Backend>): Promise<Backend> {
  switch (name) {
    case "cpu":
      return cpu;
    case "wasm":
      return createWasmBackend();
    case "worker":
      return makeWorker();
    case "auto":
      return missingWasmFeature() === null ? createWasmBackend() : cpu;
    default:
      throw new ValueError(
        "createBackend",
        `unknown backend ${JSON.stringify(name)}; expected one of ${BACKEND_NAMES.join(", ")}`,
      );
  }
}

// Which backends the page can offer, and why the others are disabled. The training worker builds
// the chosen one with the library's createBackend; this only decides what the form offers.
import { BACKEND_NAMES, type BackendName } from "@bp/tensor/backends";
import { missingWasmFeature } from "@bp/tensor/wasm";

export interface BackendChoice {
  /** What the select offers; only names the worker can build are enabled. */
  name: BackendName;
  available: boolean;
  /** One sentence: what it is, or why it cannot be used here. */
  reason: string;
  /** A few words for a disabled option. */
  short: string;
}

export interface Backends {
  choices: BackendChoice[];
  /** The one the form starts with. */
  preferred: BackendName;
  isAvailable(name: string): name is BackendName;
}

export function detectBackends(isolated: boolean): Backends {
  const shared = typeof SharedArrayBuffer !== "undefined";
  const wasmMissing = missingWasmFeature();
  const byName: Record<BackendName, BackendChoice> = {
    cpu: {
      name: "cpu",
      available: true,
      short: "",
      reason: "pure TypeScript in the training Worker; always available",
    },
    wasm:
      wasmMissing === null
        ? {
            name: "wasm",
            available: true,
            short: "",
            reason: "matrix products in WebAssembly SIMD; the same numbers as cpu, bit for bit",
          }
        : { name: "wasm", available: false, short: "no WebAssembly SIMD", reason: `unavailable: ${wasmMissing}` },
    worker:
      isolated && shared
        ? {
            name: "worker",
            available: true,
            short: "",
            reason: "splits matrix products between Workers over shared memory; the same numbers as cpu, bit for bit",
          }
        : {
            name: "worker",
            available: false,
            short: "page not cross-origin isolated",
            reason:
              "unavailable: needs SharedArrayBuffer, which needs a cross-origin isolated page (headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)",
          },
    auto: {
      name: "auto",
      available: true,
      short: "",
      reason: `the library's choice of the fastest backend that works here (${wasmMissing === null ? "wasm" : "cpu"} in this browser); the same numbers whichever it picks`,
    },
  };
  // In the library's order (`BACKEND_NAMES`, what `bp train --backend` lists).
  const choices = BACKEND_NAMES.map((name) => byName[name]);
  const isAvailable = (name: string): name is BackendName => choices.some((c) => c.name === name && c.available);
  return { choices, preferred: "auto", isAvailable };
}

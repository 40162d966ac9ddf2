// Which backends the page can offer, and why the others are disabled. The training worker builds
// the chosen one; this only decides what the form offers.
import type { BackendName } from "./messages.js";

export interface BackendChoice {
  /** What the select offers; only names the worker can build are enabled. */
  name: BackendName | "wasm" | "auto";
  available: boolean;
  /** One sentence: what it is, or why it cannot be used here. */
  reason: string;
}

export interface Backends {
  choices: BackendChoice[];
  /** The one the form starts with. */
  preferred: BackendName;
  isAvailable(name: string): name is BackendName;
}

export function detectBackends(isolated: boolean): Backends {
  const shared = typeof SharedArrayBuffer !== "undefined";
  const choices: BackendChoice[] = [
    { name: "cpu", available: true, reason: "pure TypeScript in the training Worker; always available" },
    isolated && shared
      ? { name: "worker", available: true, reason: "splits matrix products between Workers over shared memory" }
      : {
          name: "worker",
          available: false,
          reason:
            "needs SharedArrayBuffer, which needs a cross-origin isolated page (headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)",
        },
    { name: "wasm", available: false, reason: "not in this build: @bp/tensor has no WebAssembly backend yet" },
    { name: "auto", available: false, reason: 'not in this build: @bp/tensor has no createBackend("auto") yet' },
  ];
  const isAvailable = (name: string): name is BackendName => choices.some((c) => c.name === name && c.available);
  return { choices, preferred: isAvailable("worker") ? "worker" : "cpu", isAvailable };
}

// Which backends the page can offer, and why the others are disabled. The training worker builds
// the chosen one with the library's createBackend; this only decides what the form offers.
import { BACKEND_NAMES, type BackendName } from "@bp/tensor/backends";
import { missingWasmFeature } from "@bp/tensor/wasm";
import { type MessageKey, type Params, t } from "./i18n/index.js";

export interface BackendChoice {
  /** What the select offers; only names the worker can build are enabled. */
  name: BackendName;
  available: boolean;
  /** One sentence: what it is, or why it cannot be used here (in the page's language). */
  readonly reason: string;
  /** A few words for a disabled option (in the page's language). */
  readonly short: string;
}

/** A choice whose texts are read in the language of the moment. */
function choice(
  name: BackendName,
  available: boolean,
  reason: MessageKey,
  params: Params = {},
  short?: MessageKey,
): BackendChoice {
  return {
    name,
    available,
    get reason() {
      return t(reason, params);
    },
    get short() {
      return short === undefined ? "" : t(short);
    },
  };
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
    cpu: choice("cpu", true, "backend.cpu"),
    wasm:
      wasmMissing === null
        ? choice("wasm", true, "backend.wasm")
        : // (the library's reason, in English: it names the missing WebAssembly feature)
          choice("wasm", false, "backend.wasmMissing", { why: wasmMissing }, "backend.wasmShort"),
    worker:
      isolated && shared
        ? choice("worker", true, "backend.worker")
        : choice("worker", false, "backend.workerMissing", {}, "backend.workerShort"),
    auto: choice("auto", true, "backend.auto", { pick: wasmMissing === null ? "wasm" : "cpu" }),
  };
  // In the library's order (`BACKEND_NAMES`, what `bp train --backend` lists).
  const choices = BACKEND_NAMES.map((name) => byName[name]);
  const isAvailable = (name: string): name is BackendName => choices.some((c) => c.name === name && c.available);
  return { choices, preferred: "auto", isAvailable };
}

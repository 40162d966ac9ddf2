// The backends the benchmark measures, one entry each. Every entry produces rows; an entry with
// `vs` gets a ratio column against that backend's row for the same bench, shape and dtype (or its
// float32 row when that backend has no such dtype). Add a backend by adding an entry here.
import { cpu } from "@bp/tensor";
import { createWasmBackend } from "@bp/tensor/wasm";
import { createWorkerBackend } from "@bp/tensor/worker";
import { bpBackend } from "./bp-target.js";
import type { BenchBackend } from "./target.js";
import { tfjsCpu, tfjsWasm } from "./tfjs-target.js";

export const BACKENDS: readonly BenchBackend[] = [
  tfjsCpu(),
  tfjsWasm(),
  bpBackend({ name: "cpu", make: () => cpu, vs: "tfjs-cpu" }),
  bpBackend({ name: "wasm", make: () => createWasmBackend(), vs: "cpu" }),
  // Threads: BP_THREADS, else the machine's available parallelism (the calling thread included).
  bpBackend({ name: "worker", make: () => createWorkerBackend(workerThreads()), vs: "cpu" }),
];

function workerThreads(): { threads?: number } {
  const env = process.env.BP_THREADS;
  if (env === undefined || env === "") return {};
  const threads = Number(env);
  if (!Number.isInteger(threads) || threads < 1)
    throw new Error(`bench: BP_THREADS must be a positive integer, got ${JSON.stringify(env)}`);
  return { threads };
}

// Runs in a dedicated Worker started by worker.browser.ts: creates the worker backend there (the
// only kind of browser thread where it can block), runs a matmul and a short training on it, and
// posts the numbers back to the page.
import { randn } from "../src/index.js";
import { createWorkerBackend } from "../src/worker/browser.js";
import { trainTinyNet, type TrainingResult } from "./worker-training.js";
import { poolOf, splitEveryOp } from "../src/worker/internals.js";

export interface JobResult {
  matmul: Float64Array;
  matmulF32: Float32Array;
  training: TrainingResult;
  threads: number;
  readyWorkers: number;
  /** Whether the matrix products ran the wasm kernel in every thread. */
  wasm: boolean;
  stats: { split: number; inline: number };
  error?: string;
}

const scope = globalThis as unknown as {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(msg: unknown): void;
};

scope.onmessage = async () => {
  try {
    const backend = await createWorkerBackend({ threads: 2 }).then(splitEveryOp);
    const a = randn([257, 129], { seed: 1, backend });
    const b = randn([129, 65], { seed: 2, backend });
    const matmul = Float64Array.from(a.matmul(b).data);
    const matmulF32 = Float32Array.from(a.cast("float32").matmul(b.cast("float32"), { transposeB: false }).data);
    const training = trainTinyNet(backend);
    const result: JobResult = {
      matmul,
      matmulF32,
      training,
      threads: backend.threads,
      readyWorkers: poolOf(backend).readyWorkers(),
      wasm: backend.wasm,
      stats: { ...backend.stats },
    };
    backend.dispose();
    scope.postMessage(result);
  } catch (e) {
    scope.postMessage({ error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
};

// The conformance suite on the worker backend: once with every op split between three threads
// (so each kernel runs in slices on several threads), once more so with the TypeScript kernels only
// (the fallback where WebAssembly SIMD is missing), once with the default split policy.
import { createWorkerBackend } from "../src/worker/node.js";
import { runConformanceSuite } from "./conformance/suite.js";
import { splitEveryOp } from "../src/worker/internals.js";

runConformanceSuite("worker, 3 threads, every op split", () => createWorkerBackend({ threads: 3 }).then(splitEveryOp), {
  timeout: 120_000,
});
runConformanceSuite(
  "worker, 3 threads, every op split, TypeScript kernels (wasm: false)",
  () => createWorkerBackend({ threads: 3, wasm: false }).then(splitEveryOp),
  { timeout: 120_000 },
);
runConformanceSuite("worker, 2 threads, default split policy", () => createWorkerBackend({ threads: 2 }), {
  timeout: 120_000,
});

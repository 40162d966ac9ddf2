// `fused` on the worker backend with the TypeScript kernels (wasm: false), every op split between
// three threads, against the ops run one by one (on it and on cpu). In a file of its own: this
// backend's shared staging memory grows, after which the engine hands out new buffer objects for
// every other shared memory in the process, so another worker backend's arrays no longer look
// resident (see fused.test.ts for those backends).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type WorkerBackend, createWorkerBackend } from "../src/worker/node.js";
import { splitEveryOp } from "../src/worker/internals.js";
import { LENGTHS, checkAdam, checkEachOp } from "./fused-cases.js";

let worker: WorkerBackend;

beforeAll(async () => {
  worker = await createWorkerBackend({ threads: 3, wasm: false }).then(splitEveryOp);
});

afterAll(() => {
  worker.dispose();
});

describe("fused on the worker backend's TypeScript kernels", () => {
  for (const dtype of ["float64", "float32"] as const) {
    it(`Adam and every unary op, ${dtype}, lengths 1-20, around the blocks, 432000`, () => {
      for (const n of LENGTHS) checkAdam(worker, dtype, n, `worker (TypeScript) ${dtype} n=${n}`);
    });

    it(`each op alone, ${dtype}`, () => {
      checkEachOp(worker, dtype, "worker (TypeScript)");
      expect(worker.stats.split).toBeGreaterThan(0);
    });
  }
});

// createBackend: every backend by name, and "auto" picking the fastest that works here. Whichever
// it picks, the numbers are the same bit for bit.
import { afterEach, describe, expect, it, vi } from "vitest";
import { availableParallelism } from "node:os";
import { type Backend, BackendError, ValueError, cpu, randn } from "../src/index.js";
import { chooseBackend } from "../src/backends/choose.js";
import { BACKEND_NAMES, createBackend, type BackendName } from "../src/backends/node.js";
import { createWorkerBackend } from "../src/worker/node.js";
import { splitEveryOp } from "../src/worker/internals.js";
import { ThreadPoolBackend } from "../src/worker/thread-pool-backend.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("createBackend", () => {
  it('"auto" on Node is the worker backend with two or more cores, else wasm (WebAssembly SIMD works on Node 20)', async () => {
    const expected = availableParallelism() >= 2 ? "worker" : "wasm";
    for (const backend of [await createBackend(), await createBackend("auto")]) {
      expect(backend.name).toBe(expected);
      backend.dispose();
    }
  });

  it('"auto" picks wasm where the worker does not pay, or fails to start', async () => {
    const worker = async (): Promise<Backend> => {
      throw new BackendError("WorkerBackend", "cannot run here: no worker_threads (simulated)");
    };
    expect((await chooseBackend("auto", worker, false)).name).toBe("wasm");
    expect((await chooseBackend("auto", worker, true)).name).toBe("wasm");
    const made = await chooseBackend("auto", () => createWorkerBackend({ threads: 2 }), true);
    expect(made.name).toBe("worker");
    made.dispose();
  });

  it('"auto" falls back to cpu where WebAssembly SIMD is missing (simulated)', async () => {
    vi.spyOn(WebAssembly, "validate").mockReturnValue(false);
    expect(await createBackend("auto")).toBe(cpu);
  });

  it("makes each named backend, and all give the same bits", async () => {
    const results: Float64Array[] = [];
    for (const name of BACKEND_NAMES) {
      const backend = await createBackend(name, { worker: { threads: 2 } });
      if (backend instanceof ThreadPoolBackend) splitEveryOp(backend);
      expect(backend.name).toBe(name === "auto" ? (availableParallelism() >= 2 ? "worker" : "wasm") : name);
      const x = randn([30, 70], { seed: 3, backend });
      const w = randn([70, 20], { seed: 4, backend });
      results.push(Float64Array.from(x.matmul(w).relu().sum(0).data));
      backend.dispose();
    }
    for (const r of results.slice(1)) expect(Array.from(r)).toEqual(Array.from(results[0]!));
  }, 60_000);

  it("rejects an unknown name with a ValueError listing the names", async () => {
    await expect(createBackend("gpu" as BackendName)).rejects.toThrow(ValueError);
    await expect(createBackend("gpu" as BackendName)).rejects.toThrow(
      'createBackend: unknown backend "gpu"; expected one of auto, cpu, wasm, worker',
    );
  });
});

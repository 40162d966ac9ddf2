// createBackend: every backend by name, and "auto" picking the fastest that works here. Whichever
// it picks, the numbers are the same bit for bit.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ValueError, cpu, randn } from "../src/index.js";
import { BACKEND_NAMES, createBackend, type BackendName } from "../src/backends/node.js";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("createBackend", () => {
  it('"auto" is the wasm backend where WebAssembly SIMD works (it does on Node 20)', async () => {
    expect((await createBackend()).name).toBe("wasm");
    expect((await createBackend("auto")).name).toBe("wasm");
  });

  it('"auto" falls back to cpu where WebAssembly SIMD is missing (simulated)', async () => {
    vi.spyOn(WebAssembly, "validate").mockReturnValue(false);
    expect(await createBackend("auto")).toBe(cpu);
  });

  it("makes each named backend, and all give the same bits", async () => {
    const results: Float64Array[] = [];
    for (const name of BACKEND_NAMES) {
      const backend = await createBackend(name, { worker: { threads: 2, split: "always" } });
      expect(backend.name).toBe(name === "auto" ? "wasm" : name);
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

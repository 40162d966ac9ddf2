// The worker backend in real Chromium (vitest browser mode, see vitest.browser.config.ts). It must
// run inside a dedicated Worker of a cross-origin isolated page; on the page itself it must refuse
// clearly instead of hanging.
import { describe, expect, it } from "vitest";
import { BackendError, randn } from "../src/index.js";
import { WorkerBackend } from "../src/worker/browser.js";
import type { JobResult } from "./worker-browser-job.js";
import { trainTinyNet } from "./worker-training.js";

function runJob(): Promise<JobResult> {
  const job = new Worker(new URL("./worker-browser-job.ts", import.meta.url), { type: "module" });
  return new Promise((resolve, reject) => {
    job.onmessage = (e: MessageEvent<JobResult>) => {
      job.terminate();
      if (e.data.error !== undefined) reject(new Error(e.data.error));
      else resolve(e.data);
    };
    job.onerror = (e) => {
      job.terminate();
      reject(new Error(`the dedicated worker failed: ${e.message}`));
    };
    job.postMessage("start");
  });
}

function sameBits(a: Float64Array | Float32Array, b: Float64Array | Float32Array): boolean {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

describe("worker backend in Chromium", () => {
  it("the test page is cross-origin isolated (COOP/COEP), so SharedArrayBuffer exists", () => {
    expect(globalThis.crossOriginIsolated).toBe(true);
    expect(typeof SharedArrayBuffer).toBe("function");
  });

  it("refuses to be created on the page's main thread, saying to use a dedicated Worker", () => {
    expect(() => new WorkerBackend({ threads: 2 })).toThrow(BackendError);
    expect(() => new WorkerBackend({ threads: 2 })).toThrow(
      "WorkerBackend: cannot run here: Atomics.wait is not allowed on this thread (a page's main thread): create the backend inside a dedicated Worker. Use the cpu backend on this thread.",
    );
  });

  it("refuses on a page that is not cross-origin isolated, naming the headers", () => {
    const own = Object.getOwnPropertyDescriptor(globalThis, "crossOriginIsolated");
    Object.defineProperty(globalThis, "crossOriginIsolated", { value: false, configurable: true });
    try {
      expect(() => new WorkerBackend()).toThrow(
        /^WorkerBackend: cannot run here: SharedArrayBuffer is unavailable because the page is not cross-origin isolated \(serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp\)/,
      );
    } finally {
      if (own !== undefined) Object.defineProperty(globalThis, "crossOriginIsolated", own);
      else delete (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
    }
    expect(globalThis.crossOriginIsolated).toBe(true);
  });

  it("inside a dedicated Worker: a matmul and a short training equal the cpu backend's bit for bit", async () => {
    const result = await runJob();
    expect(result.threads).toBe(2);
    expect(result.readyWorkers).toBe(1);
    expect(result.wasm).toBe(true); // the wasm kernels ran in the page's Worker and in its own worker
    expect(result.stats.split).toBeGreaterThan(200); // the ops really ran on two threads

    const a = randn([257, 129], { seed: 1 });
    const b = randn([129, 65], { seed: 2 });
    expect(sameBits(result.matmul, a.matmul(b).data as Float64Array)).toBe(true);
    const f32 = a.cast("float32").matmul(b.cast("float32")).data as Float32Array;
    expect(sameBits(result.matmulF32, f32)).toBe(true);

    const expected = trainTinyNet(randn([1]).backend);
    expect(result.training.losses).toEqual(expected.losses);
    // The loss went down: the net trained (2.30 ~ ln 10 at the start).
    expect(expected.losses[0]).toBeGreaterThan(expected.losses[expected.losses.length - 1]! + 0.3);
    for (const key of ["W1", "b1", "W2", "b2"] as const) {
      expect(sameBits(result.training.weights[key], expected.weights[key]), key).toBe(true);
    }
  });
});

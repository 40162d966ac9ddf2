// Faults on worker threads reach the calling thread as errors, never as a hang: a kernel that
// throws (the backend stays usable), a worker that exits or wedges in the middle of an op, and a
// worker stopped from outside (the backend then says it is unusable).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BackendError, CpuBackend, randn, tensor, zeros, type Tensor } from "../src/index.js";
import { injectFault, killWorker, poolOf, splitEveryOp } from "../src/worker/internals.js";
import { createWorkerBackend, type WorkerBackend } from "../src/worker/node.js";

/** A worker backend with one worker, and a matmul big enough to keep that worker busy for several
 * chunks; every op is split (splitEveryOp), so every op involves the worker. */
async function setup(): Promise<{ backend: WorkerBackend; a: Tensor; b: Tensor; expected: Tensor }> {
  const backend = await createWorkerBackend({ threads: 2 }).then(splitEveryOp);
  const a = randn([120, 90], { seed: 1 });
  const b = randn([90, 70], { seed: 2 });
  return { backend, a: a.to(backend), b: b.to(backend), expected: a.matmul(b) };
}

function thrown(f: () => unknown): BackendError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BackendError);
    return e as BackendError;
  }
  throw new Error("expected the op to throw");
}

describe("faults on worker threads", () => {
  it("a kernel that throws on a worker surfaces as a BackendError with its stack; the backend still works", async () => {
    const { backend, a, b, expected } = await setup();
    injectFault(backend, 0, "throw");
    const e = thrown(() => a.matmul(b));
    expect(e.message).toMatch(
      /^matmul: a kernel threw on a worker thread \(the backend is still usable\):\nworker 0: Error: fault injected for a test: the kernel threw/,
    );
    expect(e.message).toMatch(/at TaskServer\.fire/); // the worker's stack trace comes along
    expect(Array.from(a.matmul(b).data)).toEqual(Array.from(expected.data));
    expect(Array.from(a.relu().data)).toEqual(Array.from(a.data).map((v) => (v > 0 ? v : 0)));
    backend.dispose();
  });

  it("a worker that exits in the middle of an op: an Error, then every op says the backend is unusable", async () => {
    const { backend, a, b } = await setup();
    injectFault(backend, 0, "exit");
    const e = thrown(() => a.matmul(b));
    expect(e.message).toMatch(/^matmul: worker 0 exited during the op: the worker exited/);
    expect(e.message).toMatch(/The worker backend is unusable now; create a new one\.$/);
    const later = thrown(() => a.matmul(b));
    expect(later.message).toMatch(/^matmul: the worker backend is unusable: worker 0 exited during the op/);
    expect(() => a.add(1)).toThrow(/^add: the worker backend is unusable/);
    backend.dispose();
  });

  it("a worker that stops making progress (wedged, or killed without a trace): an Error, then unusable", async () => {
    const { backend, a, b } = await setup();
    injectFault(backend, 0, "hang");
    const e = thrown(() => a.matmul(b));
    // LIVENESS_MS in thread-pool.ts is 750.
    expect(e.message).toMatch(
      /^matmul: worker 0 made no progress for \d+ ms: it crashed or is stuck\. The worker backend is unusable now/,
    );
    expect(() => a.exp()).toThrow(/^exp: the worker backend is unusable: worker 0 made no progress/);
    backend.dispose();
  });

  it("a worker terminated from outside just before an op: the op fails instead of waiting forever", async () => {
    const { backend, a, b } = await setup();
    killWorker(backend, 0); // no 'exit' event can be seen before the op: it runs synchronously
    const e = thrown(() => a.matmul(b));
    expect(e.message).toMatch(/^matmul: worker 0 made no progress for \d+ ms: it crashed or is stuck/);
    expect(() => a.matmul(b)).toThrow(/unusable/);
    backend.dispose();
  });

  it("a worker that died while idle is reported by the next op", async () => {
    const { backend, a, b } = await setup();
    killWorker(backend, 0);
    // Let the event loop deliver the worker's 'exit' event (bounded: a second at most here).
    for (let i = 0; i < 100 && poolOf(backend).readyWorkers() === 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(poolOf(backend).readyWorkers()).toBe(0);
    const e = thrown(() => a.matmul(b));
    expect(e.message).toMatch(
      /^matmul: worker 0 went away: the worker exited with code 1\. The worker backend is unusable now/,
    );
    backend.dispose();
  });

  it("a disposed backend makes no tensors: factories, .to() and scalar operands name the op (issue 20, item 7)", async () => {
    const { backend, a } = await setup();
    backend.dispose();
    const disposed = /the worker backend was disposed; create a new one$/;
    for (const [op, make] of [
      ["randn", () => randn([64, 64], { backend })],
      ["zeros", () => zeros([3], { backend })],
      ["tensor", () => tensor([1, 2, 3], { backend })],
      ["tensor", () => tensor(new Float32Array(4), { backend })],
      ["to", () => randn([2, 2]).to(backend)],
      ["add", () => a.add(1)],
    ] as const) {
      const e = thrown(make);
      expect(e, op).toBeInstanceOf(BackendError);
      expect((e as BackendError).op, op).toBe(op);
      expect(e.message, op).toMatch(disposed);
    }
    // The cpu backend keeps working after dispose() by design (dispose drops its pool only).
    const cpuBackend = new CpuBackend();
    cpuBackend.dispose();
    expect(randn([2, 2], { seed: 1, backend: cpuBackend }).sum().item()).toBe(randn([2, 2], { seed: 1 }).sum().item());
  });

  it("a disposed backend refuses ops, and its tensors stay readable", async () => {
    const { backend, a, b } = await setup();
    backend.dispose();
    expect(() => a.matmul(b)).toThrow(/^matmul: the worker backend was disposed; create a new one$/);
    expect(() => a.add(1)).toThrow(BackendError);
    expect(a.get(0, 0)).toBe(randn([120, 90], { seed: 1 }).get(0, 0));
    backend.dispose(); // a second dispose is harmless
  });

  it("the fault hooks are not part of the public API (they live in src/worker/internals.ts)", async () => {
    const backend = await createWorkerBackend({ threads: 2 });
    expect("injectFault" in poolOf(backend)).toBe(false);
    expect("killWorker" in poolOf(backend)).toBe(false);
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      exports: Record<string, unknown>;
      publishConfig: { exports: Record<string, unknown> };
    };
    // Test hooks (splitEveryOp, poolOf, the faults) are reachable from the sources only: the
    // workspace's "./internals" export has the source condition alone, the published exports lack it.
    expect(JSON.stringify(pkg.publishConfig.exports)).not.toContain("internals");
    expect(pkg.exports["./internals"]).toEqual({ "@bp/source": "./src/worker/internals.ts" });
    const entry = await import("../src/worker/node.js");
    expect(Object.keys(entry).sort()).toEqual(["ThreadPoolBackend", "WorkerBackend", "createWorkerBackend"]);
    backend.dispose();
  });
});

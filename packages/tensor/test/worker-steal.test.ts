// The calling thread takes back a range whose worker has not started on it (thread-pool.ts): with a
// worker that never gets to its messages (its core busy elsewhere), a split op still completes at
// once, on the calling thread, with the same result; without taking back, it would wait for the
// worker until the liveness limit and fail.
import { describe, expect, it } from "vitest";
import { BackendError } from "../src/index.js";
import { matmulImpl } from "../src/kernels/index.js";
import { CLAIM, READY, TASK } from "../src/worker/control-block.js";
import type { Task } from "../src/worker/task.js";
import type { ToWorker } from "../src/worker/task-server.js";
import type { ThreadHost } from "../src/worker/thread-host.js";
import { ThreadPool } from "../src/worker/thread-pool.js";

/** A host whose one worker receives messages but never runs them (stands in for a thread that the
 * OS has not scheduled yet); it reports ready, as a started worker does. */
type Words = {
  control: { store(slot: number, field: number, v: number): void; load(slot: number, field: number): number };
};

function stalledPool(): { pool: ThreadPool; posted: ToWorker[] } {
  const posted: ToWorker[] = [];
  const host: ThreadHost = {
    check() {},
    defaultThreads: () => 2,
    spawn: () => ({ post: (msg) => void posted.push(msg), terminate() {} }),
  };
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true });
  const pool = new ThreadPool(host, 1, { memory, module: null }, null);
  (pool as unknown as Words).control.store(0, READY, 1);
  return { pool, posted };
}

function matmulTask(): { task: Task; expected: Float64Array } {
  const [m, n, k] = [9, 5, 7];
  const a = Float64Array.from({ length: m * k }, (_, i) => Math.sin(i));
  const b = Float64Array.from({ length: k * n }, (_, i) => Math.cos(i));
  const expected = new Float64Array(m * n);
  matmulImpl(a, b, expected, m, n, k, false, false, 0, m);
  const args = { a, b, out: new Float64Array(m * n), m, n, k, transA: false, transB: false };
  const task: Task = { op: "matmul", args, wasm: false, scratch: 0, stride: 0 };
  return { task, expected };
}

describe("the calling thread takes back ranges a worker has not started", () => {
  it("computes the worker's rows itself, bit for bit, without waiting", () => {
    const { pool, posted } = stalledPool();
    const { task, expected } = matmulTask();
    const t0 = Date.now();
    pool.run("matmul", task);
    expect(Date.now() - t0).toBeLessThan(500); // no wait for the worker's liveness limit (750 ms)
    // The worker was given rows 4..9 (the task written into the task area and announced in TASK,
    // no message), and the calling thread took them back (CLAIM: -seq).
    const control = (pool as unknown as Words).control;
    expect([control.load(0, TASK), control.load(0, CLAIM)]).toEqual([1, -1]);
    expect(posted.map((m) => m.type)).toEqual(["init"]);
    expect(Array.from(task.args.out as Float64Array)).toEqual(Array.from(expected));
    expect(pool.stolenRanges).toBe(1);
    pool.dispose();
  });

  it("without taking back (as when every op is split, for tests), the same op waits for the worker and reports it stuck", () => {
    const { pool } = stalledPool();
    const { task } = matmulTask();
    expect(() => pool.run("matmul", task, false)).toThrow(BackendError);
    expect(() => pool.run("matmul", task, false)).toThrow(/unusable/);
    pool.dispose();
  });
});

// Hooks into the worker backend for tests and measurements. Not a package export: users cannot
// reach these; tests import this file from the sources.
import type { Backoff } from "./backoff.js";
import type { FaultMode } from "./task-server.js";
import { INTERNALS, type ThreadPoolBackend } from "./thread-pool-backend.js";
import { FAULT_HOOKS, type ThreadPool } from "./thread-pool.js";

export type { FaultMode } from "./task-server.js";

/** The backend's pool of workers (`readyWorkers()`, `workers`, `stolenRanges`). */
export function poolOf(backend: ThreadPoolBackend): ThreadPool {
  return backend[INTERNALS].pool;
}

/** Makes the backend split every op of two or more units (grains) between its threads, whatever its size,
 * and never take a range back from a worker: every kernel then runs on several ranges and threads. */
export function splitEveryOp<B extends ThreadPoolBackend>(backend: B): B {
  backend[INTERNALS].splitEveryOp();
  return backend;
}

/** Turns off the backend's backoff (backoff.ts): ops split whenever their size says so, even after
 * split ops found the workers' cores busy. For tests that count split ops under the default policy,
 * which would otherwise depend on what else the machine runs. */
export function keepSplitting<B extends ThreadPoolBackend>(backend: B): B {
  poolOf(backend).backoff.enabled = false;
  return backend;
}

/** The backend's backoff: its state, its clock (`now`, which a test may replace) and `windows`. */
export function backoffOf(backend: ThreadPoolBackend): Backoff {
  return poolOf(backend).backoff;
}

/** How many products the backend split with live-step lists shared by the threads (Task.lists in
 * task.ts). */
export function listedProducts(backend: ThreadPoolBackend): number {
  return backend[INTERNALS].listed;
}

/** Arms a fault in worker `slot` of the backend, fired by that worker's next kernel. */
export function injectFault(backend: ThreadPoolBackend, slot: number, mode: FaultMode): void {
  poolOf(backend)[FAULT_HOOKS].injectFault(slot, mode);
}

/** Stops worker `slot` from outside, as a crash would, without telling the pool. */
export function killWorker(backend: ThreadPoolBackend, slot: number): void {
  poolOf(backend)[FAULT_HOOKS].killWorker(slot);
}

// Fault injection for the worker backend's tests. Not a package export: users cannot reach these,
// the tests import this file from the sources.
import type { FaultMode } from "./task-server.js";
import type { ThreadPoolBackend } from "./thread-pool-backend.js";
import { FAULT_HOOKS } from "./thread-pool.js";

export type { FaultMode } from "./task-server.js";

/** Arms a fault in worker `slot` of the backend, fired by that worker's next kernel. */
export function injectFault(backend: ThreadPoolBackend, slot: number, mode: FaultMode): void {
  backend.pool[FAULT_HOOKS].injectFault(slot, mode);
}

/** Stops worker `slot` from outside, as a crash would, without telling the pool. */
export function killWorker(backend: ThreadPoolBackend, slot: number): void {
  backend.pool[FAULT_HOOKS].killWorker(slot);
}

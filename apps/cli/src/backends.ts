import { cpu, type Backend } from "@bp/tensor";

/**
 * The backends `--backend` accepts: the one place to add one. Each entry makes the backend (the
 * worker backend starts its threads here) and the command calls `dispose()` on it when done. The
 * worker backend is imported on demand, so the CPU path never loads worker_threads.
 */
export const BACKENDS: Record<string, () => Promise<Backend>> = {
  cpu: async () => cpu,
  worker: async () => (await import("@bp/tensor/worker")).createWorkerBackend(),
};

export const BACKEND_NAMES = Object.keys(BACKENDS);

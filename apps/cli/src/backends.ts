import type { Backend } from "@bp/tensor";

/**
 * The backends `--backend` accepts, and the default: "auto" picks the fastest that works here
 * (createBackend in @bp/tensor/backends; the banner names the one it picked). Every backend gives
 * the same numbers bit for bit. The command calls `dispose()` on the backend when done. The module
 * that knows the backends is imported on demand.
 */
export const BACKEND_NAMES = ["cpu", "worker", "wasm", "auto"] as const;
export const DEFAULT_BACKEND = "auto";

export const BACKENDS: Record<string, () => Promise<Backend>> = Object.fromEntries(
  BACKEND_NAMES.map((name) => [name, async () => (await import("@bp/tensor/backends")).createBackend(name)]),
);

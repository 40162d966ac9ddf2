import type { Backend } from "@bp/tensor";
import { BACKEND_NAMES, createBackend, type BackendName } from "@bp/tensor/backends";

/**
 * The backends `--backend` accepts: the library's one list (`BACKEND_NAMES` of @bp/tensor/backends,
 * the web app's picker too), and the default: "auto" picks the fastest that works here (the banner
 * names the one it picked). Every backend gives the same numbers bit for bit. The command calls
 * `dispose()` on the backend when done.
 */
export { BACKEND_NAMES };
export const DEFAULT_BACKEND: BackendName = "auto";

export const BACKENDS: Record<string, () => Promise<Backend>> = Object.fromEntries(
  BACKEND_NAMES.map((name) => [name, () => createBackend(name)]),
);

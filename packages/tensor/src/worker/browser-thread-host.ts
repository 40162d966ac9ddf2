import { BackendError } from "../errors.js";
import type { ThreadHost, WorkerThread } from "./thread-host.js";

/**
 * Browsers: module Web Workers. A pool that blocks needs SharedArrayBuffer (only on cross-origin
 * isolated pages) and Atomics.wait (not allowed on a page's main thread), so the worker backend
 * lives inside a dedicated Worker of a page served with COOP/COEP headers.
 */
export const browserThreadHost: ThreadHost = {
  check(): void {
    const problems: string[] = [];
    if (
      typeof SharedArrayBuffer === "undefined" ||
      (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false
    ) {
      problems.push(
        "SharedArrayBuffer is unavailable because the page is not cross-origin isolated (serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)",
      );
    } else if (!atomicsWaitAllowed()) {
      problems.push(
        "Atomics.wait is not allowed on this thread (a page's main thread): create the backend inside a dedicated Worker",
      );
    }
    if (typeof Worker === "undefined") problems.push("Web Workers are not available here");
    if (problems.length > 0) {
      throw new BackendError(
        "WorkerBackend",
        `cannot run here: ${problems.join("; ")}. Use the cpu backend on this thread.`,
      );
    }
  },

  defaultThreads(): number {
    return typeof navigator !== "undefined" && navigator.hardwareConcurrency > 0 ? navigator.hardwareConcurrency : 2;
  },

  spawn(onGone: (reason: string) => void): WorkerThread {
    const worker = new Worker(new URL("./browser-worker.js", import.meta.url), { type: "module" });
    worker.addEventListener("error", (e: ErrorEvent) => {
      onGone(`the worker failed: ${e.message || "its script could not be loaded"}`);
    });
    return {
      post: (msg) => worker.postMessage(msg),
      terminate: () => worker.terminate(),
    };
  },
};

function atomicsWaitAllowed(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

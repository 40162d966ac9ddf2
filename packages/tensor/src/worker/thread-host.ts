import type { ToWorker } from "./task-server.js";

/** One worker thread as the pool sees it, whatever the platform. */
export interface WorkerThread {
  post(msg: ToWorker): void;
  /** Stops the thread now; pending work is dropped. */
  terminate(): void;
}

/** What differs between Node (worker_threads) and browsers (module Web Workers). */
export interface ThreadHost {
  /** Throws a BackendError saying why when blocking thread pools cannot work here. */
  check(): void;
  /** The machine's available parallelism. */
  defaultThreads(): number;
  /**
   * Starts a worker running `TaskServer`. `onGone` is called (from the event loop, so only when the
   * calling thread is not blocked) with a reason when the worker fails or exits by itself.
   */
  spawn(onGone: (reason: string) => void): WorkerThread;
}

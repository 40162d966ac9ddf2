// The training worker's one way out: `post` sends a message to the page. Shared by the worker's
// parts (train.worker.ts dispatches, train-data.ts loads, train-run.ts trains, train-gradcheck.ts
// checks).
import type { PageMessage, WorkerMessage } from "./messages.js";

/** The parts of DedicatedWorkerGlobalScope used here (the DOM lib types `self` as a Window). */
export interface WorkerScope {
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
  addEventListener(type: "message", listener: (e: MessageEvent<PageMessage>) => void): void;
  location: Location;
}

export const scope = self as unknown as WorkerScope;

export const post = (m: WorkerMessage, transfer: Transferable[] = []): void => scope.postMessage(m, transfer);

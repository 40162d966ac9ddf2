// A worker_threads worker of the worker backend (Node). See task-server.ts for the protocol.
import { parentPort } from "node:worker_threads";
import { TaskServer, type ToWorker } from "./task-server.js";

const port = parentPort;
if (port === null) throw new Error("node-worker.js must be started as a worker_threads Worker by WorkerBackend");

const server = new TaskServer(
  () => process.exit(1),
  (f) => setImmediate(f),
);
// process.exit() anywhere in this thread (ours or a kernel's) runs this first: the calling thread,
// blocked in Atomics.wait and deaf to 'exit' events, learns of it through shared memory at once.
process.on("exit", (code) => server.markExited(`the worker exited with code ${code}`));
port.on("message", (msg: ToWorker) => server.handle(msg));

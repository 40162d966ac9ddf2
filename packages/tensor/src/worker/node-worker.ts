// A worker_threads worker of the worker backend (Node). See task-server.ts for the protocol.
import { parentPort } from "node:worker_threads";
import { TaskServer, type ToWorker } from "./task-server.js";

const port = parentPort;
if (port === null) throw new Error("node-worker.js must be started as a worker_threads Worker by WorkerBackend");

const server = new TaskServer(() => process.exit(1));
// process.exit() anywhere in this thread (ours or a kernel's) runs this first: the calling thread,
// blocked in Atomics.wait and deaf to 'exit' events, learns of it through shared memory at once.
process.on("exit", (code) => server.markExited(`the worker exited with code ${code}`));
/**
 * After a task, the thread stays awake for KEEP_AWAKE_MS, turning its event loop over with
 * setImmediate (which polls for messages without blocking) instead of sleeping: a training loop posts
 * its next split op within a millisecond, and waking a sleeping thread can take longer than the
 * op's share (on VMs, where an idle virtual CPU must be rescheduled by the host). Then it sleeps.
 */
const KEEP_AWAKE_MS = 2;
let awakeUntil = 0;
let spinning = false;
function keepAwake(): void {
  if (performance.now() < awakeUntil) setImmediate(keepAwake);
  else spinning = false;
}
port.on("message", (msg: ToWorker) => {
  server.handle(msg);
  if (msg.type !== "task") return;
  awakeUntil = performance.now() + KEEP_AWAKE_MS;
  if (!spinning) {
    spinning = true;
    setImmediate(keepAwake);
  }
});

// A module Web Worker of the worker backend (browsers). See task-server.ts for the protocol.
import { TaskServer, type ToWorker } from "./task-server.js";

const scope = globalThis as unknown as { close(): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };
// Turning the event loop over: a message to itself (setTimeout would wait 4 ms once nested).
const channel = new MessageChannel();
let next: (() => void) | null = null;
channel.port1.onmessage = () => {
  const f = next;
  next = null;
  f?.();
};
const server = new TaskServer(
  () => scope.close(),
  (f) => {
    next = f;
    channel.port2.postMessage(null);
  },
);
scope.onmessage = (e) => server.handle(e.data);

// A module Web Worker of the worker backend (browsers). See task-server.ts for the protocol.
import { TaskServer, type ToWorker } from "./task-server.js";

const scope = globalThis as unknown as { close(): void; onmessage: ((e: MessageEvent<ToWorker>) => void) | null };
const server = new TaskServer(() => scope.close());
scope.onmessage = (e) => server.handle(e.data);

import { CLAIM, ControlBlock, DONE, PROGRESS, READY, STATUS, STATUS_EXITED, STATUS_FAILED } from "./control-block.js";
import { instantiateKernels } from "../wasm/module.js";
import { chunkStart, runTask, taskGrain, taskUnits, unitWork, type Task, type ThreadKernels } from "./task.js";

/** The backend's shared wasm memory, and the compiled kernels when WebAssembly SIMD works (null:
 * the TypeScript kernels run on views of the memory). */
export interface WasmInit {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module | null;
}

/** Messages from the calling thread to a worker. */
export type ToWorker =
  | { type: "init"; control: SharedArrayBuffer; slots: number; slot: number; wasm: WasmInit }
  | { type: "task"; seq: number; task: Task; chunks: number }
  | { type: "fault"; mode: FaultMode };

/**
 * Faults a test can arm on a worker; the worker's next kernel then throws, ends the worker, or
 * spins without making progress (standing in for a hard crash or a deadlock).
 */
export type FaultMode = "throw" | "exit" | "hang";

/** Work per chunk, in the rough nanoseconds of `unitWork` (about 67 ms on an idle core). The worker
 * reports progress after each chunk, so a chunk must stay well under the calling thread's liveness
 * window (LIVENESS_MS, 750 ms) even on a loaded machine; a matmul call repacks B once per call, so
 * chunks should not be much smaller (for 1024 x 1024 operands: 128 rows per chunk). */
export const CHUNK_WORK = 1 << 26;

/**
 * The worker's side of the protocol, independent of worker_threads or Web Workers: takes the task's
 * chunks one by one from the shared counter (as the calling thread and the other workers do) and
 * runs the kernel over each, in pieces of at most CHUNK_WORK, bumping PROGRESS after each piece;
 * then publishes DONE.
 * A kernel that throws is reported through STATUS and the failure text, and the worker stays usable.
 */
export class TaskServer {
  private control: ControlBlock | null = null;
  private slot = -1;
  private armed: FaultMode | null = null;
  private wasm: ThreadKernels | null = null;

  constructor(
    /** Ends this worker at once (process.exit in Node, close() in a browser). */
    private readonly exitNow: () => void,
  ) {}

  handle(msg: ToWorker): void {
    switch (msg.type) {
      case "init":
        this.control = new ControlBlock(msg.control, msg.slots);
        this.slot = msg.slot;
        if (msg.wasm.module !== null) {
          this.wasm = { kernels: instantiateKernels(msg.wasm.module, msg.wasm.memory), index: msg.slot + 1 };
        }
        this.control.signal(this.slot, READY, 1);
        return;
      case "fault":
        this.armed = msg.mode;
        return;
      case "task":
        this.run(msg.seq, msg.task, msg.chunks);
        return;
    }
  }

  /** Marks the slot EXITED and wakes the calling thread (from an exit hook, before the worker dies). */
  markExited(reason: string): void {
    const c = this.control;
    if (c === null) return;
    c.writeText(this.slot, reason);
    c.signal(this.slot, STATUS, STATUS_EXITED);
    c.signal(this.slot, DONE, -1);
  }

  private run(seq: number, task: Task, chunks: number): void {
    const c = this.control;
    if (c === null) throw new Error("worker got a task before its init message");
    // The calling thread cancels this worker's part if it ran out of chunks before this worker
    // started (the other core was busy): then there is nothing to do here, and nobody waits for DONE.
    if (c.compareExchange(this.slot, CLAIM, seq, -seq) !== seq) return;
    c.bump(this.slot, PROGRESS);
    try {
      if (this.armed !== null && this.fire() === "exited") return;
      const units = taskUnits(task);
      const grain = taskGrain(task);
      const step = Math.max(1, Math.floor(CHUNK_WORK / unitWork(task) / grain)) * grain;
      for (let i = c.takeChunk(); i < chunks; i = c.takeChunk()) {
        const end = chunkStart(units, grain, chunks, i + 1);
        for (let s = chunkStart(units, grain, chunks, i); s < end; s += step) {
          runTask(task, s, Math.min(end, s + step), this.wasm);
          c.bump(this.slot, PROGRESS);
        }
      }
    } catch (e) {
      c.writeText(this.slot, describeError(e));
      c.store(this.slot, STATUS, STATUS_FAILED);
    }
    c.signal(this.slot, DONE, seq);
  }

  private fire(): "exited" | undefined {
    const mode = this.armed;
    this.armed = null;
    if (mode === "throw") throw new Error("fault injected for a test: the kernel threw");
    if (mode === "exit") {
      this.markExited("the worker exited in the middle of a task (fault injected for a test)");
      this.exitNow();
      return "exited";
    }
    // "hang": never return and never report progress, like a deadlocked or wedged thread.
    for (;;) {
      /* spin */
    }
  }
}

function describeError(e: unknown): string {
  if (e instanceof Error) return e.stack ?? `${e.name}: ${e.message}`;
  return String(e);
}

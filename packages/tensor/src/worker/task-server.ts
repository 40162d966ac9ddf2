import {
  CLAIM,
  ControlBlock,
  DONE,
  FAULT,
  PROGRESS,
  READY,
  SLEEPING,
  STATUS,
  STATUS_EXITED,
  STATUS_FAILED,
  TASK,
} from "./control-block.js";
import { instantiateKernels } from "../wasm/module.js";
import { TaskReader } from "./task-codec.js";
import { chunkStart, runTask, taskGrain, taskUnits, unitWork, type Task, type ThreadKernels } from "./task.js";

/** The backend's shared wasm memory, and the compiled kernels when WebAssembly SIMD works (null:
 * the TypeScript kernels run on views of the memory). */
export interface WasmInit {
  memory: WebAssembly.Memory;
  module: WebAssembly.Module | null;
}

/**
 * Messages from the calling thread to a worker: its set-up (with the control block and the task
 * area, task-codec.ts), a task that could not be written into the area, and a wake-up for a worker
 * that stopped polling (SLEEPING) after a task was written there.
 */
export type ToWorker =
  | { type: "init"; control: SharedArrayBuffer; area: SharedArrayBuffer; slots: number; slot: number; wasm: WasmInit }
  | { type: "task"; seq: number; task: Task; chunks: number; guided: boolean }
  | { type: "wake" };

/**
 * Faults a test can arm on a worker (through the control block's FAULT word, so that a fault armed
 * before an op reaches the worker before that op's task); the worker's next kernel then throws,
 * ends the worker, or spins without making progress (standing in for a hard crash or a deadlock).
 */
export type FaultMode = "throw" | "exit" | "hang";
export const FAULT_MODES: readonly FaultMode[] = ["throw", "exit", "hang"];

/**
 * After a task, the worker keeps polling the control block for the next one for KEEP_AWAKE_MS
 * instead of sleeping: a training loop posts its next split op within a millisecond, and waking a
 * sleeping thread can take longer than the op's share (on VMs, where an idle virtual CPU must be
 * rescheduled by the host: 35-60 us measured here). Then it sleeps until a message comes.
 *
 * 10 ms rather than 2: a training step has pauses longer than 2 ms between split ops now and then
 * (the calling thread's garbage collections among them), and a worker woken after one often
 * started late or not at all. Measured on the float32 SimpleConvNet step (MNIST, 2 threads), both
 * values alternated in one process, blocks of 10 steps, three runs of 400-600 steps each: split ops
 * that the calling thread ran alone 186 -> 135, 148 -> 80, 80 -> 54; step best 9.54 -> 9.45,
 * 9.46 -> 9.42, 9.59 -> 9.18 ms; 10th percentile 10.16 -> 9.93, 10.23 -> 10.32, 10.27 -> 10.05;
 * median 13.26 -> 12.58, 12.01 -> 12.20, 12.99 -> 12.77. The cost: a core polls for 10 ms after
 * the last split op of a burst (and after each op that the backoff, backoff.ts, lets split).
 */
const KEEP_AWAKE_MS = 10;
/** While polling, the worker turns its event loop over this often, so that messages (a task that
 * could not be written into the area) still come in. In the float32 SimpleConvNet step 1 in 100 to
 * 350 of these turns took over 0.5 ms (among others, a garbage collection task of the worker's heap
 * every 300 ms or so, 0.2-0.3 ms), and a split op now and then finds its worker not started and runs
 * on the calling thread alone (93-204 of about 5 000 in 300 steps). Turning over only after 0.25 ms
 * without a task (and at least every 5 ms): 204 -> 152 such ops in 270 and 250 steps, the step median
 * 10.93 -> 10.84 ms, in one run, both rules alternated in one process: within noise, not kept. */
const YIELD_MS = 0.5;

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
  private reader: TaskReader | null = null;
  private slot = -1;
  private wasm: ThreadKernels | null = null;
  /** The TASK word when this worker last looked. */
  private lastTask = 0;
  private polling = false;
  private awakeUntil = 0;
  /** Set once a fault ended this worker (a browser worker's close() lets the current task finish). */
  private exited = false;

  constructor(
    /** Ends this worker at once (process.exit in Node, close() in a browser). */
    private readonly exitNow: () => void,
    /** Runs a function once the event loop has turned over (setImmediate in Node; a message to
     * itself in a browser). */
    private readonly later: (f: () => void) => void,
  ) {}

  handle(msg: ToWorker): void {
    switch (msg.type) {
      case "init":
        this.control = new ControlBlock(msg.control, msg.slots);
        this.reader = new TaskReader(new Float64Array(msg.area), msg.wasm.memory);
        this.slot = msg.slot;
        if (msg.wasm.module !== null) {
          this.wasm = { kernels: instantiateKernels(msg.wasm.module, msg.wasm.memory), index: msg.slot + 1 };
        }
        this.control.signal(this.slot, READY, 1);
        break;
      case "task":
        this.run(msg.seq, msg.task, msg.chunks, msg.guided);
        break;
      case "wake":
        break;
    }
    this.wake();
  }

  /** Polls the control block for tasks (again) for KEEP_AWAKE_MS. */
  private wake(): void {
    this.awakeUntil = performance.now() + KEEP_AWAKE_MS;
    if (this.polling) return;
    this.polling = true;
    this.poll();
  }

  /** Runs each task announced in TASK until none came for KEEP_AWAKE_MS, turning the event loop
   * over every YIELD_MS; then says SLEEPING and returns to the event loop for good. */
  private readonly poll = (): void => {
    const c = this.control!;
    const slot = this.slot;
    let yieldAt = performance.now() + YIELD_MS;
    for (let n = 1; ; n++) {
      if (this.exited) return;
      const seq = c.load(slot, TASK);
      if (seq !== this.lastTask) {
        this.lastTask = seq;
        this.runWritten(seq);
        const now = performance.now();
        this.awakeUntil = now + KEEP_AWAKE_MS;
        yieldAt = Math.min(yieldAt, now + YIELD_MS);
        continue;
      }
      if ((n & 63) !== 0) continue;
      const now = performance.now();
      if (now >= this.awakeUntil) break;
      if (now >= yieldAt) {
        this.later(this.poll);
        return;
      }
    }
    // Say so before sleeping, then look once more: a task announced before the calling thread could
    // see SLEEPING got no wake-up.
    c.store(slot, SLEEPING, 1);
    if (c.load(slot, TASK) !== this.lastTask && c.exchange(slot, SLEEPING, 0) === 1) {
      this.awakeUntil = performance.now() + KEEP_AWAKE_MS;
      this.later(this.poll);
      return;
    }
    this.polling = false;
  };

  /** Runs task `seq` from the task area, unless the calling thread took its part back first. */
  private runWritten(seq: number): void {
    const c = this.control!;
    // Claimed before reading the area: a claimed task's area stays as it is until this worker is
    // done (the calling thread waits for it); an unclaimed one may be overwritten by the next.
    if (c.compareExchange(this.slot, CLAIM, seq, -seq) !== seq) return;
    let decoded: [number, boolean, Task];
    try {
      decoded = this.reader!.decode() as [number, boolean, Task];
    } catch (e) {
      c.writeText(this.slot, describeError(e));
      c.store(this.slot, STATUS, STATUS_FAILED);
      c.signal(this.slot, DONE, seq);
      return;
    }
    this.compute(seq, decoded[2], decoded[0], decoded[1]);
  }

  /** Marks the slot EXITED and wakes the calling thread (from an exit hook, before the worker dies). */
  markExited(reason: string): void {
    const c = this.control;
    if (c === null) return;
    c.writeText(this.slot, reason);
    c.signal(this.slot, STATUS, STATUS_EXITED);
    c.signal(this.slot, DONE, -1);
  }

  /** Runs a task that came as a message. */
  private run(seq: number, task: Task, chunks: number, guided: boolean): void {
    const c = this.control;
    if (c === null) throw new Error("worker got a task before its init message");
    // The calling thread cancels this worker's part if it ran out of chunks before this worker
    // started (the other core was busy): then there is nothing to do here, and nobody waits for DONE.
    if (c.compareExchange(this.slot, CLAIM, seq, -seq) !== seq) return;
    this.compute(seq, task, chunks, guided);
  }

  /** Takes the claimed task's chunks from the shared counter until none is left, then publishes DONE. */
  private compute(seq: number, task: Task, chunks: number, guided: boolean): void {
    const c = this.control!;
    c.bump(this.slot, PROGRESS);
    try {
      const fault = c.exchange(this.slot, FAULT, 0);
      if (fault !== 0 && this.fire(FAULT_MODES[fault - 1]!) === "exited") return;
      const units = taskUnits(task);
      const grain = taskGrain(task);
      const step = Math.max(1, Math.floor(CHUNK_WORK / unitWork(task) / grain)) * grain;
      for (let i = c.takeChunk(); i < chunks; i = c.takeChunk()) {
        const end = chunkStart(units, grain, chunks, i + 1, guided);
        for (let s = chunkStart(units, grain, chunks, i, guided); s < end; s += step) {
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

  private fire(mode: FaultMode): "exited" | undefined {
    if (mode === "throw") throw new Error("fault injected for a test: the kernel threw");
    if (mode === "exit") {
      this.markExited("the worker exited in the middle of a task (fault injected for a test)");
      this.exited = true;
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

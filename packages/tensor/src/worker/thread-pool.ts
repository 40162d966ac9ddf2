import { BackendError } from "../errors.js";
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
  STATUS_OK,
  TASK,
} from "./control-block.js";
import { Backoff } from "./backoff.js";
import {
  chunkCount,
  chunkStart,
  guidedChunks,
  runTask,
  taskGrain,
  taskUnits,
  type Task,
  type ThreadKernels,
} from "./task.js";
import { TASK_AREA_WORDS, TaskWriter } from "./task-codec.js";
import { FAULT_MODES, type FaultMode, type WasmInit } from "./task-server.js";
import type { ThreadHost, WorkerThread } from "./thread-host.js";

/** The key of a pool's fault-injection hooks, reached only through internals.ts (tests). */
export const FAULT_HOOKS: unique symbol = Symbol("bp.worker.faultHooks");

/** How long the calling thread sleeps in Atomics.wait between liveness checks. */
const SLICE_MS = 20;
/**
 * A worker that has not acknowledged its task or finished a chunk (CHUNK_WORK, 10-60 ms) for this
 * long is taken for dead or wedged. Together with SLICE_MS this bounds how long a hard-crashed
 * worker can block the calling thread after its own share is done: under a second.
 */
const LIVENESS_MS = 750;
/** ...and at least this many wait slices must have passed, so a calling thread that was itself
 * suspended (a paused VM, a laptop lid) does not blame its workers for the lost time. */
const LIVENESS_SLICES = 10;
/** Once its own chunks are done, the calling thread polls a worker's DONE for up to this long
 * before it sleeps in Atomics.wait: the worker is usually within a chunk of finishing, and a
 * sleeping thread takes 15-40 us to wake here (VMs reschedule an idle virtual CPU slowly). A forced
 * split of 4096 elements: 15-18 us per op without it, 3.5-5 with it. */
const SPIN_MS = 0.25;
/** Each poll that ends without DONE halves the next one's length, down to this: when another
 * process has the other core, the calling thread's polling would take time from its own worker. */
const MIN_SPIN_MS = 0.02;

/**
 * A fixed set of workers driven synchronously from the calling thread: `run` cuts a task into
 * chunks (contiguous ranges of its units), posts it to each ready worker, and every thread, the
 * calling one included, takes chunks from a shared counter and runs the same kernel on them until
 * none is left; the calling thread then blocks with Atomics.wait until the workers are done. A
 * thread that starts late or runs slower (its core shared with another process, a sparse block of
 * the other's rows) simply takes fewer chunks. The task is written into a shared task area
 * (task-codec.ts) that awake workers poll (a message only wakes a sleeping worker, or carries a task
 * the area cannot hold); the shared ControlBlock carries completion, progress and failures, which
 * the blocked calling thread can read.
 *
 * What a split costs, measured with per-thread timestamps in the float32 SimpleConvNet step (MNIST,
 * 2 threads, 17 split ops a step, medians): the calling thread spends 8-17 us of cold-cache
 * JavaScript per op (record, staging, chunk count) before it announces the task, 0.19-0.20 ms a
 * step; an awake worker sees it 1-2 us after the announcement and starts computing 10-16 us after
 * `run` numbered the task (encoding and decoding it; 0.24 ms of worker time a step; a sleeping
 * worker, about once a step, needs a message). Both threads' shares then take about as long (within
 * a few %), so the step's split products scale less than alone for another reason: each thread of a
 * product split by rows reads (or packs) all of B. Run one after the other in the step, each half
 * of Affine1's x · W1 (m100 n100 k4320, x 94 % nonzero: dense tiles on a packed B) took 1.40-1.46
 * ms against 2.4 for the whole product on one thread, and each half of Conv1's weight gradient
 * (m30 n25 k57600 Aᵀ) 1.22-1.74 against 2.12; side by side 1.39-1.57 each.
 *
 * The process's CPU time is about twice the step's (23-25 ms for a 9.7-12 ms step): the worker polls
 * for tasks while the calling thread runs the step's JavaScript and small ops, the calling thread
 * polls for DONE, and V8's own threads take about 2 ms a step (1.2 on the wasm backend; per-thread
 * CPU from /proc, one run on a loaded machine). A polling worker does not slow the calling
 * thread's kernels: a relu of 432 000 float32 and a 100x432x100 product took the same minimum time
 * (56.5-56.9 and 189.2-189.3 us) with a worker spinning on Atomics.load, with one sleeping and with
 * none.
 *
 * Failure handling:
 * - a kernel that throws on a worker is reported through the control block; `run` throws a
 *   BackendError with the worker's stack once every worker is done, and the pool stays usable;
 * - a worker that exits (process.exit, a fault in the runtime) or stops making progress for
 *   LIVENESS_MS makes `run` throw within about a second; all workers are then terminated and every
 *   later call throws a BackendError saying the backend is unusable.
 */
export class ThreadPool {
  private readonly threads: WorkerThread[] = [];
  private readonly control: ControlBlock;
  /** Writes each task into the area that the workers read it from. */
  private readonly writer: TaskWriter;
  /** Tasks posted as messages because the area could not hold them (diagnostics, tests). */
  postedTasks = 0;
  /** Why each worker went away, as reported by its 'exit'/'error' event (null while alive). */
  private readonly gone: (string | null)[];
  private seq = 0;
  /** How long the calling thread polls for DONE before it sleeps (see SPIN_MS). */
  private spinMs = SPIN_MS;
  /** Ops a worker never started on because the calling thread ran out of chunks first (diagnostics). */
  stolenRanges = 0;
  /** Whether ops had better run inline for a while, the workers' cores being busy (backoff.ts):
   * `run` records in it whether each split op found its workers started. */
  readonly backoff = new Backoff();
  private broken: string | null = null;
  private disposed = false;

  constructor(
    host: ThreadHost,
    readonly workers: number,
    /** The shared memory (and compiled kernels) every worker instantiates the wasm kernels over. */
    wasm: WasmInit,
    /** The calling thread's own kernels over that memory (null: the TypeScript kernels). */
    private readonly ownKernels: ThreadKernels | null,
  ) {
    this.control = ControlBlock.create(workers);
    const area = new SharedArrayBuffer(TASK_AREA_WORDS * 8);
    this.writer = new TaskWriter(new Float64Array(area), wasm.memory);
    this.gone = new Array<string | null>(workers).fill(null);
    for (let slot = 0; slot < workers; slot++) {
      const thread = host.spawn((reason) => {
        if (!this.disposed && this.gone[slot] === null) this.gone[slot] = reason;
      });
      thread.post({ type: "init", control: this.control.buffer, area, slots: workers, slot, wasm });
      this.threads.push(thread);
    }
  }

  /** Records that `buffer`, taken from the shared memory's `buffer` earlier (V8 hands out a new
   * object after a shared memory grows), views that memory: its views are written into the task
   * area by place (a resident heap's tensors view the buffer the heap was made with). */
  knowBuffer(buffer: ArrayBufferLike): void {
    this.writer.know(buffer);
  }

  /** Throws if the pool was disposed or broken, or a worker was seen to go away. */
  check(op: string): void {
    if (this.disposed) throw new BackendError(op, "the worker backend was disposed; create a new one");
    if (this.broken !== null) throw new BackendError(op, `the worker backend is unusable: ${this.broken}`);
    const slot = this.gone.findIndex((g) => g !== null);
    if (slot !== -1) this.fail(op, `worker ${slot} went away: ${this.gone[slot]}`);
  }

  /** Workers that have started and can take work now. */
  readyWorkers(): number {
    let n = 0;
    for (let slot = 0; slot < this.workers; slot++) {
      if (this.control.load(slot, READY) === 1 && this.gone[slot] === null) n++;
    }
    return n;
  }

  /** Resolves once every worker has started (ops before that run on fewer threads). */
  async ready(timeoutMs = 60_000): Promise<void> {
    const t0 = Date.now();
    for (;;) {
      this.check("WorkerBackend.ready");
      if (this.readyWorkers() === this.workers) return;
      if (Date.now() - t0 > timeoutMs) {
        throw new BackendError(
          "WorkerBackend.ready",
          `only ${this.readyWorkers()} of ${this.workers} workers started within ${timeoutMs} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /**
   * Runs `task` over all its units, cut into chunks of whole grains of the task (the last takes the
   * rest), which this thread and the ready workers take from a shared counter. Every chunk runs the
   * same kernel on the same inputs, so results are those of one `runTask` over the whole range, bit
   * for bit, whoever computes which chunk.
   *
   * With `steal` (the default) this thread takes chunks until none is left, then cancels the part
   * of every worker that has not started yet: a worker whose core is busy with another process
   * then costs a message instead of a wait, so splitting never makes an op much slower than running
   * it inline. Without it (every op split, for tests) this thread computes one chunk, always, and
   * leaves the others to the workers.
   */
  run(op: string, task: Task, steal = true): void {
    this.check(op);
    const units = taskUnits(task);
    const grain = taskGrain(task);
    const grains = Math.ceil(units / grain);
    const slots: number[] = [];
    for (let slot = 0; slot < this.workers && slots.length + 1 < grains; slot++) {
      if (this.control.load(slot, READY) === 1) slots.push(slot);
    }
    const chunks = chunkCount(task, slots.length + 1, grains);
    const guided = guidedChunks(task, chunks, slots.length + 1, grains);
    const seq = ++this.seq;
    // No worker touches the counter before it claims this op (below), and every worker of the
    // previous op was done before it returned.
    this.control.setNextChunk(0);
    // Without `steal`, this thread's one chunk is taken before any worker can take chunks, so that
    // it always computes one (the workers could otherwise take them all first).
    const own = steal ? -1 : this.control.takeChunk();
    // The area is free: every worker that claimed the previous task was done before it returned.
    const written = slots.length > 0 && this.writer.encode([chunks, guided, task]);
    if (!written && slots.length > 0) this.postedTasks++;
    for (const slot of slots) {
      this.control.store(slot, CLAIM, seq);
      if (written) this.announce(slot, seq);
      else this.threads[slot]!.post({ type: "task", seq, task, chunks, guided });
    }
    let ownError: unknown = null;
    // For each slot: true once this thread cancelled its part (its worker never started).
    const taken = new Array<boolean>(slots.length).fill(false);
    const cancelUnstarted = (): void => {
      for (let i = 0; i < slots.length; i++) {
        if (!taken[i] && this.control.compareExchange(slots[i]!, CLAIM, seq, -seq) === seq) taken[i] = true;
      }
    };
    try {
      for (let i = steal ? this.control.takeChunk() : own; i < chunks; i = steal ? this.control.takeChunk() : chunks) {
        const start = chunkStart(units, grain, chunks, i, guided);
        runTask(task, start, chunkStart(units, grain, chunks, i + 1, guided), this.ownKernels);
      }
      if (steal) {
        cancelUnstarted();
        const stolen = taken.filter((t) => t).length;
        this.stolenRanges += stolen;
        if (slots.length > 0) this.backoff.record(stolen > 0);
      }
    } catch (e) {
      ownError = e;
      // Hand out no more chunks and cancel the workers that have not started; wait for the others
      // (this thread must not return while a worker may still write).
      this.control.setNextChunk(chunks);
      cancelUnstarted();
    }
    const waitFor = slots.filter((_, i) => !taken[i]);
    const failures: string[] = [];
    for (const slot of waitFor) {
      const text = this.await(op, slot, seq);
      if (text !== null) failures.push(`worker ${slot}: ${text}`);
    }
    if (ownError !== null) throw ownError;
    if (failures.length > 0) {
      throw new BackendError(
        op,
        `a kernel threw on a worker thread (the backend is still usable):\n${failures.join("\n")}`,
      );
    }
  }

  /** Tells worker `slot` that task `seq` is in the area, and wakes it if it stopped polling. */
  private announce(slot: number, seq: number): void {
    const c = this.control;
    c.store(slot, TASK, seq);
    if (c.load(slot, SLEEPING) === 1 && c.compareExchange(slot, SLEEPING, 1, 0) === 1) {
      this.threads[slot]!.post({ type: "wake" });
    }
  }

  /** Blocks until `slot` finished task `seq`; returns the failure text if its kernel threw. */
  private await(op: string, slot: number, seq: number): string | null {
    const c = this.control;
    const spinUntil = performance.now() + this.spinMs;
    while (c.load(slot, DONE) !== seq) {
      if (performance.now() >= spinUntil) {
        this.spinMs = Math.max(MIN_SPIN_MS, this.spinMs / 2);
        break;
      }
    }
    if (c.load(slot, DONE) === seq) this.spinMs = SPIN_MS;
    let progress = c.load(slot, PROGRESS);
    let lastChange = Date.now();
    let quietSlices = 0;
    for (;;) {
      const done = c.load(slot, DONE);
      if (done === seq) break;
      if (c.load(slot, STATUS) === STATUS_EXITED)
        this.fail(op, `worker ${slot} exited during the op: ${c.readText(slot)}`);
      c.wait(slot, DONE, done, SLICE_MS);
      const now = Date.now();
      const p = c.load(slot, PROGRESS);
      if (p !== progress) {
        progress = p;
        lastChange = now;
        quietSlices = 0;
      } else if (++quietSlices >= LIVENESS_SLICES && now - lastChange >= LIVENESS_MS) {
        this.fail(op, `worker ${slot} made no progress for ${now - lastChange} ms: it crashed or is stuck`);
      }
    }
    if (c.load(slot, STATUS) !== STATUS_FAILED) return null;
    const text = c.readText(slot);
    c.store(slot, STATUS, STATUS_OK);
    return text;
  }

  /** Marks the pool unusable, stops every worker and throws. */
  private fail(op: string, reason: string): never {
    this.broken = reason;
    for (const t of this.threads) t.terminate();
    throw new BackendError(op, `${reason}. The worker backend is unusable now; create a new one.`);
  }

  /** For tests (through internals.ts, which is not a package export): arms a fault in worker `slot`,
   * fired by its next kernel (see FaultMode). */
  [FAULT_HOOKS] = {
    injectFault: (slot: number, mode: FaultMode): void => {
      if (slot >= 0 && slot < this.workers) this.control.store(slot, FAULT, FAULT_MODES.indexOf(mode) + 1);
    },
    /** Stops worker `slot` from outside, as a crash would, without telling the pool. */
    killWorker: (slot: number): void => {
      this.threads[slot]?.terminate();
    },
  };

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.threads) t.terminate();
  }
}

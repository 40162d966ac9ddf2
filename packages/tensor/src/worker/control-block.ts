/**
 * The shared memory through which the calling thread and its workers coordinate, one slot per
 * worker, and the chunk counter of the op being split (NEXT: the next chunk to compute, taken by
 * whichever thread is free; see ThreadPool.run). The work itself is written into a task area
 * (task-codec.ts) and announced here (TASK), or, when it cannot be written there, posted as a
 * message; this block also carries what the calling thread must be able to see while it blocks in
 * `Atomics.wait` and cannot receive messages: readiness, completion, progress (the liveness signal)
 * and the text of a failure.
 *
 * Slot layout (Int32 words):
 *   READY     1 once the worker listens for tasks
 *   DONE      sequence number of the last task the worker finished (the word waited on)
 *   STATUS    OK, FAILED (the task numbered DONE threw) or EXITED (the worker is going away)
 *   PROGRESS  bumped when a task is received and after every chunk of work
 *   TEXT_LEN  bytes of UTF-8 failure text in the slot's text area
 *   CLAIM     seq of the task whose range is waiting for this worker; whoever first swaps it for
 *             -seq (the worker when it starts, or the calling thread once its own range is done)
 *             computes that range
 *   TASK      seq of the last task written into the task area for this worker (the word an awake
 *             worker polls)
 *   SLEEPING  1 while the worker no longer polls TASK and waits for a message (then the calling
 *             thread posts it a wake-up after setting TASK)
 *   FAULT     a fault armed by a test (FaultMode's code; 0: none), fired by the worker's next task
 */
const WORDS_PER_SLOT = 16;
const TEXT_BYTES = 4096;

export const READY = 0;
export const DONE = 1;
export const STATUS = 2;
export const PROGRESS = 3;
const TEXT_LEN = 4;
export const CLAIM = 5;
export const TASK = 6;
export const SLEEPING = 7;
export const FAULT = 8;

export const STATUS_OK = 0;
export const STATUS_FAILED = 1;
export const STATUS_EXITED = 2;

export class ControlBlock {
  readonly words: Int32Array;
  private readonly text: Uint8Array;
  /** The one word after the slots' text areas: the op's next chunk. */
  private readonly next: Int32Array;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly slots: number,
  ) {
    this.words = new Int32Array(buffer, 0, slots * WORDS_PER_SLOT);
    this.text = new Uint8Array(buffer, slots * WORDS_PER_SLOT * 4, slots * TEXT_BYTES);
    this.next = new Int32Array(buffer, slots * (WORDS_PER_SLOT * 4 + TEXT_BYTES), 1);
  }

  static create(slots: number): ControlBlock {
    return new ControlBlock(new SharedArrayBuffer(slots * (WORDS_PER_SLOT * 4 + TEXT_BYTES) + 4), slots);
  }

  /** Sets the op's next chunk (0 before a split op is posted; the chunk count to stop handing out). */
  setNextChunk(value: number): void {
    Atomics.store(this.next, 0, value);
  }

  /** Takes the op's next chunk: its index (the chunk count or more: none left). */
  takeChunk(): number {
    return Atomics.add(this.next, 0, 1);
  }

  index(slot: number, field: number): number {
    return slot * WORDS_PER_SLOT + field;
  }

  load(slot: number, field: number): number {
    return Atomics.load(this.words, this.index(slot, field));
  }

  store(slot: number, field: number, value: number): void {
    Atomics.store(this.words, this.index(slot, field), value);
  }

  /** Stores and wakes whoever waits on that word. */
  signal(slot: number, field: number, value: number): void {
    const i = this.index(slot, field);
    Atomics.store(this.words, i, value);
    Atomics.notify(this.words, i);
  }

  /** Atomically replaces `expected` by `value`; returns the value that was there. */
  compareExchange(slot: number, field: number, expected: number, value: number): number {
    return Atomics.compareExchange(this.words, this.index(slot, field), expected, value);
  }

  /** Atomically replaces the word by `value`; returns the value that was there. */
  exchange(slot: number, field: number, value: number): number {
    return Atomics.exchange(this.words, this.index(slot, field), value);
  }

  bump(slot: number, field: number): void {
    Atomics.add(this.words, this.index(slot, field), 1);
  }

  /** Blocks until the word is no longer `expected` or `timeoutMs` passed. */
  wait(slot: number, field: number, expected: number, timeoutMs: number): void {
    Atomics.wait(this.words, this.index(slot, field), expected, timeoutMs);
  }

  /** Writes a failure text (truncated to the slot's text area). Call before setting STATUS. */
  writeText(slot: number, message: string): void {
    const bytes = new TextEncoder().encode(message);
    const n = Math.min(bytes.length, TEXT_BYTES);
    // TextEncoder cannot encode into shared memory directly in every engine: copy.
    this.text.set(bytes.subarray(0, n), slot * TEXT_BYTES);
    this.store(slot, TEXT_LEN, n);
  }

  readText(slot: number): string {
    const n = this.load(slot, TEXT_LEN);
    // TextDecoder refuses views of shared memory: copy out first.
    return new TextDecoder().decode(this.text.slice(slot * TEXT_BYTES, slot * TEXT_BYTES + n));
  }
}

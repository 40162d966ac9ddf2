/** The weight of the latest split op in `Backoff.missed`, a moving average over split ops. */
export const MISSED_WEIGHT = 1 / 32;
/** The average of misses from which ops run inline. From 0 it takes 12 misses in a row; the
 * average settles near the share of split ops that miss: measured over 100 steps of the book's conv
 * net (float32, 1700 split ops), 4.5 % with nothing else running (runs of up to 6 misses in a row)
 * and 44 % with another process spinning on the second core. */
export const BUSY_MISSED = 0.3;
/** How long ops then run inline before they split again: about 10 steps of the book's conv net. */
export const HOLD_MS = 200;

/**
 * When the worker backend runs ops inline, whatever their size, because the workers' cores look busy
 * with other processes. Splitting then costs twice: the calling thread waits for (or takes back) a
 * worker's part that cannot run, and a worker that does get a core polls for tasks on it, taking
 * time from the calling thread's own process. Measured on 2 cores with another process spinning on
 * one: a float32 step of the book's conv net took 29-30 ms on average split as usual, 21 with this
 * backoff, against 19 on the wasm backend (README.md, worker backend).
 *
 * The rule:
 * - A split op *missed* when the calling thread ran out of chunks and took back the part of a worker
 *   that had not started on it yet (ThreadPool.run). Ops split with every range left to the workers
 *   (splitEveryOp, tests) record nothing.
 * - `missed` moves 1/32 of the way towards 1 after a miss and towards 0 after a split op whose
 *   workers all started: an average over the last few dozen split ops (two steps of the conv net).
 *   When it reaches BUSY_MISSED (12 misses in a row from 0; about 36 split ops at the 44 % of misses
 *   measured with a busy second core), every op runs inline for HOLD_MS; the workers fall asleep
 *   meanwhile. Short runs of misses, as when a worker is woken or descheduled for a moment, do not.
 * - Then ops split again with `missed` back at 0: a few dozen split ops probe the workers. If they
 *   still miss as often (the other process still holds the core), the next window starts; if the
 *   workers start, ops keep splitting.
 *
 * Results do not depend on it: an op computes the same bits inline and split. Only how many ops are
 * split does, which the tests that count them fix by turning it off (`enabled`, through
 * internals.ts `keepSplitting`).
 */
export class Backoff {
  /** false: ops split whenever their size says so (tests that count split ops). */
  enabled = true;
  /** The moving average of misses over split ops (see the rule above). */
  missed = 0;
  /** How many times ops went inline for HOLD_MS (diagnostics). */
  windows = 0;
  /** Until this time (of `now`) ops run inline; -Infinity while they split. */
  private until = Number.NEGATIVE_INFINITY;

  constructor(
    /** The clock, in milliseconds (tests set a fake one through internals.ts). */
    public now: () => number = () => performance.now(),
  ) {}

  /** Records whether a split op missed (some worker never started on its part). */
  record(missed: boolean): void {
    if (!this.enabled) return;
    this.missed += ((missed ? 1 : 0) - this.missed) * MISSED_WEIGHT;
    if (this.missed < BUSY_MISSED) return;
    this.missed = 0;
    this.windows++;
    this.until = this.now() + HOLD_MS;
  }

  /** Whether an op that would split runs inline instead (within a window). */
  inline(): boolean {
    if (this.until === Number.NEGATIVE_INFINITY) return false;
    if (this.enabled && this.now() < this.until) return true;
    this.until = Number.NEGATIVE_INFINITY;
    return false;
  }
}

// The worker backend's backoff (src/worker/backoff.ts): after 4 split ops in a row whose worker never
// started on its part (its core busy with another process), ops run inline for 200 ms, then split
// again. Driven by a fake clock and a fake worker that either never runs (a thread the OS does not
// schedule) or starts on every op at once, so that every count below is fixed.
import { describe, expect, it } from "vitest";
import { cpu, rand, randn, type Tensor } from "../src/index.js";
import { BUSY_MISSED, Backoff, HOLD_MS, MISSED_WEIGHT } from "../src/worker/backoff.js";
import { CLAIM, ControlBlock, DONE, READY, SLEEPING, TASK } from "../src/worker/control-block.js";
import { backoffOf, keepSplitting, poolOf } from "../src/worker/internals.js";
import type { ThreadHost } from "../src/worker/thread-host.js";
import { ThreadPoolBackend } from "../src/worker/thread-pool-backend.js";
import { firstDifference } from "./conformance/suite.js";

describe("the backoff's rule", () => {
  it("goes inline after 4 misses in a row, for 200 ms, then splits again from an average of 0", () => {
    let t = 1000;
    const b = new Backoff(() => t);
    // The average of misses: 1/4, 7/16, 37/64 (under 0.6), 175/256 (over).
    for (const want of [0.25, 0.4375, 0.578125]) {
      b.record(true);
      expect(b.missed).toBe(want);
      expect(b.inline()).toBe(false);
    }
    b.record(true);
    expect([b.missed, b.windows, b.inline()]).toEqual([0, 1, true]);
    t += HOLD_MS - 0.5;
    expect(b.inline()).toBe(true);
    t += 0.5;
    expect(b.inline()).toBe(false);
    // The next window takes 4 misses again.
    for (let i = 0; i < 3; i++) b.record(true);
    expect(b.inline()).toBe(false);
    b.record(true);
    expect([b.windows, b.inline()]).toEqual([2, true]);
    expect([MISSED_WEIGHT, BUSY_MISSED, HOLD_MS]).toEqual([0.25, 0.6, 200]);
  });

  it("a split op whose workers started takes a quarter off the average", () => {
    const t = 0;
    const b = new Backoff(() => t);
    // miss, miss, miss, started: 0.578125 * 0.75 = 0.43359375; two misses then reach 0.68.
    for (const missed of [true, true, true, false]) b.record(missed);
    expect(b.missed).toBe(0.43359375);
    b.record(true);
    expect([b.missed < BUSY_MISSED, b.inline()]).toEqual([true, false]);
    b.record(true);
    expect([b.windows, b.inline()]).toEqual([1, true]);
    // Misses every other op never start a window: the average stays under 0.6.
    const c = new Backoff(() => t);
    for (let i = 0; i < 100; i++) c.record(i % 2 === 0);
    expect([c.windows, c.inline(), c.missed < 0.5]).toEqual([0, false, true]);
  });

  it("turned off, records nothing and never holds ops inline, even within a window", () => {
    let t = 0;
    const b = new Backoff(() => t);
    for (let i = 0; i < 4; i++) b.record(true);
    expect(b.inline()).toBe(true);
    b.enabled = false;
    expect(b.inline()).toBe(false);
    for (let i = 0; i < 20; i++) b.record(true);
    t += 1;
    expect([b.missed, b.windows, b.inline()]).toEqual([0, 1, false]);
  });
});

/**
 * A host of one fake worker that reports ready. While `starts` is false it never runs anything (the
 * calling thread takes its part back: a miss); while true it claims its part of every op as soon as
 * the op is handed over and reports it done without taking a chunk (the calling thread computes
 * them all: the worker started, no miss). It says it sleeps, so that each op's hand-over wakes it
 * with a message, synchronously.
 */
function fakeHost(): { host: ThreadHost; worker: { starts: boolean } } {
  const worker = { starts: false };
  let control: ControlBlock | null = null;
  const start = (seq: number): void => {
    control!.store(0, SLEEPING, 1);
    if (worker.starts && control!.compareExchange(0, CLAIM, seq, -seq) === seq) control!.signal(0, DONE, seq);
  };
  const host: ThreadHost = {
    check() {},
    defaultThreads: () => 2,
    spawn: () => ({
      post: (msg) => {
        if (msg.type === "init") {
          control = new ControlBlock(msg.control, msg.slots);
          control.store(0, SLEEPING, 1);
          control.signal(0, READY, 1);
        } else if (msg.type === "wake") start(control!.load(0, TASK));
        else if (msg.type === "task") start(msg.seq);
      },
      terminate() {},
    }),
  };
  return { host, worker };
}

describe("the worker backend backs off while its worker does not start", () => {
  // A convolution's forward product on 8 images: 18 432 x 30 x 25 float32 multiply-adds, over
  // matmul's split threshold.
  const col = rand([18432, 25], { seed: 5, dtype: "float32" });
  const w = randn([30, 25], { seed: 6, dtype: "float32" });
  const want = col.matmul(w, { transposeB: true }).data;

  function product(on: ThreadPoolBackend, label: string): void {
    const got: Tensor = col.to(on).matmul(w.to(on), { transposeB: true });
    expect(firstDifference(got.data, want), label).toBeNull();
  }

  /** Runs the product `times` times; returns how many were split and how many ran inline. */
  function run(on: ThreadPoolBackend, times: number, label: string): [number, number] {
    const before = { ...on.stats };
    for (let i = 0; i < times; i++) product(on, `${label} ${i}`);
    return [on.stats.split - before.split, on.stats.inline - before.inline];
  }

  it("runs ops inline after 4 misses, splits again after 200 ms and keeps splitting once the worker starts", () => {
    const { host, worker } = fakeHost();
    const on = new ThreadPoolBackend({ threads: 2 }, host);
    try {
      let t = 0;
      const backoff = backoffOf(on);
      backoff.now = () => t;
      expect(poolOf(on).readyWorkers()).toBe(1);
      expect(run(on, 6, "worker stalled"), "4 split (and missed), then inline").toEqual([4, 2]);
      expect([poolOf(on).stolenRanges, backoff.windows]).toEqual([4, 1]);
      t = HOLD_MS - 1;
      expect(run(on, 1, "within the window")).toEqual([0, 1]);
      t = HOLD_MS;
      // The window is over: 4 probes split and miss again, and the next window starts.
      expect(run(on, 5, "still stalled")).toEqual([4, 1]);
      expect([poolOf(on).stolenRanges, backoff.windows]).toEqual([8, 2]);
      // The worker starts again: after this window every op splits, none missed.
      worker.starts = true;
      t = 2 * HOLD_MS;
      expect(run(on, 10, "worker started")).toEqual([10, 0]);
      expect([poolOf(on).stolenRanges, backoff.windows, backoff.missed]).toEqual([8, 2, 0]);
      // Misses interleaved with started ops never hold ops inline.
      for (let i = 0; i < 12; i++) {
        worker.starts = i % 2 === 1;
        expect(run(on, 1, `alternating ${i}`)).toEqual([1, 0]);
      }
      expect([poolOf(on).stolenRanges, backoff.windows]).toEqual([14, 2]);
    } finally {
      on.dispose();
    }
  });

  it("with the backoff turned off (keepSplitting), splits every op its size says to split", () => {
    const { host } = fakeHost();
    const on = keepSplitting(new ThreadPoolBackend({ threads: 2 }, host));
    try {
      expect(run(on, 10, "kept splitting")).toEqual([10, 0]);
      expect([poolOf(on).stolenRanges, backoffOf(on).windows]).toEqual([10, 0]);
      // Small ops still run inline.
      const small = randn([10, 10], { seed: 1, dtype: "float32" });
      expect(firstDifference(small.to(on).add(1).data, small.to(cpu).add(1).data)).toBeNull();
      expect(on.stats).toEqual({ split: 10, inline: 1 });
    } finally {
      on.dispose();
    }
  });
});

// Timing. All contenders of one case are measured interleaved, round by round, so that load from
// other processes on the machine hits them alike; each keeps its fastest run.
import type { PreparedOp } from "./target.js";

export interface TimingOptions {
  /** Warm-up per contender (JIT, caches), in milliseconds; at least one run. */
  warmupMs: number;
  /** Time each contender must have spent in timed runs, in milliseconds. */
  minMs: number;
  /** Timed runs each contender must have made at least. */
  minRuns: number;
  /** Length of one contender's turn in a round, in milliseconds. */
  roundMs: number;
}

export const FULL: TimingOptions = { warmupMs: 300, minMs: 1000, minRuns: 3, roundMs: 100 };
export const QUICK: TimingOptions = { warmupMs: 30, minMs: 100, minRuns: 2, roundMs: 25 };

export interface Timing {
  /** Fastest run, in milliseconds. */
  bestMs: number;
  /** Median run, in milliseconds. */
  medianMs: number;
  runs: number;
}

/** Fastest and median run time of each op, measured interleaved. `untimed`, if given, runs before
 * every timed run, outside the timed region (e.g. to evict the caches), given the index of the op
 * about to run. */
export function timeInterleaved(
  ops: readonly PreparedOp[],
  options: TimingOptions,
  untimed?: (op: number) => void,
): Timing[] {
  for (const op of ops) {
    const t0 = performance.now();
    let runs = 0;
    while (runs < 1 || performance.now() - t0 < options.warmupMs) {
      op.run();
      runs++;
    }
  }
  const samples: number[][] = ops.map(() => []);
  const spent = ops.map(() => 0);
  const done = (i: number): boolean => spent[i]! >= options.minMs && samples[i]!.length >= options.minRuns;
  while (!ops.every((_, i) => done(i))) {
    ops.forEach((op, i) => {
      if (done(i)) return;
      const turn = performance.now();
      do {
        untimed?.(i);
        const t = performance.now();
        op.run();
        const dt = performance.now() - t;
        samples[i]!.push(dt);
        spent[i]! += dt;
      } while (performance.now() - turn < options.roundMs);
    });
  }
  return samples.map((s) => {
    const sorted = [...s].sort((a, b) => a - b);
    return { bestMs: sorted[0]!, medianMs: sorted[Math.floor(sorted.length / 2)]!, runs: s.length };
  });
}

// Measures where splitting an op between threads starts to pay, to set the split thresholds of src/ops.ts.
// Run: cd packages/tensor && node --import tsx test/worker-thresholds.bench.ts
// For each op and size: the time inline on the calling thread (a 1-thread worker backend: same
// shared-memory allocation, no hand-off) against the time split over 2 threads (splitEveryOp).
// Medians of interleaved runs; prints "split pays" ratios (inline / split; > 1 means splitting wins).
import { randn, type Tensor } from "../src/index.js";
import { createWorkerBackend } from "../src/worker/node.js";
import { splitEveryOp } from "../src/worker/internals.js";

const inline = await createWorkerBackend({ threads: 1 });
const split = splitEveryOp(await createWorkerBackend({ threads: 2 }));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Median microseconds per call of f on each backend, interleaved so load changes hit both. */
function compare(
  make: (backend: typeof inline) => () => Tensor,
  targetMs = 300,
): { inlineUs: number; splitUs: number } {
  const fi = make(inline);
  const fs = make(split);
  for (let i = 0; i < 20; i++) {
    fi();
    fs();
  }
  let reps = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < reps; i++) fi();
    if (performance.now() - t > 2 || reps > 1 << 16) break;
    reps *= 2;
  }
  const ti: number[] = [];
  const ts: number[] = [];
  const t0 = performance.now();
  while (performance.now() - t0 < targetMs || ti.length < 5) {
    let t = performance.now();
    for (let i = 0; i < reps; i++) fi();
    ti.push(((performance.now() - t) * 1000) / reps);
    t = performance.now();
    for (let i = 0; i < reps; i++) fs();
    ts.push(((performance.now() - t) * 1000) / reps);
  }
  return { inlineUs: median(ti), splitUs: median(ts) };
}

function row(what: string, work: number, r: { inlineUs: number; splitUs: number }): void {
  const ratio = r.inlineUs / r.splitUs;
  console.log(
    `${what.padEnd(34)} ${String(work).padStart(9)}  inline ${r.inlineUs.toFixed(1).padStart(8)} us  split ${r.splitUs.toFixed(1).padStart(8)} us  x${ratio.toFixed(2)}${ratio > 1.1 ? "  split pays" : ""}`,
  );
}

console.log("matmul (work = m*n*k)");
for (const [m, k, n] of [
  [16, 16, 16],
  [24, 24, 24],
  [32, 32, 32],
  [40, 40, 40],
  [48, 48, 48],
  [64, 64, 64],
  [100, 50, 10],
  [96, 96, 96],
  [128, 128, 128],
  [100, 784, 50],
] as [number, number, number][]) {
  row(
    `matmul ${m}x${k} @ ${k}x${n}`,
    m * n * k,
    compare((backend) => {
      const a = randn([m, k], { seed: 1, backend });
      const b = randn([k, n], { seed: 2, backend });
      return () => a.matmul(b);
    }),
  );
}

for (const [label, op] of [
  ["add (cheap element-wise)", (x: Tensor, y: Tensor) => x.add(y)],
  ["exp (transcendental)", (x: Tensor) => x.exp()],
  ["sum along axis 0 (reduction)", (x: Tensor) => x.sum(0)],
  ["transpose (layout)", (x: Tensor) => x.transpose()],
] as [string, (x: Tensor, y: Tensor) => Tensor][]) {
  console.log(`\n${label} (work = elements)`);
  for (let p = 10; p <= 20; p += 2) {
    const size = 1 << p;
    const cols = 1 << (p >> 1);
    row(
      `${label.split(" ")[0]} [${size / cols}, ${cols}]`,
      size,
      compare((backend) => {
        const x = randn([size / cols, cols], { seed: 3, backend });
        const y = randn([size / cols, cols], { seed: 4, backend });
        return () => op(x, y);
      }),
    );
  }
}

inline.dispose();
split.dispose();

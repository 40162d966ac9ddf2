// The conv-step bench: one training step of the book's SimpleConvNet (ch07: Conv 30x5x5 -> Relu ->
// Pool 2x2 -> Affine 4320x100 -> Relu -> Affine 100x10, float64, batch 100, Adam lr 0.001: gather
// the minibatch, forward, backward, update) on each bp backend, measured interleaved, and the same
// step in NumPy (numpy/simple_convnet.py, one BLAS thread) in the same run. The ratio is NumPy's
// best time over the backend's best time: above 1, bp is faster.
//
//   node tools/bench/dist/conv-step.js [minMs]      (after a build; or through tsx from src/)
import { spawnSync } from "node:child_process";
import { Adam, SimpleConvNet } from "@bp/nets";
import { Rng, cpu, rand, tensor, type Backend } from "@bp/tensor";
import { createWasmBackend } from "@bp/tensor/wasm";
import { createWorkerBackend } from "@bp/tensor/worker";
import { FULL, timeInterleaved, type Timing } from "./measure.js";
import { numpyMissing, numpyScript, oneBlasThread } from "./numpy.js";
import type { PreparedOp } from "./target.js";
import { trainingStep } from "./train-step.js";

export const CONV_STEP = { rows: 1000, batch: 100, lr: 0.001, seed: 1 } as const;

/** A prepared SimpleConvNet training step on `backend`: the same data, weights and minibatch
 * sequence on every backend. */
export function convStep(backend: Backend): PreparedOp {
  const x = rand([CONV_STEP.rows, 1, 28, 28], { seed: 7, backend });
  const t = tensor(Int32Array.from(new Rng(8).choice(10, CONV_STEP.rows)), { dtype: "int32" }).to(backend);
  const net = new SimpleConvNet({ seed: CONV_STEP.seed, backend });
  const optimizer = new Adam({ lr: CONV_STEP.lr });
  const batches = new Rng(4);
  return {
    run() {
      const idx = batches.choice(CONV_STEP.rows, CONV_STEP.batch);
      trainingStep(net, optimizer, x, t, idx);
    },
    dispose() {},
  };
}

/** NumPy's best step time (and median), or null with the reason printed. */
export function numpyConvStep(minMs: number): { version: string; timing: Timing; cpuMs: number } | null {
  const missing = numpyMissing();
  if (missing !== null) {
    console.error(`conv-step: no NumPy row: ${missing}`);
    return null;
  }
  const r = spawnSync("python3", [numpyScript("simple_convnet.py"), String(minMs)], {
    encoding: "utf8",
    env: oneBlasThread(),
  });
  if (r.status !== 0) {
    console.error(`conv-step: no NumPy row: numpy/simple_convnet.py failed (exit status ${r.status}):\n${r.stderr}`);
    return null;
  }
  const out = JSON.parse(r.stdout) as { numpy: string; bestMs: number; medianMs: number; runs: number; cpuMs: number };
  return {
    version: out.numpy,
    timing: { bestMs: out.bestMs, medianMs: out.medianMs, runs: out.runs },
    cpuMs: out.cpuMs,
  };
}

/** Mean CPU time of `runs` runs of `op`, in milliseconds (all threads of this process: for the
 * worker backend that is the sum over its threads, not a wall time). Less sensitive than wall time
 * to other processes competing for the cores. */
export function cpuMsPerRun(op: PreparedOp, runs: number): number {
  const before = process.cpuUsage();
  for (let i = 0; i < runs; i++) op.run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / runs;
}

async function main(): Promise<void> {
  const minMs = Number(process.argv[2] ?? FULL.minMs * 3);
  const backends: [string, Backend][] = [
    ["cpu", cpu],
    ["wasm", await createWasmBackend()],
    ["worker", await createWorkerBackend()],
  ];
  const ops = backends.map(([, b]) => convStep(b));
  const timings = timeInterleaved(ops, { ...FULL, minMs, roundMs: 500 });
  const cpuMs = ops.map((op) => cpuMsPerRun(op, 5));
  const numpy = numpyConvStep(minMs);
  console.log(
    "| SimpleConvNet step, batch 100, float64 | best ms | median ms | runs | NumPy / bp (best) | CPU ms/step | NumPy / bp (CPU) |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  backends.forEach(([name], i) => {
    const t = timings[i]!;
    const ratio = numpy === null ? "-" : (numpy.timing.bestMs / t.bestMs).toFixed(2);
    const cpuRatio = numpy === null ? "-" : (numpy.cpuMs / cpuMs[i]!).toFixed(2);
    console.log(
      `| bp ${name} | ${t.bestMs.toFixed(1)} | ${t.medianMs.toFixed(1)} | ${t.runs} | ${ratio} | ${cpuMs[i]!.toFixed(1)} | ${cpuRatio} |`,
    );
  });
  if (numpy !== null) {
    const t = numpy.timing;
    console.log(
      `| NumPy ${numpy.version} (1 BLAS thread) | ${t.bestMs.toFixed(1)} | ${t.medianMs.toFixed(1)} | ${t.runs} | 1.00 | ${numpy.cpuMs.toFixed(1)} | 1.00 |`,
    );
  }
  console.log("CPU ms/step counts every thread of the process (the worker backend's threads summed).");
  for (const [, b] of backends) b.dispose();
}

await main();

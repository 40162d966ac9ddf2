// The conv-step bench: one training step of the book's SimpleConvNet (ch07: Conv 30x5x5 -> Relu ->
// Pool 2x2 -> Affine 4320x100 -> Relu -> Affine 100x10, batch 100, Adam lr 0.001: gather the
// minibatch, forward, backward, update) on each bp backend, measured interleaved, then the same step
// in NumPy (numpy/simple_convnet.py, one BLAS thread) and in PyTorch (torch/simple_convnet.py, one
// and two threads), each in its own process, in the same run. Ratios are the peer's best time over
// the backend's best time: above 1, bp is faster.
//
//   node tools/bench/dist/conv-step.js [minMs] [--dtype float64|float32] [--input random|mnist] [--profile]
//        [--rounds N] [--backends cpu,wasm,worker]
// --dtype: the parameters' and the input's dtype on every contender (default float64).
// --input: 1000 uniform [0, 1) images with random labels (default), or MNIST's first 1000 training
// images / 255 (about 81 % zeros) with their labels, the workload a user trains on.
// --profile: instead of the comparison, each bp backend's time per step by primitive op and shape
// (wall time of the backend's exec, the ops split between threads counted), and what is left of the
// step outside the ops (the Tensor methods' validation, allocation, disposal).
// --rounds N: N rounds in one run, each timing the bp backends (interleaved) and then PyTorch with
// one and with two threads, so that a noisy machine (or PyTorch's own fast and slow phases) meets
// every contender in every round; the table gives each contender's best over all rounds, and a
// second table each round's ratios. NumPy runs in the first round only.
// --backends: the bp backends to time (default cpu,wasm,worker).
import { spawnSync } from "node:child_process";
import { defaultMnistDir, loadMnist } from "@bp/data";
import { Adam, SimpleConvNet } from "@bp/nets";
import { Rng, cpu, rand, tensor, type Backend, type FloatDType, type Tensor } from "@bp/tensor";
import { createWasmBackend } from "@bp/tensor/wasm";
import { createWorkerBackend } from "@bp/tensor/worker";
import { FULL, timeInterleaved, type Timing } from "./measure.js";
import { numpyMissing, numpyScript, oneBlasThread } from "./numpy.js";
import type { PreparedOp } from "./target.js";
import { runTorch, threadsText } from "./torch.js";
import { trainingStep } from "./train-step.js";

export const CONV_STEP = { rows: 1000, batch: 100, lr: 0.001, seed: 1 } as const;

export type ConvInput = "random" | "mnist";

const USAGE =
  "usage: node tools/bench/dist/conv-step.js [minMs] [--dtype float64|float32] [--input random|mnist] [--profile] [--rounds N] [--backends cpu,wasm,worker]";

const BACKEND_NAMES = ["cpu", "wasm", "worker"] as const;
type BackendName = (typeof BACKEND_NAMES)[number];

/** The step's 1000 rows on `backend`: uniform random images and labels, or MNIST's first training images. */
function convData(backend: Backend, dtype: FloatDType, input: ConvInput): { x: Tensor; t: Tensor } {
  if (input === "mnist") {
    const mnist = loadMnist({ flatten: false, dtype });
    const first = Int32Array.from({ length: CONV_STEP.rows }, (_, i) => i);
    return { x: mnist.xTrain.gather(first).to(backend), t: mnist.tTrain.gather(first).to(backend) };
  }
  return {
    x: rand([CONV_STEP.rows, 1, 28, 28], { seed: 7, backend, dtype }),
    t: tensor(Int32Array.from(new Rng(8).choice(10, CONV_STEP.rows)), { dtype: "int32" }).to(backend),
  };
}

/** A prepared SimpleConvNet training step on `backend`: the same data, weights and minibatch
 * sequence on every backend. */
export function convStep(backend: Backend, dtype: FloatDType = "float64", input: ConvInput = "random"): PreparedOp {
  const { x, t } = convData(backend, dtype, input);
  const net = new SimpleConvNet({ seed: CONV_STEP.seed, backend, dtype });
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

/** A peer's step: its best and median times and CPU time per step. */
export interface PeerStep {
  label: string;
  timing: Timing;
  cpuMs: number;
}

interface StepJson {
  bestMs: number;
  medianMs: number;
  runs: number;
  cpuMs: number;
}

function peerStep(label: string, out: StepJson): PeerStep {
  return { label, timing: { bestMs: out.bestMs, medianMs: out.medianMs, runs: out.runs }, cpuMs: out.cpuMs };
}

/** The scripts' last argument: "random" or the MNIST folder. */
function inputArg(input: ConvInput): string {
  return input === "mnist" ? defaultMnistDir() : "random";
}

/** NumPy's step (one BLAS thread), or null with the reason printed. */
export function numpyConvStep(minMs: number, dtype: FloatDType, input: ConvInput): PeerStep | null {
  const missing = numpyMissing();
  if (missing !== null) {
    console.error(`conv-step: no NumPy row: ${missing}`);
    return null;
  }
  const r = spawnSync("python3", [numpyScript("simple_convnet.py"), String(minMs), dtype, inputArg(input)], {
    encoding: "utf8",
    env: oneBlasThread(),
  });
  if (r.status !== 0) {
    console.error(`conv-step: no NumPy row: numpy/simple_convnet.py failed (exit status ${r.status}):\n${r.stderr}`);
    return null;
  }
  const out = JSON.parse(r.stdout) as StepJson & { numpy: string };
  return peerStep(`NumPy ${out.numpy} (1 BLAS thread)`, out);
}

/** PyTorch's step with `threads` threads, or null with the reason printed. */
export function pytorchConvStep(
  minMs: number,
  dtype: FloatDType,
  input: ConvInput,
  threads: number,
): (PeerStep & { blas: string }) | null {
  const out = runTorch<StepJson>("conv-step", "simple_convnet.py", [String(minMs), dtype, inputArg(input)], threads);
  if (out === null) return null;
  return { ...peerStep(`PyTorch ${out.torch} (${threadsText(threads)})`, out), blas: out.blas };
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

function parseArgs(args: readonly string[]): {
  minMs: number;
  dtype: FloatDType;
  input: ConvInput;
  profile: boolean;
  rounds: number;
  backends: BackendName[];
} {
  let minMs = FULL.minMs * 3;
  let dtype: FloatDType = "float64";
  let input: ConvInput = "random";
  let profile = false;
  let rounds = 1;
  let backends: BackendName[] = [...BACKEND_NAMES];
  const fail = (why: string): never => {
    console.error(`conv-step: ${why}\n${USAGE}`);
    process.exit(2);
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--dtype") {
      const v = args[++i];
      if (v !== "float64" && v !== "float32") fail(`--dtype needs float64 or float32, got ${JSON.stringify(v)}`);
      dtype = v as FloatDType;
    } else if (a === "--input") {
      const v = args[++i];
      if (v !== "random" && v !== "mnist") fail(`--input needs random or mnist, got ${JSON.stringify(v)}`);
      input = v as ConvInput;
    } else if (a === "--profile") profile = true;
    else if (a === "--rounds") {
      const v = args[++i];
      if (v === undefined || !/^\d+$/.test(v) || Number(v) < 1)
        fail(`--rounds needs a positive integer, got ${JSON.stringify(v)}`);
      rounds = Number(v);
    } else if (a === "--backends") {
      const v = args[++i] ?? "";
      const list = v.split(",");
      if (v === "" || list.some((b) => !(BACKEND_NAMES as readonly string[]).includes(b)))
        fail(`--backends needs names from ${BACKEND_NAMES.join(",")} separated by commas, got ${JSON.stringify(v)}`);
      backends = BACKEND_NAMES.filter((b) => list.includes(b));
    } else if (/^\d+$/.test(a) && Number(a) > 0) minMs = Number(a);
    else fail(`unknown argument ${JSON.stringify(a)}`);
  }
  return { minMs, dtype, input, profile, rounds, backends };
}

/** What names one op of the step: the primitive, its element-wise or reduction op, and its shapes. */
function opKey(op: string, t: Record<string, unknown>): string {
  const len = (a: unknown): number => (a as { length: number }).length;
  const g = t.g as { n: number; c: number; h: number; w: number; filterH: number; filterW: number } | undefined;
  switch (op) {
    case "matmul":
      return `matmul m${t.m} n${t.n} k${t.k}${t.transA ? " Aᵀ" : ""}${t.transB ? " Bᵀ" : ""}`;
    case "im2col":
    case "col2im":
      return `${op} [${g!.n},${g!.c},${g!.h},${g!.w}] ${g!.filterH}x${g!.filterW}`;
    case "reduce":
    case "argmax":
      return `${"op" in t ? t.op : op} ${t.outer}x${t.axisLen}x${t.inner}`;
    case "transpose":
      return `transpose [${(t.shape as number[]).join(",")}] (${(t.perm as number[]).join(",")})`;
    case "fused": // an optimizer's update: its program's ops over the inputs' elements
      return `fused ${len((t.xs as unknown[])[0])} (${len((t.program as { code: unknown }).code) / 4} ops)`;
    default:
      return `${"op" in t ? t.op : op} ${len(t.out)}`;
  }
}

/** Runs `steps` steps of `op` on `backend` after a warm-up, timing each primitive by opKey; prints a
 * table, slowest first, and the step's time outside the ops. */
function profileSteps(name: string, backend: Backend, op: PreparedOp, steps: number): void {
  const exec = (backend as unknown as { exec: (o: string, t: Record<string, unknown>) => void }).exec;
  const stats = (backend as unknown as { stats?: { split: number } }).stats;
  const rows = new Map<string, { ms: number; calls: number; split: number }>();
  (backend as unknown as { exec: unknown }).exec = function (this: unknown, o: string, t: Record<string, unknown>) {
    const key = opKey(o, t);
    const split0 = stats?.split ?? 0;
    const t0 = performance.now();
    exec.call(this, o, t);
    const row = rows.get(key) ?? { ms: 0, calls: 0, split: 0 };
    row.ms += performance.now() - t0;
    row.calls++;
    row.split += (stats?.split ?? 0) - split0;
    rows.set(key, row);
  };
  for (let i = 0; i < 5; i++) op.run();
  rows.clear();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) op.run();
  const wall = (performance.now() - t0) / steps;
  const cpuUsed = process.cpuUsage(cpu0);
  const cpuMs = (cpuUsed.user + cpuUsed.system) / 1000 / steps;
  let inOps = 0;
  console.log(`\n| bp ${name}: op (per step) | calls | split | ms | % of step |`);
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const [key, r] of [...rows].sort((a, b) => b[1].ms - a[1].ms)) {
    inOps += r.ms / steps;
    console.log(
      `| ${key} | ${r.calls / steps} | ${r.split / steps} | ${(r.ms / steps).toFixed(2)} | ${((100 * r.ms) / steps / wall).toFixed(1)} |`,
    );
  }
  console.log(`| outside the ops | | | ${(wall - inOps).toFixed(2)} | ${((100 * (wall - inOps)) / wall).toFixed(1)} |`);
  console.log(`| step (mean of ${steps}) | | | ${wall.toFixed(2)} | CPU ${cpuMs.toFixed(1)} ms/step |`);
}

function ratio(peer: PeerStep | null, ms: number, cpuMs = false): string {
  if (peer === null) return "-";
  return ((cpuMs ? peer.cpuMs : peer.timing.bestMs) / ms).toFixed(2);
}

/** The best of several timings of one contender (its fastest run; the median of the medians). */
function bestOf(timings: readonly Timing[]): Timing {
  const medians = timings.map((t) => t.medianMs).sort((a, b) => a - b);
  return {
    bestMs: Math.min(...timings.map((t) => t.bestMs)),
    medianMs: medians[Math.floor(medians.length / 2)]!,
    runs: timings.reduce((sum, t) => sum + t.runs, 0),
  };
}

async function makeBackend(name: BackendName): Promise<Backend> {
  if (name === "cpu") return cpu;
  return name === "wasm" ? createWasmBackend() : createWorkerBackend();
}

async function main(): Promise<void> {
  const { minMs, dtype, input, profile, rounds, backends: names } = parseArgs(process.argv.slice(2));
  if (profile) {
    for (const [name, b] of [
      ["wasm", await createWasmBackend()],
      ["worker", await createWorkerBackend()],
    ] as const) {
      profileSteps(name, b, convStep(b, dtype, input), 40);
      b.dispose();
    }
    return;
  }
  const backends: [string, Backend][] = [];
  for (const name of names) backends.push([name, await makeBackend(name)]);
  const ops = backends.map(([, b]) => convStep(b, dtype, input));
  const bpTimings: Timing[][] = ops.map(() => []);
  const cpuMs = ops.map(() => 0);
  let numpy: PeerStep | null = null;
  const torch: [PeerStep[], PeerStep[]] = [[], []];
  let blas: string | undefined;
  const roundRows: string[] = [];
  for (let round = 0; round < rounds; round++) {
    const timings = timeInterleaved(ops, { ...FULL, minMs, roundMs: 500 });
    for (const [i, t] of timings.entries()) bpTimings[i]!.push(t);
    if (round === 0) {
      for (const [i, op] of ops.entries()) cpuMs[i] = cpuMsPerRun(op, 5);
      numpy = numpyConvStep(minMs, dtype, input);
    }
    const torch1 = pytorchConvStep(minMs, dtype, input, 1);
    const torch2 = torch1 === null ? null : pytorchConvStep(minMs, dtype, input, 2);
    if (torch1 !== null) torch[0].push(torch1);
    if (torch2 !== null) torch[1].push(torch2);
    blas ??= torch1?.blas;
    const ms = (name: string): number | undefined => timings[names.indexOf(name as BackendName)]?.bestMs;
    const r = (num: number | undefined, den: number | undefined): string =>
      num === undefined || den === undefined ? "-" : (num / den).toFixed(2);
    const [w, k, p1, p2] = [ms("wasm"), ms("worker"), torch1?.timing.bestMs, torch2?.timing.bestMs];
    const f = (v: number | undefined): string => (v === undefined ? "-" : v.toFixed(1));
    roundRows.push(
      `| ${round + 1} | ${f(w)} | ${f(k)} | ${f(p1)} | ${f(p2)} | ${r(p1, w)} | ${r(p2, k)} | ${r(w, k)} |`,
    );
  }
  for (const [, b] of backends) b.dispose();
  const peerOf = (runs: PeerStep[]): PeerStep | null =>
    runs.length === 0
      ? null
      : {
          label: runs[0]!.label,
          timing: bestOf(runs.map((p) => p.timing)),
          cpuMs: Math.min(...runs.map((p) => p.cpuMs)),
        };
  const torch1 = peerOf(torch[0]);
  const torch2 = peerOf(torch[1]);
  const rows: [string, Timing, number][] = backends.map(([name], i) => [
    `bp ${name}`,
    bestOf(bpTimings[i]!),
    cpuMs[i]!,
  ]);
  for (const peer of [numpy, torch1, torch2]) if (peer !== null) rows.push([peer.label, peer.timing, peer.cpuMs]);
  const over = rounds > 1 ? `, best of ${rounds} rounds` : "";
  console.log(
    `| SimpleConvNet step, batch 100, ${dtype}, ${input} input${over} | best ms | median ms | runs | CPU ms/step | NumPy / bp (best) | NumPy / bp (CPU) | PyTorch 1 thread / bp (best) | PyTorch 2 threads / bp (best) |`,
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [label, t, cpu] of rows) {
    console.log(
      `| ${label} | ${t.bestMs.toFixed(1)} | ${t.medianMs.toFixed(1)} | ${t.runs} | ${cpu.toFixed(1)} | ${ratio(numpy, t.bestMs)} | ${ratio(numpy, cpu, true)} | ${ratio(torch1, t.bestMs)} | ${ratio(torch2, t.bestMs)} |`,
    );
  }
  console.log(
    "CPU ms/step counts every thread of the process (the worker backend's threads summed). Ratios: the peer's time / the row's (above 1, the row is faster).",
  );
  if (rounds > 1) {
    console.log(
      `\n| round (${dtype}) | bp wasm best ms | bp worker best ms | PyTorch 1 thread | PyTorch 2 threads | PyTorch 1 / wasm | PyTorch 2 / worker | worker / wasm (speed-up) |`,
    );
    console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const row of roundRows) console.log(row);
    console.log(
      "Over the rounds, per contender: best = its fastest run in any round, median = the median of its rounds' medians, CPU ms/step = bp's first round, PyTorch's lowest.",
    );
  }
  if (blas !== undefined) console.log(`PyTorch's BLAS: ${blas} (tools/bench/torch/simple_convnet.py).`);
}

await main();

#!/usr/bin/env node
// bp's benchmark: GFLOPS of matrix products on every backend in backends.ts, measured in this one
// process, with each backend's speed relative to the backend it is compared with.
//   node tools/bench/dist/main.js            markdown table
//   node tools/bench/dist/main.js --json     the same rows as a JSON array
//   node tools/bench/dist/main.js --quick    short timings, without the slowest shapes (a smoke run)
import { cpus } from "node:os";
import { BACKENDS } from "./backends.js";
import { MATMUL_CASES, matmulFlops } from "./cases.js";
import { TRAIN_STEP_SHAPE, trainStepFlops } from "./train-step.js";
import { multiLayerStepFlops, multiLayerStepShape } from "./multilayer.js";
import { FULL, QUICK, timeInterleaved } from "./measure.js";
import { NUMPY, PYTORCH, dtypeRatioTable, markdownTable, withRatios, type Row } from "./report.js";
import { matmulCasesJson, numpyMatmul } from "./numpy.js";
import { runTorch } from "./torch.js";
import type { BenchTarget, PreparedOp } from "./target.js";
import type { DType } from "@bp/tensor";

const USAGE = "usage: node tools/bench/dist/main.js [--json] [--quick]";

const args = process.argv.slice(2);
for (const a of args) {
  if (a !== "--json" && a !== "--quick") {
    console.error(`bench: unknown argument ${JSON.stringify(a)}\n${USAGE}`);
    process.exit(2);
  }
}
const json = args.includes("--json");
const quick = args.includes("--quick");
const timing = quick ? QUICK : FULL;

const opened: { name: string; vs: string | null; dtypes: readonly DType[]; target: BenchTarget }[] = [];
for (const b of BACKENDS) opened.push({ name: b.name, vs: b.vs, dtypes: b.dtypes, target: await b.open() });

const rows: Row[] = [];

/** Times one op on every opened backend and dtype, interleaved, and adds a row for each. */
function benchSection(
  bench: string,
  shape: string,
  flops: number,
  prepare: (target: BenchTarget, dtype: DType) => PreparedOp | null,
): void {
  const contenders: { backend: string; vs: string | null; dtype: DType; op: PreparedOp }[] = [];
  for (const o of opened) {
    for (const dtype of o.dtypes) {
      const op = prepare(o.target, dtype);
      if (op !== null) contenders.push({ backend: o.name, vs: o.vs, dtype, op });
    }
  }
  console.error(`bench: ${bench} ${shape} (${contenders.map((x) => `${x.backend} ${x.dtype}`).join(", ")})`);
  const timings = timeInterleaved(
    contenders.map((x) => x.op),
    timing,
  );
  contenders.forEach((x, i) => {
    x.op.dispose();
    rows.push({
      bench,
      shape,
      dtype: x.dtype,
      backend: x.backend,
      gflops: flops / (timings[i]!.bestMs * 1e6),
      vs: x.vs,
      ratio: null,
      ofNumpy: null,
      ofPytorch: null,
    });
  });
}

const matmulCases = MATMUL_CASES.filter((c) => !(quick && c.slow));
for (const c of matmulCases) {
  benchSection("matmul", c.shape, matmulFlops(c), (target, dtype) => target.matmul(c, dtype));
}
benchSection("train step", TRAIN_STEP_SHAPE, trainStepFlops(), (target, dtype) => target.trainStep(dtype));
for (const useBatchnorm of [false, true]) {
  benchSection(
    "multilayer step",
    multiLayerStepShape(useBatchnorm),
    multiLayerStepFlops(),
    (target, dtype) => target.multiLayerStep?.(dtype, useBatchnorm) ?? null,
  );
}
for (const o of opened) o.target.close();

/** Matmul rows of a peer measured in its own process (best times per case and dtype). */
function addPeerRows(backend: string, peerRows: readonly { case: number; dtype: DType; bestMs: number }[]): void {
  for (const r of peerRows) {
    const c = matmulCases[r.case]!;
    rows.push({
      bench: "matmul",
      shape: c.shape,
      dtype: r.dtype,
      backend,
      gflops: matmulFlops(c) / (r.bestMs * 1e6),
      vs: null,
      ratio: null,
      ofNumpy: null,
      ofPytorch: null,
    });
  }
}

// NumPy (OpenBLAS, one thread) in its own process, after the others: each matmul row then says what
// share of it it reaches.
console.error("bench: numpy matmul, one BLAS thread");
const numpy = numpyMatmul(matmulCases, timing.minMs);
addPeerRows(NUMPY, numpy?.rows ?? []);

// PyTorch (one thread) in its own process too: torch.matmul on the same shapes.
console.error("bench: pytorch matmul, one thread");
const pytorch = runTorch<{ rows: { case: number; dtype: DType; bestMs: number }[] }>(
  "bench",
  "matmul.py",
  [String(timing.minMs)],
  1,
  matmulCasesJson(matmulCases),
);
addPeerRows(PYTORCH, pytorch?.rows ?? []);

// Each shape's rows together (the NumPy rows were measured last).
const groups = [...new Set(rows.map((r) => `${r.bench}|${r.shape}`))];
const result = withRatios(groups.flatMap((g) => rows.filter((r) => `${r.bench}|${r.shape}` === g)));
if (json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const cpu = cpus();
  console.log(markdownTable(result));
  console.log();
  console.log(dtypeRatioTable(result));
  console.log();
  console.log(
    [
      `GFLOPS = 2*m*n*k / fastest run. Each shape's contenders ran interleaved in one process (${timing.minRuns}+ runs and ${timing.minMs} ms or more each, after warm-up);`,
      `ratio = this row's GFLOPS / the "vs" backend's GFLOPS for the same shape and dtype, measured in the same run.`,
      `tfjs-backend-cpu runs float32 only, so float64 rows are compared against tfjs float32 at the same shape.`,
      `f32/f64 = a backend's float32 GFLOPS / its float64 GFLOPS at the same shape, same run (float32 multiplies and sums in float32).`,
      numpy === null
        ? "No NumPy rows (see the line printed on stderr)."
        : `${NUMPY}: NumPy ${numpy.version} \`a @ b\` with OPENBLAS_NUM_THREADS=1 (tools/bench/numpy/matmul.py, its own process, run after the others, same timing rule); "of NumPy" = this row's GFLOPS / NumPy's for the same shape and dtype.`,
      pytorch === null
        ? "No PyTorch rows (see the line printed on stderr)."
        : `${PYTORCH}: PyTorch ${pytorch.torch} \`a @ b\` with torch.set_num_threads(1) (tools/bench/torch/matmul.py, its own process, after NumPy, same timing rule), BLAS: ${pytorch.blas}; "of PyTorch" = this row's GFLOPS / PyTorch's.`,
      `tfjs-wasm: @tensorflow/tfjs-backend-wasm (XNNPACK, WebAssembly SIMD, one thread in Node), float32 only, compared with tfjs-cpu.`,
      `train step: one SGD step of TwoLayerNet (gather a minibatch, forward, backward, update), the same recipe and numbers on every backend; its GFLOPS count only the step's matrix products (${(trainStepFlops() / 1e6).toFixed(1)} M flops), so its ratios are ratios of step times.`,
      `multilayer step: one Adam step (lr 0.001, batch 100, float64) of MultiLayerNet 784-100x4-10 (tools/bench/src/multilayer.ts), without and with BatchNorm; GFLOPS count its matrix products (${(multiLayerStepFlops() / 1e6).toFixed(1)} M flops), so ratios are ratios of step times; bp backends only.`,
      `Machine: Node ${process.version}, ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores${quick ? "; --quick run (short timings, largest shapes left out)" : ""}.`,
    ].join("\n"),
  );
}

#!/usr/bin/env node
// The book's full training run (`bp train` with its defaults: TwoLayerNet 784-50-10 on MNIST, 10000
// iterations of batch 100) on the cpu, wasm and worker backends, the same recipe written with
// tfjs-core on tfjs-backend-cpu and tfjs-backend-wasm (book-run-tfjs.ts), in NumPy with one OpenBLAS
// thread (numpy/book_run.py) and in PyTorch with one and two threads (torch/book_run.py); a peer
// whose python3 or module is missing is left out with a line saying why. Each run is a fresh
// process, one after the other. Prints one markdown table: wall time of each process (data loading
// included), the training time it reports, its final accuracies, full garbage collections
// (Mark-Compact lines of --trace-gc), peak RSS, and its speed relative to cpu, tfjs-cpu, NumPy and
// PyTorch (one thread).
//   node tools/bench/dist/book-run.js [--iters N] [--dtype float64|float32] [--float32]
//        [--only cpu,wasm,worker,tfjs-cpu,tfjs-wasm,numpy,pytorch,pytorch2]
// --dtype: the dtype of the bp, NumPy and PyTorch runs (default float64; tfjs runs float32 only).
// --float32 adds cpu and worker runs in float32 to a float64 run. It takes a while: about a minute
// or two per run on 2 cores (tfjs-cpu several).
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { defaultMnistDir } from "@bp/data";
import { formatTable } from "@bp/tensor";
import { numpyMissing, numpyScript, oneBlasThread } from "./numpy.js";
import { pytorchName, torchEnv, torchPython, torchScript } from "./torch.js";

const USAGE =
  "usage: node tools/bench/dist/book-run.js [--iters N] [--dtype float64|float32] [--float32] [--only NAME,...]";
const args = process.argv.slice(2);
let iters: number | null = null;
let float32 = false;
let dtype = "float64";
/** Run only these rows (by key: cpu, wasm, worker, tfjs-cpu, tfjs-wasm, numpy, pytorch, pytorch2); default all. */
let only: Set<string> | null = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--float32") float32 = true;
  else if (args[i] === "--dtype" && (args[i + 1] === "float64" || args[i + 1] === "float32")) dtype = args[++i]!;
  else if (args[i] === "--iters" && i + 1 < args.length) iters = Number(args[++i]);
  else if (args[i] === "--only" && i + 1 < args.length) only = new Set(args[++i]!.split(","));
  else {
    console.error(`book-run: unknown argument ${JSON.stringify(args[i])}\n${USAGE}`);
    process.exit(2);
  }
}
if (iters !== null && (!Number.isInteger(iters) || iters < 1)) {
  console.error(`book-run: --iters needs a positive integer\n${USAGE}`);
  process.exit(2);
}
if (float32 && dtype === "float32") {
  console.error(
    `book-run: --float32 adds float32 runs to a float64 run; with --dtype float32 every bp run is float32\n${USAGE}`,
  );
  process.exit(2);
}

const root = fileURLToPath(new URL("../../../", import.meta.url));
const cli = fileURLToPath(new URL("../../../apps/cli/dist/bin.js", import.meta.url));
const tfjsScript = fileURLToPath(new URL("./book-run-tfjs.js", import.meta.url));
const peakRss = pathToFileURL(fileURLToPath(new URL("./peak-rss.js", import.meta.url))).href;
const mnistDir = defaultMnistDir();
const itersArgs = iters === null ? [] : ["--iters", String(iters)];

interface Run {
  /** The row's name, and the key --only selects it by. */
  name: string;
  key: string;
  dtype: string;
  argv: string[];
  /** The command (default: this Node, with the peak-RSS preload and --trace-gc). */
  command?: string;
  /** The environment (default: one BLAS thread). */
  env?: NodeJS.ProcessEnv;
}
const bpRun = (backend: string, runDtype: string): Run => ({
  name: backend,
  key: backend,
  dtype: runDtype,
  argv: [cli, "train", "--backend", backend, "--dtype", runDtype, "--json", "--no-progress", ...itersArgs],
});
const tfjsRun = (backend: string): Run => ({
  name: `tfjs-${backend}`,
  key: `tfjs-${backend}`,
  dtype: "float32",
  argv: [tfjsScript, "--backend", backend, ...itersArgs],
});
const runs: Run[] = [
  bpRun("cpu", dtype),
  bpRun("wasm", dtype),
  bpRun("worker", dtype),
  ...(float32 ? [bpRun("cpu", "float32"), bpRun("worker", "float32")] : []),
  tfjsRun("cpu"),
  tfjsRun("wasm"),
];
const NUMPY = "numpy (1 thread)";
const PYTORCH = pytorchName(1);
const peerArgs = [mnistDir, String(iters ?? 10000), dtype];
const missing = numpyMissing();
if (missing === null) {
  runs.push({ name: NUMPY, key: "numpy", dtype, command: "python3", argv: [numpyScript("book_run.py"), ...peerArgs] });
} else {
  console.error(`book-run: no NumPy row: ${missing}`);
}
const torch = torchPython();
if ("python" in torch) {
  for (const threads of [1, 2]) {
    runs.push({
      name: pytorchName(threads),
      key: threads === 1 ? "pytorch" : "pytorch2",
      dtype,
      command: torch.python,
      argv: [torchScript("book_run.py"), ...peerArgs],
      env: torchEnv(threads),
    });
  }
} else {
  console.error(`book-run: no PyTorch rows: ${torch.missing}`);
}

interface Result {
  run: Run;
  wall: number;
  seconds: number;
  trainAccuracy: number;
  testAccuracy: number;
  /** Full (Mark-Compact) garbage collections, all threads; null for NumPy. */
  fullGcs: number | null;
  peakRssMb: number;
}

const results: Result[] = [];
const selected = runs.filter((r) => only === null || only.has(r.key));
const unknown = [...(only ?? [])].filter((k) => !runs.some((r) => r.key === k));
if (unknown.length > 0) console.error(`book-run: no run named ${unknown.join(", ")} here (see the lines above)`);
let blas: string | undefined;
for (const run of selected) {
  console.error(`book-run: ${run.name} ${run.dtype} ...`);
  const t0 = performance.now();
  const node = run.command === undefined;
  const r = spawnSync(
    node ? process.execPath : run.command!,
    node ? ["--import", peakRss, "--trace-gc", ...run.argv] : run.argv,
    {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 1 << 28,
      env: run.env ?? oneBlasThread(),
    },
  );
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    console.error(
      `book-run: ${run.name} ${run.dtype} failed (exit status ${r.status}${r.signal ? `, ${r.signal}` : ""}):\n${r.stderr}`,
    );
    process.exit(1);
  }
  const lines = r.stdout.split("\n");
  const out = JSON.parse(lines.find((l) => l.startsWith("{")) ?? "") as {
    final?: { trainAccuracy: number; testAccuracy: number };
    trainAccuracy?: number;
    testAccuracy?: number;
    seconds: number;
    peakRssKb?: number;
    blas?: string;
  };
  blas ??= out.blas;
  const rssKb = out.peakRssKb ?? Number(/bp-bench-peak-rss-kb (\d+)/.exec(r.stderr)?.[1] ?? NaN);
  results.push({
    run,
    wall,
    seconds: out.seconds,
    trainAccuracy: out.final?.trainAccuracy ?? out.trainAccuracy!,
    testAccuracy: out.final?.testAccuracy ?? out.testAccuracy!,
    fullGcs: node ? lines.filter((l) => l.includes("Mark-Compact")).length : null,
    peakRssMb: rssKb / 1024,
  });
  console.error(`book-run: ${run.name} ${run.dtype}: ${wall.toFixed(1)} s`);
}

const cpuWall = results.find((r) => r.run.name === "cpu")?.wall;
const tfjsWall = results.find((r) => r.run.name === "tfjs-cpu")?.wall;
const numpyWall = results.find((r) => r.run.name === NUMPY)?.wall;
const pytorchWall = results.find((r) => r.run.name === PYTORCH)?.wall;
const header = [
  "run",
  "dtype",
  "wall s",
  "training s",
  "train acc",
  "test acc",
  "full GCs",
  "peak RSS MB",
  "vs cpu",
  "vs tfjs-cpu",
  "NumPy / bp",
  "PyTorch / bp",
];
const lines = results.map((r) => [
  r.run.name,
  r.run.dtype,
  r.wall.toFixed(1),
  r.seconds.toFixed(1),
  r.trainAccuracy.toFixed(4),
  r.testAccuracy.toFixed(4),
  r.fullGcs === null ? "" : String(r.fullGcs),
  r.peakRssMb.toFixed(0),
  cpuWall === undefined ? "" : `${(cpuWall / r.wall).toFixed(2)}x`,
  tfjsWall === undefined ? "" : `${(tfjsWall / r.wall).toFixed(2)}x`,
  numpyWall === undefined || r.run.name === NUMPY ? "" : `${(numpyWall / r.wall).toFixed(2)}`,
  pytorchWall === undefined || r.run.name === PYTORCH ? "" : `${(pytorchWall / r.wall).toFixed(2)}`,
]);
for (const line of formatTable(header, lines, {
  align: header.map((_, i) => (i >= 2 ? "right" : "left")),
  markdown: true,
})) {
  console.log(line);
}
console.log();
const cpu = cpus();
console.log(
  [
    `The book's run: TwoLayerNet 784-50-10 on MNIST, ${iters ?? 10000} iterations of batch 100, lr 0.1, seed 0, accuracy on all 60000 + 10000 images after every epoch.`,
    `wall s: the whole process (start-up and MNIST loading included); training s: as the run reports it. vs X = X's wall time / this run's (higher is faster); NumPy / bp = NumPy's wall time / this run's (1.00 or more: as fast as NumPy or faster).`,
    `full GCs: Mark-Compact lines of node --trace-gc (every thread of the process); peak RSS: the process's maximum resident set size.`,
    `${NUMPY}: tools/bench/numpy/book_run.py, the same recipe in NumPy (its own initial weights and minibatches from NumPy's generator), OPENBLAS_NUM_THREADS=1.`,
    `pytorch (n threads): tools/bench/torch/book_run.py, the recipe as a PyTorch user writes it (nn.Linear, nn.CrossEntropyLoss, autograd, torch.optim.SGD; its own initial weights and minibatches), torch.set_num_threads(n), OPENBLAS_NUM_THREADS=n (and OMP_WAIT_POLICY=PASSIVE for n > 1)${blas === undefined ? "" : `; BLAS of the first: ${blas}`}. PyTorch / bp = PyTorch's (1 thread) wall time / this run's.`,
    `bp rows run \`bp train --backend <run> --dtype <dtype>\`; tfjs-cpu and tfjs-wasm run the same recipe (initial weights, minibatch sequence, backpropagation) with tfjs-core ops (tools/bench/src/book-run-tfjs.ts; tfjs-wasm: XNNPACK, one thread in Node).`,
    `Machine: Node ${process.version}, ${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores; runs one after another, so load from other processes may differ between rows.`,
  ].join("\n"),
);

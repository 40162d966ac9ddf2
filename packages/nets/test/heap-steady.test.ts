// A training loop allocates almost nothing new per step (issue 10): on the wasm and worker backends,
// whose tensors live in a heap inside the module's memory and return to it only when disposed inside
// a synchronous loop, the heap's bytes in use stay the same from step to step and nothing is refused,
// for the book's convolution net, a net with BatchNorm and Dropout, and a sigmoid net, with SGD and
// with Adam. Disposing changes no number: the parameters equal cpu's bit for bit and a digest made
// with the code before the layers disposed their temporaries.
import { createHash } from "node:crypto";
import { Rng, type Tensor, cpu, randn, tensor } from "@bp/tensor";
import { type WasmBackend, createWasmBackend } from "@bp/tensor/wasm";
import { type WorkerBackend, createWorkerBackend } from "@bp/tensor/worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MultiLayerNet, MultiLayerNetExtend, type Net, SimpleConvNet, Trainer } from "../src/index.js";
import { blobs } from "./syntheticData.js";

let wasm: WasmBackend;
let worker: WorkerBackend;

beforeAll(async () => {
  wasm = await createWasmBackend({ residentBytes: 64 * 1024 * 1024 });
  worker = await createWorkerBackend({ threads: 2 });
});

afterAll(() => {
  wasm.dispose();
  worker.dispose();
});

type AnyBackend = typeof cpu | WasmBackend | WorkerBackend;

type Case = "conv" | "extend" | "sigmoid" | "decay";

/** 200 rows of training data and a small net of `kind` on `backend`. conv: [200, 1, 12, 12] images
 * (normal noise plus a class-dependent bright row) and a SimpleConvNet with 4 3x3 filters (col of
 * a batch of 10 is 1000 x 9 float64 = 72000 bytes: resident); extend: 64-[60,40]-4 with BatchNorm and
 * Dropout; sigmoid: MultiLayerNet 64-[60,40]-4 with sigmoid activations; decay: MultiLayerNet
 * 64-[60,40]-4 (ReLU) with weight decay λ = 0.1. */
function setup(kind: Case, backend: AnyBackend) {
  let x: Tensor;
  let t: Tensor;
  if (kind === "conv") {
    const rng = new Rng(21);
    const labels = rng.choice(4, 200);
    const noise = randn([200, 1, 12, 12], { rng });
    const data = Float64Array.from(noise.data);
    for (let i = 0; i < 200; i++) for (let c = 0; c < 12; c++) data[i * 144 + (labels[i]! * 3 + 1) * 12 + c]! += 2;
    x = tensor(data, { shape: [200, 1, 12, 12] });
    t = tensor(labels, { dtype: "int32" });
  } else ({ x, t } = blobs(200, 64, 4, 11));
  const data = { xTrain: x.to(backend), tTrain: t.to(backend), xTest: x.to(backend), tTest: t.to(backend) };
  let net: Net;
  if (kind === "conv")
    net = new SimpleConvNet({
      inputDim: [1, 12, 12],
      convParam: { filterNum: 4, filterSize: 3 },
      hiddenSize: 20,
      outputSize: 4,
      weightInitStd: 0.1,
      seed: 5,
      backend,
    });
  else if (kind === "extend")
    net = new MultiLayerNetExtend(64, [60, 40], 4, { useBatchnorm: true, useDropout: true, seed: 5, backend });
  else if (kind === "sigmoid") net = new MultiLayerNet(64, [60, 40], 4, { activation: "sigmoid", seed: 5, backend });
  else net = new MultiLayerNet(64, [60, 40], 4, { weightDecayLambda: 0.1, seed: 5, backend });
  return { data, net };
}

/** `steps` Trainer steps (batch 10 for conv, 20 otherwise; no epoch ends) and the heap's bytes in
 * use after each step. */
function train(kind: Case, optimizer: "sgd" | "adam", backend: AnyBackend, steps: number) {
  const { data, net } = setup(kind, backend);
  const run = new Trainer(net, data, {
    miniBatchSize: kind === "conv" ? 10 : 20,
    seed: 0,
    optimizer,
    optimizerParams: { lr: optimizer === "sgd" ? 0.1 : 0.01 },
    iterations: steps,
    iterationsPerEpoch: 1000,
  });
  const losses: number[] = [];
  const live: number[] = [];
  for (let i = 0; i < steps; i++) {
    losses.push(run.trainStep());
    live.push(backend === wasm ? wasm.heap!.stats.liveBytes : backend === worker ? worker.heap!.stats.liveBytes : 0);
  }
  return { net, losses, live, digest: digest(net, losses) };
}

/** SHA-256 of the parameters' bytes (by sorted name), the state tensors' bytes (BatchNorm's running
 * statistics), then the losses as float64 bytes. */
function digest(net: Net, losses: number[]): string {
  const hash = createHash("sha256");
  for (const group of [net.params, net.state])
    for (const name of Object.keys(group).sort()) {
      const d = group[name]!.data;
      hash.update(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    }
  hash.update(new Uint8Array(Float64Array.from(losses).buffer));
  return hash.digest("hex");
}

function bits(t: Tensor): number[] {
  return Array.from(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
}

// Made with the sources of commit 95b68a9 (before the layers and the tensor factories disposed or
// recycled anything more): `git archive 95b68a9 | tar -x -C /tmp/before`, this file copied there
// and run with PRINT_DIGESTS=1 (`npx vitest run test/heap-steady.test.ts` in packages/nets), which
// printed these for cpu and wasm alike (12 steps each); the worker backend gives them too.
const BEFORE: Record<string, string> = {
  "conv sgd": "9b367089eac74d0c74d078bf7d5734dd1841b24c037625be57c7b4496e0cc407",
  "conv adam": "051d029baa1445e931e4ff34768e333238f6f911cffcaa704b2f9f789afcc932",
  "extend sgd": "90306df17402c120b2c7ea7ca3772bed5dc30c28c9d8386141c4502317688c22",
  "extend adam": "dbccfc78f7f86df0ec23bd51ca515fcd7b396b508ea5571ef0f058c0394b4125",
  "sigmoid sgd": "1452da52ce201e454c1e3341b47b977c589ccf139efce95c71b5298cea1d130e",
  "sigmoid adam": "3267d9eb5ed776095e21015e781810cc9f79e55aec0acdcd60b082927daf9904",
  "decay sgd": "e41593a7d32d3965f877326f140dd2ad04ad0500c0543f0cc4ce2b92d08c431a",
  "decay adam": "e6aa88e983ea870b3def93fd1ba39374cd44a8a35072b68203d8c23eb99913f8",
};

const STEPS = 12;
const WARM_UP = 3;

describe("a training step on wasm leaves the heap as it found it", () => {
  for (const kind of ["conv", "extend", "sigmoid", "decay"] as const) {
    for (const optimizer of ["sgd", "adam"] as const) {
      it(`${kind} with ${optimizer}: constant bytes in use after warm-up, nothing refused, cpu's, worker's and the old code's numbers`, () => {
        const heap = wasm.heap!;
        const refused = heap.stats.refused;
        const before = heap.stats.liveBytes;
        const onWasm = train(kind, optimizer, wasm, STEPS);
        const onCpu = train(kind, optimizer, cpu, STEPS);
        if (process.env.PRINT_DIGESTS) {
          console.log(`${kind} ${optimizer} wasm ${onWasm.digest} cpu ${onCpu.digest}`);
          console.log(`${kind} ${optimizer} live ${onWasm.live.join(" ")}`);
          return;
        }
        // After the warm-up (Adam's moments, the first caches), every step ends with the same bytes.
        const steady = onWasm.live.slice(WARM_UP);
        expect(steady, `${kind} ${optimizer}`).toEqual(steady.map(() => steady[0]));
        expect(heap.stats.refused).toBe(refused);
        // The steps did use the heap: more than the parameters alone are resident.
        expect(steady[0]! - before).toBeGreaterThan(0);
        expect(onWasm.losses).toEqual(onCpu.losses);
        for (const name of Object.keys(onCpu.net.params))
          expect(bits(onWasm.net.params[name]!), name).toEqual(bits(onCpu.net.params[name]!));
        expect(onWasm.digest).toBe(BEFORE[`${kind} ${optimizer}`]);
        expect(onCpu.digest).toBe(BEFORE[`${kind} ${optimizer}`]);
        // The worker backend (its own resident heap in shared memory) gives the same bits, and
        // its heap too ends every step after the warm-up with the same bytes in use.
        const workerRefused = worker.heap!.stats.refused;
        const onWorker = train(kind, optimizer, worker, STEPS);
        expect(onWorker.digest).toBe(BEFORE[`${kind} ${optimizer}`]);
        const workerSteady = onWorker.live.slice(WARM_UP);
        expect(workerSteady, `${kind} ${optimizer} worker`).toEqual(workerSteady.map(() => workerSteady[0]));
        expect(worker.heap!.stats.refused).toBe(workerRefused);
        // Storage from 1 KiB up is a block of the shared memory's heap (conv's 4x1x3x3 W1 is not).
        const big = Object.values(onWorker.net.params).filter((p) => p.data.byteLength >= 1024);
        expect(big.length).toBeGreaterThan(0);
        for (const p of big) expect(worker.isResident(p.data)).toBe(true);
      });
    }
  }
});

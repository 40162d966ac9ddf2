// The multi-layer bench: one training step of the book's MultiLayerNet 784-100-100-100-100-10 with
// Adam (lr 0.001), float64, batch 100, without and with BatchNorm (MultiLayerNetExtend with
// useBatchnorm): gather the minibatch, forward, backward, update. Each bp backend runs the same
// data, weights and minibatch sequence, measured interleaved; the ratio is cpu's best time over the
// backend's best time for the same net (above 1, faster than cpu).
//
//   node tools/bench/dist/multilayer-step.js [minMs]      (after a build; or through tsx from src/)
import { Adam, MultiLayerNetExtend } from "@bp/nets";
import { Rng, cpu, rand, type Backend } from "@bp/tensor";
import { createWasmBackend } from "@bp/tensor/wasm";
import { createWorkerBackend } from "@bp/tensor/worker";
import { FULL, timeInterleaved } from "./measure.js";
import type { PreparedOp } from "./target.js";

export const MULTILAYER_STEP = { hidden: [100, 100, 100, 100], rows: 1000, batch: 100, lr: 0.001, seed: 1 } as const;

/** A prepared MultiLayerNet(Extend) training step on `backend`: the same data, weights and minibatch
 * sequence on every backend. */
export function multiLayerStep(backend: Backend, useBatchnorm: boolean): PreparedOp {
  const x = rand([MULTILAYER_STEP.rows, 784], { seed: 7, backend });
  const templates = rand([784, 10], { seed: 8, low: -1, high: 1, backend });
  const t = x.matmul(templates).argmax(1);
  const net = new MultiLayerNetExtend(784, MULTILAYER_STEP.hidden, 10, {
    useBatchnorm,
    seed: MULTILAYER_STEP.seed,
    backend,
  });
  const optimizer = new Adam({ lr: MULTILAYER_STEP.lr });
  const batches = new Rng(4);
  return {
    run() {
      const idx = batches.choice(MULTILAYER_STEP.rows, MULTILAYER_STEP.batch);
      optimizer.update(net.params, net.gradient(x.gather(idx), t.gather(idx)));
    },
    dispose() {},
  };
}

async function main(): Promise<void> {
  const minMs = Number(process.argv[2] ?? FULL.minMs * 3);
  const backends: [string, Backend][] = [
    ["cpu", cpu],
    ["wasm", await createWasmBackend()],
    ["worker", await createWorkerBackend()],
  ];
  console.log(
    "| MultiLayerNet 784-100x4-10 step, Adam, batch 100, float64 | best ms | median ms | runs | cpu / backend |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const useBatchnorm of [false, true]) {
    const ops = backends.map(([, b]) => multiLayerStep(b, useBatchnorm));
    const timings = timeInterleaved(ops, { ...FULL, minMs, roundMs: 250 });
    const cpuBest = timings[0]!.bestMs;
    backends.forEach(([name], i) => {
      const t = timings[i]!;
      const label = `${useBatchnorm ? "with" : "without"} BatchNorm, bp ${name}`;
      console.log(
        `| ${label} | ${t.bestMs.toFixed(2)} | ${t.medianMs.toFixed(2)} | ${t.runs} | ${(cpuBest / t.bestMs).toFixed(2)} |`,
      );
    });
  }
  for (const [, b] of backends) if (b !== cpu) b.dispose();
}

await main();

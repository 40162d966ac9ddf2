// The multi-layer bench on its own (pnpm bench prints the same rows among the others): one training
// step of MultiLayerNet 784-100x4-10 with Adam, without and with BatchNorm (see multilayer.ts). Each
// bp backend runs the same data, weights and minibatch sequence, measured interleaved; the ratio is
// cpu's best time over the backend's best time for the same net (above 1, faster than cpu).
//
//   node tools/bench/dist/multilayer-step.js [minMs]      (after a build; or through tsx from src/)
import { cpu, type Backend } from "@bp/tensor";
import { createWasmBackend } from "@bp/tensor/wasm";
import { createWorkerBackend } from "@bp/tensor/worker";
import { FULL, timeInterleaved } from "./measure.js";
import { multiLayerStep } from "./multilayer.js";

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

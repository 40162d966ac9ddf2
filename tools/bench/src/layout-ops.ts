// The memory-bound ops of a SimpleConvNet step (batch 100, MNIST shapes) on their own: each op's
// best time over interleaved runs, its bytes moved (read + written) per second, and how it compares
// with a copy of the same bytes (`neg` over a tensor as large as the op's output, which reads and
// writes one stream each: the streaming speed the op could reach).
//
// `--cold` times every op a second time with its data out of the caches, as it is in a training step
// (which touches far more memory than the L3 holds): before each cold run, outside the timed region,
// a 96 MiB buffer is read and written one cache line at a time, which evicts the op's operands and
// its recycled output storage. Hot and cold columns then come from the same run; hot ones give the
// best run, cold ones the median run (cold runs vary much more).
//
// `--warm` times every op once more the same way, but with its input read again after the eviction
// (outside the timed region), the rest still out of cache: in a training step an op's input was
// usually just written by the op before it, while its output storage and any other operand (Relu's
// mask in `where`) were not touched for a while. These medians are close to the ops' times in the
// SimpleConvNet step's profile (conv-step.js --profile); the cold ones can differ by 0.1-0.4 ms
// (the conv layer's transposes), and what makes an op faster cold may not with its input in cache.
//
// `--wasm A.wasm,B.wasm,...` times the wasm backend once per kernels module (compiled elsewhere, e.g.
// `npx asc assembly/index.ts --enable simd -O3 --runtime stub --noAssert --importMemory
// --initialMemory 1 -o /tmp/after.wasm` in packages/tensor of each tree), interleaved with each other,
// and prints each module's time as a ratio to the first module's ("x first").
//
//   node tools/bench/dist/layout-ops.js [--dtype float64|float32] [--backend wasm,cpu] [--only NAME,...]
//        [--cold] [--warm] [--wasm FILE[,FILE...]]
import { readFileSync } from "node:fs";
import { Rng, cpu, rand, type Backend, type FloatDType, type Tensor } from "@bp/tensor";
import { createWasmBackend, type WasmBackend } from "@bp/tensor/wasm";
import { timeInterleaved, type Timing, type TimingOptions } from "./measure.js";
import type { PreparedOp } from "./target.js";

const OPTIONS: TimingOptions = { warmupMs: 100, minMs: Number(process.env.BENCH_MS ?? 400), minRuns: 5, roundMs: 50 };
/** Cold runs: each follows an eviction of some milliseconds, so fewer timed milliseconds. */
const COLD_OPTIONS: TimingOptions = { ...OPTIONS, minMs: OPTIONS.minMs / 4, minRuns: 40 };

interface Case {
  name: string;
  /** Elements read and written (all operands). */
  elements: { read: number; written: number };
  /** Builds the op's inputs and returns its run (the result is disposed after each run) and the
   * input that the op before it in a training step writes (`--warm` reads it before each run). */
  prepare(backend: Backend, dtype: FloatDType): Prepared;
}

interface Prepared {
  run: () => { dispose(): void };
  input: Tensor;
}

const N = 100;
const C = 30;
const OH = 24;

function cases(): Case[] {
  const conv = N * OH * OH * C; // 1 728 000
  const pooled = conv / 4; // 432 000
  const imgs = N * 28 * 28;
  return [
    {
      name: "transpose [100,24,24,30] (0,3,1,2)",
      elements: { read: conv, written: conv },
      prepare: (b, d) => {
        const x = rand([N, OH, OH, C], { seed: 1, backend: b, dtype: d });
        return { run: () => x.transpose([0, 3, 1, 2]), input: x };
      },
    },
    {
      name: "transpose [100,30,24,24] (0,2,3,1)",
      elements: { read: conv, written: conv },
      prepare: (b, d) => {
        const x = rand([N, C, OH, OH], { seed: 2, backend: b, dtype: d });
        return { run: () => x.transpose([0, 2, 3, 1]), input: x };
      },
    },
    {
      name: "im2col [3000,1,24,24] 2x2 s2",
      elements: { read: conv, written: conv },
      prepare: (b, d) => {
        const x = rand([N * C, 1, OH, OH], { seed: 3, backend: b, dtype: d });
        return { run: () => x.im2col(2, 2, 2, 0), input: x };
      },
    },
    {
      name: "col2im [3000,1,24,24] 2x2 s2",
      elements: { read: conv, written: conv },
      prepare: (b, d) => {
        const col = rand([pooled, 4], { seed: 4, backend: b, dtype: d });
        return { run: () => col.col2im([N * C, 1, OH, OH], 2, 2, 2, 0), input: col };
      },
    },
    {
      name: "argmax 432000x4",
      elements: { read: conv, written: pooled / 2 },
      prepare: (b, d) => {
        const x = rand([pooled, 4], { seed: 5, backend: b, dtype: d });
        return { run: () => x.argmax(1), input: x };
      },
    },
    {
      name: "max 432000x4",
      elements: { read: conv, written: pooled },
      prepare: (b, d) => {
        const x = rand([pooled, 4], { seed: 6, backend: b, dtype: d });
        return { run: () => x.max(1), input: x };
      },
    },
    {
      name: "putAlongLastAxis 432000 -> x4",
      elements: { read: pooled * 1.5, written: conv },
      prepare: (b, d) => {
        const v = rand([pooled], { seed: 7, backend: b, dtype: d });
        const idx = Int32Array.from(new Rng(9).choice(4, pooled));
        // The backend's kernel itself: Tensor.putAlongLastAxis's range check of the indices (plain
        // JavaScript, the same on every backend) is not what this bench measures.
        const run = () => {
          const out = b.putAlongLastAxis(v, idx, 4);
          return { dispose: () => b.release?.(d, out) };
        };
        return { run, input: v };
      },
    },
    {
      name: "where 1728000 (relu backward)",
      elements: { read: 2 * conv, written: conv },
      prepare: (b, d) => {
        const dout = rand([conv], { seed: 8, backend: b, dtype: d });
        const mask = rand([conv], { seed: 9, backend: b, dtype: d }).sub(0.5).relu();
        return { run: () => dout.where(mask, 0), input: dout };
      },
    },
    {
      name: "relu 1728000",
      elements: { read: conv, written: conv },
      prepare: (b, d) => {
        const x = rand([conv], { seed: 10, backend: b, dtype: d }).sub(0.5);
        return { run: () => x.relu(), input: x };
      },
    },
    {
      name: "add [57600,30] + [30] (conv bias)",
      elements: { read: conv, written: conv },
      prepare: (b, d) => {
        const x = rand([N * OH * OH, C], { seed: 11, backend: b, dtype: d });
        const bias = rand([C], { seed: 12, backend: b, dtype: d });
        return { run: () => x.add(bias), input: x };
      },
    },
    {
      name: "im2col [100,1,28,28] 5x5",
      elements: { read: imgs, written: N * OH * OH * 25 },
      prepare: (b, d) => {
        const x = rand([N, 1, 28, 28], { seed: 13, backend: b, dtype: d });
        return { run: () => x.im2col(5, 5, 1, 0), input: x };
      },
    },
  ];
}

/** A copy of `elements` elements: neg, one read stream and one write stream. */
function copyOf(backend: Backend, dtype: FloatDType, elements: number): Prepared {
  const x = rand([elements], { seed: 99, backend, dtype });
  return { run: () => x.neg(), input: x };
}

function prepared({ run }: Prepared): PreparedOp {
  return {
    run() {
      run().dispose();
    },
    dispose() {},
  };
}

/** Bytes streamed through the caches before each cold run: three times the 32 MiB L3. */
const EVICT_BYTES = 96 * 1024 * 1024;

/** Reads and writes one float64 per 64-byte line of a buffer larger than the caches, so that a line
 * of anything else is no longer cached (and the caches hold dirty lines, as in a training step). */
function evicter(): () => void {
  const junk = new Float64Array(EVICT_BYTES / 8);
  return () => {
    for (let i = 0; i < junk.length; i += 8) junk[i]! += 1;
  };
}

async function backendsOf(names: string[], modules: string[]): Promise<[string, Backend][]> {
  const bs: [string, Backend][] = [];
  for (const name of names) {
    if (name === "wasm" && modules.length > 0) {
      const { wasmBackendOf } = (await import(
        new URL("../../../packages/tensor/dist/wasm/backend.js", import.meta.url).href
      )) as { wasmBackendOf: (module: WebAssembly.Module) => WasmBackend };
      for (const file of modules) bs.push([`wasm ${file}`, wasmBackendOf(new WebAssembly.Module(readFileSync(file)))]);
    } else if (name === "wasm") bs.push(["wasm", await createWasmBackend()]);
    else if (name === "cpu") bs.push(["cpu", cpu]);
    else throw new Error(`layout-ops: unknown backend ${name} (wasm, cpu)`);
  }
  return bs;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const dtypes = (flag("--dtype") ?? "float64,float32").split(",") as FloatDType[];
  const only = flag("--only")?.split(",");
  const cold = args.includes("--cold");
  const warm = args.includes("--warm");
  const modules = flag("--wasm")?.split(",") ?? [];
  const bs = await backendsOf((flag("--backend") ?? "wasm,cpu").split(","), modules);
  const evict = cold || warm ? evicter() : undefined;
  const header = ["backend", "dtype", "op", "ms", "GB/s", "copy ms", "x copy"];
  if (modules.length > 1) header.push("x first");
  const first = modules.length > 1 ? ["x first"] : [];
  if (cold) header.push("cold median ms", "GB/s", "copy ms", "x copy", ...first);
  if (warm) header.push("warm-input median ms", "GB/s", "copy ms", "x copy", ...first);
  const rows: string[][] = [header];
  for (const dtype of dtypes) {
    const size = dtype === "float64" ? 8 : 4;
    for (const c of cases()) {
      if (only !== undefined && !only.some((o) => c.name.startsWith(o))) continue;
      const bytes = (c.elements.read + c.elements.written) * size;
      const copyElements = Math.round((c.elements.read + c.elements.written) / 2);
      // Every backend's op and copy, interleaved in one measurement (hot, then cold).
      const preps = bs.flatMap(([, backend]) => [c.prepare(backend, dtype), copyOf(backend, dtype, copyElements)]);
      const contenders = preps.map(prepared);
      const modes: Timing[][] = [timeInterleaved(contenders, OPTIONS)];
      if (cold && evict !== undefined) modes.push(timeInterleaved(contenders, COLD_OPTIONS, evict));
      if (warm && evict !== undefined) {
        const warmInput = (i: number): void => {
          evict();
          // Column sums of the input seen as rows of 16 (every input's size is a multiple of 16):
          // the backend's own kernel reads it once, in order.
          const x = preps[i]!.input;
          x.reshape([x.size / 16, 16])
            .sum(0)
            .dispose();
        };
        modes.push(timeInterleaved(contenders, COLD_OPTIONS, warmInput));
      }
      bs.forEach(([bname], k) => {
        const row = [bname, dtype, c.name];
        modes.forEach((timings, m) => {
          // Hot: the best run. Cold and warm-input: the median run, as those runs of one op vary by
          // 20 % or more.
          const time = (t: Timing): number => (m === 0 ? t.bestMs : t.medianMs);
          const op = time(timings[2 * k]!);
          const copy = time(timings[2 * k + 1]!);
          row.push(op.toFixed(3), (bytes / op / 1e6).toFixed(1), copy.toFixed(3), (op / copy).toFixed(2));
          if (modules.length > 1) row.push((op / time(timings[0]!)).toFixed(3));
        });
        rows.push(row);
      });
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows)
    console.log(r.map((v, i) => (i === 2 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join("  "));
}

await main();

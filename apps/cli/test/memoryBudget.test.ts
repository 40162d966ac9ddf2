// The memory budget (issue 20): for each command, the largest net that the estimate accepts under
// --max-memory runs within 1.5x of its estimate (peak RSS of the child process, measured by
// /usr/bin/time), and one step larger is refused before anything is built. The limits are a few
// hundred MiB so that the runs take seconds; the default limit (two thirds of the available
// memory) scales the same estimate to the machine. Build the CLI first:
//   pnpm turbo run build --filter @bp/cli...
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { encodeNet, netLayout, SimpleConvNet, TwoLayerNet, type NetLayout } from "@bp/nets";
import { cpu } from "@bp/tensor";
import { dataSpec } from "../src/commands/shared.js";
import { loadDataset } from "../src/dataset.js";
import {
  type Estimate,
  evalEstimate,
  filtersEstimate,
  gradcheckEstimate,
  parseSize,
  RUNTIME_BYTES,
  tensorBytes,
  trainEstimate,
} from "../src/memory.js";
import { netSpec } from "../src/netOptions.js";
import { BIN } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "bp-budget-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** 200 rows of 28x28 "images": label i % 10, pixels (i * 7 + j * 13) % 256. */
const ROWS = 200;
const CSV = join(dir, "digits.csv");
writeFileSync(
  CSV,
  `${Array.from(
    { length: ROWS },
    (_, i) => `${i % 10},${Array.from({ length: 784 }, (_, j) => (i * 7 + j * 13) % 256).join(",")}`,
  ).join("\n")}\n`,
);
const DATA = ["--data", "csv", "--train", CSV, "--test", CSV, "--backend", "cpu"];
/** What the CLI holds of this data: both files loaded, as `bp train` loads them. */
const loaded = loadDataset(dataSpec({ data: "csv", train: CSV, test: CSV }), "float64", cpu);
const DATA_BYTES = tensorBytes(loaded.xTrain, loaded.tTrain, loaded.xTest, loaded.tTest);
const TEST_BYTES = tensorBytes(loaded.xTest, loaded.tTest);

/** The largest n in [1, max] (max: the largest --hidden) whose estimate is within `limit` (estimates grow with n). */
function largest(limit: number, estimate: (n: number) => Estimate, max = 100_000): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (estimate(mid).bytes <= limit) lo = mid;
    else hi = mid - 1;
  }
  expect(lo, "some net fits the limit").toBeGreaterThan(0);
  return lo;
}

/** Runs bp under /usr/bin/time: exit status, stderr and peak RSS in bytes. */
function measured(args: string[]): { status: number | null; stderr: string; peak: number } {
  const r = spawnSync("/usr/bin/time", ["-f", "peak-rss-kb %M", process.execPath, BIN, ...args], {
    cwd: dir,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
    timeout: 120_000,
  });
  const kb = Number(/peak-rss-kb (\d+)/.exec(r.stderr)?.[1]);
  // /usr/bin/time adds its own lines ("Command exited with non-zero status 1", the peak).
  const stderr = r.stderr.replace(/peak-rss-kb \d+\n?/, "").replace(/Command exited with non-zero status \d+\n?/, "");
  return { status: r.status, stderr, peak: kb * 1024 };
}

const MiB = 2 ** 20;
/** What each case measured, printed at the end for the report. */
const figures: string[] = [];
afterAll(() => {
  if (figures.length > 0) console.log(`memory budget:\n${figures.join("\n")}`);
});

interface BudgetCase {
  name: string;
  limit: string;
  /** The estimate of the net of size n, as the command computes it. */
  estimate(n: number): Estimate;
  /** Prepares the files of size n (models) and returns bp's arguments. */
  args(n: number): string[];
}

const twoLayout = (n: number): NetLayout =>
  netLayout({ kind: "TwoLayerNet", config: { inputSize: 784, hiddenSize: n, outputSize: 10 } });
const convConfig = (n: number) => ({
  inputDim: [1, 28, 28] as [number, number, number],
  convParam: { filterNum: 30, filterSize: 5, pad: 0, stride: 1 },
  hiddenSize: n,
  outputSize: 10,
});

/** A saved TwoLayerNet 784-n-10 (CSV metadata, so eval reads the CSV as the model expects). */
function twoModel(n: number): string {
  const path = join(dir, `two-${n}.safetensors`);
  if (!existsSync(path)) writeFileSync(path, encodeNet(new TwoLayerNet(784, n, 10), { data: "csv", scale: "255" }));
  return path;
}
function convModel(n: number): string {
  const path = join(dir, `conv-${n}.safetensors`);
  if (!existsSync(path)) writeFileSync(path, encodeNet(new SimpleConvNet(convConfig(n))));
  return path;
}

const cases: BudgetCase[] = [
  {
    name: "train --net two (SGD)",
    limit: "300M",
    estimate: (n) =>
      trainEstimate(netSpec({ hidden: String(n) }), 784, 10, {
        dtype: "float64",
        batch: 100,
        optimizer: "sgd",
        data: { rows: ROWS, bytes: DATA_BYTES },
      }),
    args: (n) => ["train", ...DATA, "--hidden", String(n), "--iters", "3", "--no-progress"],
  },
  {
    name: "train --net simple-conv (Adam)",
    limit: "300M",
    estimate: (n) =>
      trainEstimate(netSpec({ net: "simple-conv", hidden: String(n) }), 784, 10, {
        dtype: "float64",
        batch: 100,
        optimizer: "adam",
        data: { rows: ROWS, bytes: DATA_BYTES },
      }),
    args: (n) => ["train", ...DATA, "--net", "simple-conv", "--hidden", String(n), "--iters", "2", "--no-progress"],
  },
  {
    // A gradient check runs two forward passes per parameter: the budget above Node's own share is
    // kept small (512 KiB) so that the largest accepted net is checked in seconds.
    name: "gradcheck --net two",
    limit: String(RUNTIME_BYTES + DATA_BYTES + 512 * 1024),
    estimate: (n) =>
      gradcheckEstimate(netSpec({ hidden: String(n) }), 784, 10, {
        dtype: "float64",
        count: 3,
        dataBytes: DATA_BYTES,
      }),
    args: (n) => ["gradcheck", ...DATA, "--hidden", String(n)],
  },
  {
    name: "eval of a TwoLayerNet file",
    limit: "200M",
    estimate: (n) => evalEstimate(twoLayout(n), "float64", { rows: ROWS, bytes: TEST_BYTES }),
    args: (n) => ["eval", "--model", twoModel(n), "--test", CSV, "--backend", "cpu"],
  },
  {
    name: "predict of a TwoLayerNet file",
    limit: "200M",
    estimate: (n) => evalEstimate(twoLayout(n), "float64", { rows: ROWS, bytes: TEST_BYTES }),
    args: (n) => ["predict", "--model", twoModel(n), "--test", CSV, "--backend", "cpu", "--json"],
  },
  {
    name: "filters of a SimpleConvNet file",
    limit: "200M",
    estimate: (n) => filtersEstimate(netLayout({ kind: "SimpleConvNet", config: convConfig(n) }), "float64"),
    args: (n) => ["filters", "--model", convModel(n), "--out", "f.svg"],
  },
];

describe("the memory budget: the largest accepted net runs within 1.5x of its estimate", () => {
  for (const c of cases) {
    it(`${c.name} under --max-memory ${c.limit}`, () => {
      const limit = parseSize(c.limit);
      const n = largest(limit, c.estimate);
      const estimate = c.estimate(n).bytes;
      const ran = measured([...c.args(n), "--max-memory", c.limit]);
      expect(ran.status, ran.stderr).toBe(0);
      figures.push(
        `${c.name}: limit ${(limit / MiB).toFixed(1)} MiB, largest size ${n}, estimate ${(estimate / MiB).toFixed(1)} MiB, peak RSS ${(ran.peak / MiB).toFixed(1)} MiB (${(ran.peak / estimate).toFixed(2)}x)`,
      );
      expect(ran.peak, "peak RSS within 1.5x of the estimate").toBeLessThanOrEqual(1.5 * estimate);
      const larger = measured([...c.args(n + 1), "--max-memory", c.limit]);
      expect(larger.status, larger.stderr).toBe(1);
      expect(larger.stderr).toMatch(/^bp: \w+: .* needs about .* more than the limit of .* \(--max-memory\)\n$/);
    }, 300_000);
  }
});

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { smoothCurve } from "../src/smooth.js";
import { bp } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "bp-experiment-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface LossJson {
  experiment: string;
  result: { kind: "loss"; curves: { name: string; losses: number[] }[] };
  summary: { endLoss: Record<string, number> };
}

/** The end of the book's smoothed curve: the mean of its last `n` points. */
function smoothedEnd(losses: number[], n = 10): number {
  const s = smoothCurve(losses);
  return s.slice(-n).reduce((a, b) => a + b, 0) / n;
}

/** Series groups and legend entries of an SVG written by --plot. */
function svgParts(svg: string) {
  return {
    panels: svg.match(/<g class="panel"/g)?.length ?? 0,
    series: svg.match(/<g class="series"/g)?.length ?? 0,
    legend: [...svg.matchAll(/<g class="legend">([\s\S]*?)<\/g>/g)].map((m) =>
      [...m[1]!.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]),
    ),
    xlabels: [...svg.matchAll(/<text class="xlabel"[^>]*>([^<]*)</g)].map((m) => m[1]),
    ylabels: [...svg.matchAll(/<text class="ylabel"[^>]*>([^<]*)</g)].map((m) => m[1]),
  };
}

describe("bp experiment optimizers (short: 100 iterations)", () => {
  const plot = join(dir, "optimizers.svg");
  let j: LossJson;

  it("trains the four nets on the same minibatches and orders them as the book does", async () => {
    const r = await bp(["experiment", "optimizers", "--iterations", "100", "--json", "--plot", plot]);
    expect(r.status).toBe(0);
    j = JSON.parse(r.stdout);
    expect(j.experiment).toBe("optimizers");
    expect(j.result.curves.map((c) => [c.name, c.losses.length])).toEqual([
      ["SGD", 100],
      ["Momentum", 100],
      ["AdaGrad", 100],
      ["Adam", 100],
    ]);
    // Same initial weights and the same first minibatch: the first losses are close to ln 10 = 2.3026
    // (He-initialised nets start near it) for all four.
    for (const c of j.result.curves) expect(c.losses[0]).toBeGreaterThan(1.5);
    const end = Object.fromEntries(j.result.curves.map((c) => [c.name, smoothedEnd(c.losses)]));
    // The book's figure 6-9: SGD ends highest; AdaGrad and Adam end well below it (half or less).
    for (const k of ["Momentum", "AdaGrad", "Adam"]) expect(end[k]).toBeLessThan(end.SGD!);
    expect(end.AdaGrad).toBeLessThan(end.SGD! / 2);
    expect(end.Adam).toBeLessThan(end.SGD! / 2);
  });

  it("writes the figure atomically: one panel, four labelled series, axis labels", () => {
    const p = svgParts(readFileSync(plot, "utf8"));
    expect(p).toMatchObject({ panels: 1, series: 4, xlabels: ["iterations"], ylabels: ["loss"] });
    expect(p.legend).toEqual([["SGD", "Momentum", "AdaGrad", "Adam"]]);
    // No temporary file is left next to it.
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });
});

describe("bp experiment init (short: 100 iterations)", () => {
  it("std 0.01 stays at ln 10 while He falls fastest; prints the table", async () => {
    const r = await bp(["experiment", "init", "--iterations", "100"]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^weight_init_compare\.py: std 0\.01, Xavier, He on MultiLayerNet 784-100-100-100-100-10/);
    expect(lines[1]).toMatch(/^\s*iteration\s+std=0\.01\s+Xavier\s+He$/);
    const mean = lines.find((l) => l.trimStart().startsWith("last 10 mean"))!;
    const [std, xavier, he] = mean.replace("last 10 mean", "").trim().split(/\s+/).map(Number);
    // std 0.01 through 4 hidden layers: the activations vanish and the loss stays at ln 10 = 2.3026.
    expect(std).toBeGreaterThan(2.0);
    expect(std).toBeLessThan(2.31);
    expect(he).toBeLessThan(xavier!);
    expect(xavier).toBeLessThan(std!);
    expect(lines).toContain("lowest to highest mean loss over the last 10 iterations: He < Xavier < std=0.01");
  });
});

describe("bp experiment batchnorm (short: 2 epochs of 200 rows)", () => {
  const plot = join(dir, "batchnorm.svg");

  it("runs all 16 weight scales of np.logspace(0, -4, 16) and prints one row each", async () => {
    const r = await bp(["experiment", "batchnorm", "--epochs", "2", "--train-size", "200", "--plot", plot]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[1]).toMatch(/^\s*#\s+weight scale\s+normal\s+batchnorm\s+higher$/);
    const rows = lines.slice(2, 18).map((l) => l.trim().split(/\s+/));
    expect(rows.map((c) => c[0])).toEqual(Array.from({ length: 16 }, (_, i) => String(i + 1)));
    // 10^(-4k/15) to 4 significant digits, as the book's titles print them (W:0.5412, ...).
    expect(rows.map((c) => c[1])).toEqual([
      "1",
      "0.5412",
      "0.2929",
      "0.1585",
      "0.08577",
      "0.04642",
      "0.02512",
      "0.01359",
      "0.007356",
      "0.003981",
      "0.002154",
      "0.001166",
      "0.000631",
      "0.0003415",
      "0.0001848",
      "0.0001",
    ]);
    expect(lines[18]).toMatch(/^train accuracy after 2 epochs: BatchNorm higher at \d+ of 16 weight scales$/);
  });

  it("draws a 4 x 4 grid like the book's: one panel per scale, the legend in the last", () => {
    const svg = readFileSync(plot, "utf8");
    const p = svgParts(svg);
    expect(p).toMatchObject({ panels: 16, series: 32 });
    expect(p.legend).toEqual([["Batch Normalization", "Normal(without BatchNorm)"]]);
    // y labels on the first column, x labels on the bottom row.
    expect(p.ylabels).toEqual(["accuracy", "accuracy", "accuracy", "accuracy"]);
    expect(p.xlabels).toEqual(["epochs", "epochs", "epochs", "epochs"]);
    expect(svg.match(/stroke-dasharray/g)?.length).toBe(16 + 1); // the normal nets' lines and their legend entry
  });
});

describe("bp experiment weight-decay and dropout (short: 3 epochs)", () => {
  for (const [name, runs] of [
    ["weight-decay", ["lambda 0", "lambda 0.1"]],
    ["dropout", ["no dropout", "dropout 0.2"]],
  ] as const) {
    it(`${name}: two runs with train and test accuracy per epoch, a table and two panels`, async () => {
      const plot = join(dir, `${name}.svg`);
      const r = await bp(["experiment", name, "--epochs", "3", "--eval-samples", "200", "--json", "--plot", plot]);
      expect(r.status).toBe(0);
      const j = JSON.parse(r.stdout);
      expect(j.settings).toMatchObject({ epochs: 3, trainSize: 300, evalSamples: 200, seed: 0 });
      expect(
        j.result.runs.map((x: { name: string; trainAccuracy: number[] }) => [x.name, x.trainAccuracy.length]),
      ).toEqual([
        [runs[0], 3],
        [runs[1], 3],
      ]);
      for (const run of runs) {
        const f = j.summary.final[run];
        expect(f.gap).toBeCloseTo(f.trainAccuracy - f.testAccuracy, 12);
      }
      const p = svgParts(readFileSync(plot, "utf8"));
      expect(p).toMatchObject({
        panels: 2,
        series: 4,
        xlabels: ["epochs", "epochs"],
        ylabels: ["accuracy", "accuracy"],
      });
      expect(p.legend).toEqual([
        ["train", "test"],
        ["train", "test"],
      ]);
      const text = await bp(["experiment", name, "--epochs", "2", "--train-size", "100", "--eval-samples", "50"]);
      const lines = text.stdout.trimEnd().split("\n");
      expect(lines[1]).toMatch(
        new RegExp(`^epoch\\s+train \\(${runs[0]}\\)\\s+test \\(${runs[0]}\\)\\s+train \\(${runs[1]}\\)`),
      );
      expect(lines.filter((l) => l.startsWith(`${runs[1]}: final train `))).toHaveLength(1);
    });
  }
});

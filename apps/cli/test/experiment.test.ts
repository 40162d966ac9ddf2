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

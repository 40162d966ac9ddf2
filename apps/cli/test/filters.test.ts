import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeFileAtomic } from "@bp/data";
import { Adam, SimpleConvNet, TwoLayerNet, encodeNet } from "@bp/nets";
import { rand, tensor } from "@bp/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { bp } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "bp-filters-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The grey levels of each filter's squares, in order. */
function levels(svg: string): number[][] {
  return svg
    .split('<g class="filter"')
    .slice(1)
    .map((g) => [...g.matchAll(/fill="rgb\((\d+),\1,\1\)"/g)].map((m) => Number(m[1])));
}

describe("bp filters", () => {
  it("draws a fresh SimpleConvNet's 30 filters, each 5x5, scaled from white (min) to black (max)", async () => {
    const out = join(dir, "fresh.svg");
    const r = await bp(["filters", "--out", out, "--seed", "3"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${out}: 30 filters (SimpleConvNet, fresh (seed 3))\n`);
    const svg = readFileSync(out, "utf8");
    const filters = levels(svg);
    expect(filters).toHaveLength(30);
    // Levels are 255 * (1 - (w - min) / (max - min)): the smallest weight is 255, the largest 0.
    const W1 = new SimpleConvNet({ seed: 3 }).params.W1!;
    const first = Array.from(W1.data.subarray(0, 25));
    const lo = Math.min(...first);
    const hi = Math.max(...first);
    expect(filters[0]).toEqual(first.map((w) => Math.round(255 * (1 - (w - lo) / (hi - lo)))));
    for (const f of filters) {
      expect(f).toHaveLength(25);
      expect(Math.min(...f)).toBe(0);
      expect(Math.max(...f)).toBe(255);
    }
  });

  it("draws a trained model's filters next to the fresh ones it started from", async () => {
    const net = new SimpleConvNet({
      inputDim: [1, 12, 12],
      convParam: { filterNum: 8, filterSize: 3 },
      hiddenSize: 10,
      seed: 4,
    });
    const before = Float64Array.from(net.params.W1!.data);
    const adam = new Adam({ lr: 0.01 });
    const x = rand([4, 1, 12, 12], { seed: 5 });
    const t = tensor([1, 2, 3, 4], { dtype: "int32" });
    for (let i = 0; i < 3; i++) adam.update(net.params, { ...net.gradient(x, t) });
    const model = join(dir, "conv.safetensors");
    writeFileAtomic(model, encodeNet(net, { data: "mnist" }));
    const out = join(dir, "trained.svg");
    const r = await bp(["filters", "--model", model, "--out", out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${out}: 8 filters (before training (seed 4)) and (after training (conv.safetensors))\n`);
    const filters = levels(readFileSync(out, "utf8"));
    expect(filters).toHaveLength(16);
    const scaled = (w: ArrayLike<number>): number[] => {
      const v = Array.from(w);
      const lo = Math.min(...v);
      const hi = Math.max(...v);
      return v.map((x) => Math.round(255 * (1 - (x - lo) / (hi - lo))));
    };
    expect(filters[0]).toEqual(scaled(before.subarray(0, 9)));
    expect(filters[8]).toEqual(scaled(net.params.W1!.data.subarray(0, 9)));
  });

  it("refuses a model without a convolution layer, and a missing --out", async () => {
    const model = join(dir, "two.safetensors");
    writeFileAtomic(model, encodeNet(new TwoLayerNet(4, 3, 2), { data: "mnist" }));
    const r = await bp(["filters", "--model", model, "--out", join(dir, "y.svg")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("has no Convolution layer");
    expect((await bp(["filters"])).stderr).toContain("filters needs --out FILE.svg");
  });
});

// bp with --net simple-conv (the book's ch07 SimpleConvNet): the ch07 gradient check, a short
// training run with the ch07/train_convnet.py recipe, and eval/predict of the saved conv net.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bp } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "bp-conv-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("bp --net simple-conv", () => {
  it("gradcheck runs the book's ch07 check and passes", async () => {
    const r = await bp(["gradcheck", "--net", "simple-conv"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe(
      "SimpleConvNet 1x10x10-conv10x3x3-pool2x2-10-10 (seed 5, float64) on one random 1x10x10 image of label 1 (ch07/gradient_check.py)",
    );
    // The book's "key:mean |diff|" lines. Measured: W1 3.6e-10, b1 6.4e-10, W2 7.1e-11, b2 5.6e-9,
    // W3 2.6e-10, b3 1.8e-7 (b3: the 1e-7 inside the book's log, which backprop ignores).
    for (const [i, name] of ["W1", "b1", "W2", "b2", "W3", "b3"].entries()) {
      const diff = Number(new RegExp(`^${name}:(.+)$`).exec(lines[1 + i]!)?.[1]);
      expect(diff, name).toBeGreaterThan(0);
      expect(diff, name).toBeLessThan(1e-6);
    }
    expect(r.stdout).toContain("checkNet: passed");
  });

  it("trains with the ch07 recipe (Adam lr 0.001) on 5000 images for one epoch, then eval and predict load it", async () => {
    const model = join(dir, "conv.safetensors");
    const args = ["train", "--net", "simple-conv", "--train-size", "5000", "--test-size", "1000", "--epochs", "1"];
    const r = await bp([...args, "--save", model, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as {
      final: { testAccuracy: number; trainAccuracy: number };
      config: { optimizer: string; lr: number; iterations: number; evalSamples: number };
      net: { kind: string; layers: { name: string }[] };
    };
    expect(out.config).toMatchObject({ optimizer: "adam", lr: 0.001, iterations: 50, evalSamples: 1000 });
    expect(out.net.kind).toBe("SimpleConvNet");
    expect(out.net.layers.map((l) => l.name)).toEqual(["Conv1", "Relu1", "Pool1", "Affine1", "Relu2", "Affine2"]);
    // Measured: test accuracy 0.7790 on the first 1000 test images after 50 Adam steps (seed 0;
    // the same bits on every backend). A net that did not learn would stay near 0.1.
    expect(out.final.testAccuracy).toBeGreaterThan(0.75);
    expect(out.final.trainAccuracy).toBeGreaterThan(0.75);

    const p = await bp(["predict", "--model", model, "--index", "0", "--json"]);
    expect(p.stderr).toBe("");
    const pred = JSON.parse(p.stdout) as { label: number; probabilities: number[] };
    expect(pred.label).toBe(7); // the first MNIST test image is a 7
    expect(pred.probabilities).toHaveLength(10);
    expect(pred.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);

    const e = await bp(["eval", "--model", model, "--json"]);
    expect(e.stderr).toBe("");
    const ev = JSON.parse(e.stdout) as { testAccuracy: number; total: number };
    expect(ev.total).toBe(10000);
    expect(ev.testAccuracy).toBeGreaterThan(0.75);
  });

  it("refuses options SimpleConvNet does not have", async () => {
    const r = await bp(["train", "--net", "simple-conv", "--hidden", "10,10"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--net simple-conv has one hidden layer");
    const a = await bp(["train", "--net", "simple-conv", "--activation", "sigmoid"]);
    expect(a.stderr).toContain("--activation needs --net multi or multi-extend (got --net simple-conv)");
  });
});

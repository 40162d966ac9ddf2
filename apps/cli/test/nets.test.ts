import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeSafetensors, loadMnist, saveSafetensors } from "@bp/data";
import { TwoLayerNet } from "@bp/nets";
import { bp } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "bp-nets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("bp train --net multi-extend --batchnorm, then save, eval and predict", () => {
  const model = join(dir, "bn.safetensors");
  let run: {
    final: { trainAccuracy: number; testAccuracy: number };
    config: Record<string, unknown>;
    net: { kind: string; layers: { name: string; type: string }[]; paramShapes: Record<string, number[]> };
  };

  it("trains with Adam on the first 2000 rows and prints the net description in --json", async () => {
    const r = await bp([
      "train",
      "--net",
      "multi-extend",
      "--hidden",
      "40,30",
      "--batchnorm",
      "--optimizer",
      "adam",
      "--epochs",
      "3",
      "--train-size",
      "2000",
      "--seed",
      "3",
      "--save",
      model,
      "--json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    run = JSON.parse(r.stdout);
    expect(Object.keys(run)).toEqual(["epochs", "final", "seconds", "config", "net"]);
    expect(run.config).toMatchObject({
      hidden: [40, 30],
      optimizer: "adam",
      lr: 0.001, // Adam's default (the book's common/optimizer.py)
      init: "he",
      iterations: 60, // 3 epochs of 2000 / 100
      iterationsPerEpoch: 20,
      trainSize: 2000,
      testSize: 10000,
      seed: 3,
    });
    expect(run.net.kind).toBe("MultiLayerNetExtend");
    expect(run.net.layers.map((l) => l.name)).toEqual([
      "Affine1",
      "BatchNorm1",
      "Activation_function1",
      "Affine2",
      "BatchNorm2",
      "Activation_function2",
      "Affine3",
    ]);
    expect(run.net.paramShapes).toMatchObject({ W1: [784, 40], gamma1: [40], beta2: [30], W3: [30, 10] });
    // 60 Adam steps with BatchNorm already classify most digits (measured: 0.7945).
    expect(run.final.testAccuracy).toBeGreaterThan(0.7);
  });

  it("saved the running statistics, and eval of the reloaded net gives the same test accuracy", async () => {
    const { tensors } = decodeSafetensors(readFileSync(model));
    expect(Object.keys(tensors).sort()).toEqual(
      [
        "W1",
        "b1",
        "gamma1",
        "beta1",
        "runningMean1",
        "runningVar1",
        "W2",
        "b2",
        "gamma2",
        "beta2",
        "runningMean2",
        "runningVar2",
        "W3",
        "b3",
      ].sort(),
    );
    // Trained statistics, not the initial zeros and ones.
    expect(Array.from(tensors.runningMean1!.data).some((v) => Math.abs(v) > 1e-3)).toBe(true);
    const r = await bp(["eval", "--model", model, "--json"]);
    expect(r.status).toBe(0);
    // At test time BatchNorm normalises with the running statistics: the same accuracy to the last
    // digit means they were saved and loaded.
    expect(JSON.parse(r.stdout)).toMatchObject({ testAccuracy: run.final.testAccuracy, total: 10000 });
    const text = await bp(["eval", "--model", model]);
    expect(text.stdout.split("\n")[0]).toBe(`${model}: MultiLayerNetExtend 784-40-30-10 (float64)`);
  });

  it("predicts with the reloaded net", async () => {
    const j = JSON.parse((await bp(["predict", "--model", model, "--index", "0", "--json"])).stdout);
    expect(j.label).toBe(7);
    expect(j.probabilities).toHaveLength(10);
    expect(j.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 12);
    const r = await bp(["predict", "--model", model, "--index", "0"]);
    expect(r.stdout).toMatch(/^prediction: \d \((correct|wrong, the label is 7)\)$/m);
  });
});

describe("bp eval of a file written by the earlier bp train --save (format bp.TwoLayerNet)", () => {
  it("loads it as a TwoLayerNet and measures it", async () => {
    const net = new TwoLayerNet(784, 8, 10, { seed: 5, weightInitStd: 0.1 });
    const file = join(dir, "legacy.safetensors");
    // What apps/cli/src/model.ts wrote before the nets API: W1 b1 W2 b2 and string metadata.
    saveSafetensors(file, { ...net.params }, { format: "bp.TwoLayerNet", data: "mnist", iterations: "0" });
    const { xTest, tTest } = loadMnist();
    const expected = net.accuracy(xTest, tTest);
    const r = await bp(["eval", "--model", file, "--json"]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).testAccuracy).toBe(expected);
    expect((await bp(["eval", "--model", file])).stdout.split("\n")[0]).toBe(`${file}: TwoLayerNet 784-8-10 (float64)`);
  });
});

describe("bp train with chapter 6 options", () => {
  it("--net multi with sigmoid, Xavier and weight decay; the default lr of each optimizer", async () => {
    const args = ["train", "--net", "multi", "--hidden", "20,20", "--iters", "5", "--train-size", "500"];
    const r = await bp([
      ...args,
      "--activation",
      "sigmoid",
      "--init",
      "xavier",
      "--weight-decay",
      "0.1",
      "--test-size",
      "200",
      "--eval-samples",
      "100",
      "--optimizer",
      "momentum",
    ]);
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(
      /^MultiLayerNet 784-20-20-10 \(sigmoid, Xavier init, weight decay 0\.1\) on MNIST \(500 train, 200 test\): 5 iterations \(5 per epoch\), batch 100, momentum lr 0\.01, seed 0, float64, /,
    );
    // One epoch row: epoch 1 at iteration 5; the loss includes ½λΣW².
    expect(lines[2]).toMatch(/^ +1 +5 +\d+\.\d{4} +0\.\d{4} +0\.\d{4}$/);
    const json = JSON.parse((await bp([...args, "--optimizer", "rmsprop", "--json"])).stdout);
    expect(json.config).toMatchObject({ optimizer: "rmsprop", lr: 0.01, hidden: [20, 20] });
    expect(json.net.weightDecayLambda).toBe(0);
  });

  it("a diverging run exits 1 with one line, names the likely cause (the init, not --lr) and saves nothing", async () => {
    // Weights of standard deviation 1e100 through three hidden layers overflow to Infinity, and the
    // scores' softmax gives NaN at the first iteration.
    const save = join(dir, "diverged.safetensors");
    const r = await bp([
      "train",
      "--net",
      "multi",
      "--hidden",
      "10,10,10",
      "--init",
      "1e100",
      "--iters",
      "5",
      "--save",
      save,
    ]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `bp: training diverged at iteration 1 (loss is NaN); initial weights of standard deviation 1e+100 (--init/--weight-init-std) give scores that overflow; try 0.01, he or xavier; nothing was saved to ${save}\n`,
    );
    expect(existsSync(save)).toBe(false);
  });
});

describe("bp gradcheck --net", () => {
  it("checks MultiLayerNetExtend with BatchNorm and Dropout (masks fixed for the check)", async () => {
    const r = await bp([
      "gradcheck",
      "--net",
      "multi-extend",
      "--hidden",
      "10,8",
      "--batchnorm",
      "--dropout",
      "0.2",
      "--json",
    ]);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.passed).toBe(true);
    expect(j.params.map((p: { name: string }) => p.name)).toEqual([
      "W1",
      "b1",
      "gamma1",
      "beta1",
      "W2",
      "b2",
      "gamma2",
      "beta2",
      "W3",
      "b3",
    ]);
    expect(j.net.layers.map((l: { type: string }) => l.type)).toContain("Dropout");
  });
});

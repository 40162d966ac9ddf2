import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeSafetensors } from "@bp/data";
import { bp } from "./run.js";

/** What --backend auto picks on this machine (Node): the worker backend with two or more cores. */
const AUTO = availableParallelism() >= 2 ? "worker" : "wasm";

const dir = mkdtempSync(join(tmpdir(), "bp-train-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("bp train on MNIST, 2 epochs, then save, reload and evaluate", () => {
  const model = join(dir, "model.safetensors");
  let result: {
    epochs: { epoch: number; iteration: number; trainAccuracy: number; testAccuracy: number }[];
    final: { trainAccuracy: number; testAccuracy: number; loss: number };
    seconds: number;
    config: Record<string, unknown>;
  };

  it("trains to at least 0.90 test accuracy and prints one JSON object", async () => {
    const r = await bp(["train", "--epochs", "2", "--save", model, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trimEnd().split("\n")).toHaveLength(1);
    result = JSON.parse(r.stdout);
    // The shape of the earlier output, plus the net description.
    expect(Object.keys(result)).toEqual(["epochs", "final", "seconds", "config", "net"]);
    expect(result.epochs.map((e) => [e.epoch, e.iteration])).toEqual([
      [1, 600],
      [2, 1200],
    ]);
    for (const e of result.epochs)
      expect(Object.keys(e)).toEqual(["epoch", "iteration", "trainAccuracy", "testAccuracy"]);
    // The book reaches about 0.90 after its first epoch.
    expect(result.final.testAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(result.final.testAccuracy).toBe(result.epochs[1]!.testAccuracy);
    expect(result.final.trainAccuracy).toBe(result.epochs[1]!.trainAccuracy);
    expect(result.final.loss).toBeGreaterThan(0);
    expect(result.final.loss).toBeLessThan(0.5);
    expect(result.config).toMatchObject({
      data: "mnist",
      inputSize: 784,
      hidden: 50,
      outputSize: 10,
      iterations: 1200,
      iterationsPerEpoch: 600,
      batch: 100,
      lr: 0.1,
      seed: 0,
      dtype: "float64",
      backend: AUTO, // --backend auto (the default): worker with 2 or more cores, else wasm
    });
  });

  it("saved a safetensors model with the four parameters and metadata", () => {
    const { tensors, metadata } = decodeSafetensors(readFileSync(model));
    expect(Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, [t.dtype, ...t.shape]]))).toEqual({
      W1: ["float64", 784, 50],
      b1: ["float64", 50],
      W2: ["float64", 50, 10],
      b2: ["float64", 10],
    });
    expect(metadata).toMatchObject({
      format: "bp.net/1",
      data: "mnist",
      iterations: "1200",
      testAccuracy: String(result.final.testAccuracy),
    });
  });

  it("evaluates the reloaded model to exactly the same test accuracy", async () => {
    const r = await bp(["eval", "--model", model, "--json"]);
    expect(r.status).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e.testAccuracy).toBe(result.final.testAccuracy);
    expect(e.total).toBe(10000);
    expect(e.correct).toBe(Math.round(result.final.testAccuracy * 10000));
    const text = await bp(["eval", "--model", model]);
    expect(text.stdout).toContain(
      `test accuracy: ${result.final.testAccuracy.toFixed(4)} (${e.correct} of 10000 on MNIST)`,
    );
  });

  it("predicts the first test image (a 7) and draws it", async () => {
    const r = await bp(["predict", "--model", model, "--index", "0"]);
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("test image 0, label 7");
    // 28 rows of the image, 2 characters per pixel; the ink uses the ASCII ramp without colours.
    expect(lines.slice(1, 29).every((l) => l.length <= 56)).toBe(true);
    expect(lines.slice(1, 29).join("")).toMatch(/[@%#]/);
    expect(lines).toContain("prediction: 7 (correct)");
    const j = JSON.parse((await bp(["predict", "--model", model, "--index", "0", "--json"])).stdout);
    expect(j.label).toBe(7);
    expect(j.predicted).toBe(7);
    expect(j.probabilities).toHaveLength(10);
    expect(j.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 12);
    const past = await bp(["predict", "--model", model, "--index", "10000"]);
    expect(past.status).toBe(2);
    expect(past.stderr).toBe("bp: --index 10000 is past the last test image (9999)\n");
  });

  it("prints the epoch table and summary as text", async () => {
    const r = await bp(["train", "--iters", "50", "--batch", "20", "--hidden", "10", "--data", "mnist"]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(
      `TwoLayerNet 784-10-10 on MNIST (60000 train, 10000 test): 50 iterations (3000 per epoch), batch 20, lr 0.1, seed 0, float64, ${AUTO} backend`,
    );
    expect(lines[1]).toBe("epoch  iteration     loss  train acc  test acc");
    expect(lines[2]).toMatch(/^final: train accuracy 0\.\d{4}, test accuracy 0\.\d{4}, loss \d\.\d{4}$/);
    expect(lines[3]).toMatch(/^time: \d+\.\d s \(\d+ iterations\/s\)$/);
  });
});

describe("bp train --backend worker|wasm|auto", () => {
  it("gives bit-for-bit the CPU backend's results", async () => {
    const args = ["train", "--iters", "30", "--batch", "50", "--hidden", "8", "--json"];
    const cpu = JSON.parse((await bp([...args, "--backend", "cpu"])).stdout);
    for (const [option, name] of [
      ["worker", "worker"],
      ["wasm", "wasm"],
      ["auto", AUTO],
    ]) {
      const r = await bp([...args, "--backend", option!]);
      expect(r.status).toBe(0);
      const other = JSON.parse(r.stdout);
      expect(other.config.backend).toBe(name);
      expect(other.final).toEqual(cpu.final);
    }
  });
});

describe("bp train on a terminal", () => {
  it("draws a progress bar with iteration, loss and ETA on stderr, and colours", async () => {
    const r = await bp(["train", "--iters", "40", "--batch", "10", "--hidden", "4"], {}, true);
    expect(r.status).toBe(0);
    // The last redraw shows the final iteration; "\r\x1b[2K" returns to the line start and clears it.
    const esc = String.fromCharCode(27);
    expect(r.stderr).toMatch(new RegExp(`\\r${esc}\\[2K40/40 .* 100% {2}loss \\d+\\.\\d{4} {2}ETA 0:00`));
    expect(r.stdout).toContain("\x1b[1m");
    const quiet = await bp(
      ["train", "--iters", "40", "--batch", "10", "--hidden", "4", "--no-progress"],
      { NO_COLOR: "1" },
      true,
    );
    expect(quiet.stderr).toBe("");
    expect(quiet.stdout).not.toContain("\x1b[");
  });
});

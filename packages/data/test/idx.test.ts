import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { encodeIdx, loadMnist, parseIdx, readIdxFile, type IdxArray } from "@bp/data";
import { errorOf } from "./expectDataError.js";

const dir = mkdtempSync(join(tmpdir(), "bp-idx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const arrays: IdxArray[] = [
  { dtype: "uint8", shape: [2, 3], data: new Uint8Array([0, 1, 2, 253, 254, 255]) },
  { dtype: "int8", shape: [4], data: new Int8Array([-128, -1, 0, 127]) },
  { dtype: "int16", shape: [2, 2], data: new Int16Array([-32768, -2, 300, 32767]) },
  { dtype: "int32", shape: [3], data: new Int32Array([-2147483648, 65536, 2147483647]) },
  { dtype: "float32", shape: [1, 2, 2], data: new Float32Array([0.5, -1.25, 3e30, -0]) },
  { dtype: "float64", shape: [2], data: new Float64Array([Math.PI, -1e-300]) },
];

describe("IDX files", () => {
  it("encodes the header as the format says", () => {
    // magic 00 00 08 02, dims 2 and 3 big-endian, then the six bytes.
    expect([...encodeIdx(arrays[0]!)]).toEqual([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 2, 253, 254, 255]);
    // int16 after a 12-byte header: -32768 big-endian is 80 00, 300 = 0x012c is 01 2c.
    expect([...encodeIdx(arrays[2]!).subarray(12, 14)]).toEqual([0x80, 0x00]);
    expect([...encodeIdx(arrays[2]!).subarray(16, 18)]).toEqual([0x01, 0x2c]);
  });

  for (const a of arrays) {
    it(`round-trips ${a.dtype} through plain and gzip files`, () => {
      const bytes = encodeIdx(a);
      for (const [name, content] of [
        [`${a.dtype}.idx`, bytes],
        [`${a.dtype}.idx.gz`, gzipSync(bytes)],
      ] as const) {
        const back = readIdxFile(write(name, content));
        expect(back.dtype).toBe(a.dtype);
        expect(back.shape).toEqual(a.shape);
        expect(back.data.constructor).toBe(a.data.constructor);
        expect([...back.data]).toEqual([...a.data]);
      }
    });
  }

  it("parses from a byte view that does not start its buffer", () => {
    const bytes = encodeIdx(arrays[5]!);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect([...parseIdx(padded.subarray(3), "x").data]).toEqual([Math.PI, -1e-300]);
  });

  const good = encodeIdx(arrays[0]!);
  const cases: [string, Uint8Array, string][] = [
    [
      "too short",
      new Uint8Array([0, 0, 8]),
      "bad.idx: file is 3 bytes long, too short for the 4-byte IDX magic number",
    ],
    ["bad magic", Uint8Array.from([1, 2, 8, 1, 0, 0, 0, 0]), "bad.idx, byte 0: bad magic number 01 02 08 01"],
    ["unknown type code", Uint8Array.from([0, 0, 0x0a, 1, 0, 0, 0, 0]), "bad.idx, byte 2: unknown IDX type code 0x0a"],
    ["zero dimensions", Uint8Array.from([0, 0, 8, 0]), "declares 0 dimensions"],
    [
      "truncated header",
      good.subarray(0, 10),
      "file is 10 bytes long but its header declares 2 dimensions, which need 12 header bytes",
    ],
    [
      "truncated data",
      good.subarray(0, 17),
      "file is 17 bytes long but dimensions [2, 3] of uint8 need exactly 18 (12 header + 6 data); the file is truncated",
    ],
    ["trailing bytes", Uint8Array.from([...good, 9]), "need exactly 18 (12 header + 6 data); there are trailing bytes"],
  ];
  for (const [what, bytes, message] of cases) {
    it(`rejects a file with ${what}, naming the file`, () => {
      const path = write("bad.idx", bytes);
      const e = errorOf(() => readIdxFile(path));
      expect(e.message).toContain(message.replace("bad.idx", path));
      expect(e.message.startsWith("parseIdx: ")).toBe(true);
      expect(e.file).toBe(path);
    });
  }

  it("rejects gzip that does not decompress", () => {
    const gz = gzipSync(good);
    const path = write("broken.gz", gz.subarray(0, gz.length - 6));
    expect(errorOf(() => readIdxFile(path)).message).toContain(
      `readIdxFile: ${path}: the file starts like gzip but does not decompress`,
    );
  });

  it("asks for decompression when the pure parser is given gzip", () => {
    expect(errorOf(() => parseIdx(gzipSync(good), "a.gz")).message).toContain("a.gz: the bytes are gzip-compressed");
  });

  it("reports a missing file and a directory", () => {
    expect(errorOf(() => readIdxFile(join(dir, "nope"))).message).toBe(
      `readIdxFile: ${join(dir, "nope")}: file not found`,
    );
    expect(errorOf(() => readIdxFile(dir)).message).toBe(`readIdxFile: ${dir}: is a directory, expected a file`);
  });
});

/** A tiny MNIST-layout folder: n images of 2x2 with pixel values 0, 51, 102, 255 and given labels. */
function mnistDir(
  name: string,
  labels: number[],
  opts: { gzip?: boolean; testLabels?: number[]; testSize?: [number, number] } = {},
): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  const wrap = (b: Uint8Array) => (opts.gzip ? gzipSync(b) : b);
  const suffix = opts.gzip ? ".gz" : "";
  const images = (n: number, [h, w]: [number, number]) =>
    encodeIdx({
      dtype: "uint8",
      shape: [n, h, w],
      data: Uint8Array.from({ length: n * h * w }, (_, i) => [0, 51, 102, 255][i % 4]!),
    });
  const testLabels = opts.testLabels ?? labels.slice(0, 2);
  writeFileSync(join(d, `train-images-idx3-ubyte${suffix}`), wrap(images(labels.length, [2, 2])));
  writeFileSync(
    join(d, `train-labels-idx1-ubyte${suffix}`),
    wrap(encodeIdx({ dtype: "uint8", shape: [labels.length], data: Uint8Array.from(labels) })),
  );
  writeFileSync(join(d, `t10k-images-idx3-ubyte${suffix}`), wrap(images(2, opts.testSize ?? [2, 2])));
  writeFileSync(
    join(d, `t10k-labels-idx1-ubyte${suffix}`),
    wrap(encodeIdx({ dtype: "uint8", shape: [testLabels.length], data: Uint8Array.from(testLabels) })),
  );
  return d;
}

describe("loadMnist on a folder", () => {
  it("reads plain and gzip folders with the book's options", () => {
    for (const gzip of [false, true]) {
      const d = mnistDir(gzip ? "gz" : "plain", [3, 9, 0], { gzip });
      const { xTrain, tTrain, xTest, tTest } = loadMnist({ dir: d });
      expect(xTrain.shape).toEqual([3, 4]);
      expect(xTrain.dtype).toBe("float64");
      // 51 / 255 = 0.2, 102 / 255 = 0.4
      expect([...xTrain.data.subarray(0, 4)]).toEqual([0, 0.2, 0.4, 1]);
      expect(tTrain.dtype).toBe("int32");
      expect([...tTrain.data]).toEqual([3, 9, 0]);
      expect(xTest.shape).toEqual([2, 4]);
      expect([...tTest.data]).toEqual([3, 9]);
    }
  });

  it("keeps 0..255, the [N, 1, rows, cols] shape, and one-hot labels when asked", () => {
    const d = mnistDir("opts", [3, 9, 0]);
    const { xTrain, tTrain } = loadMnist({
      dir: d,
      normalize: false,
      flatten: false,
      oneHotLabel: true,
      dtype: "float32",
    });
    expect(xTrain.shape).toEqual([3, 1, 2, 2]);
    expect(xTrain.dtype).toBe("float32");
    expect([...xTrain.data.subarray(0, 4)]).toEqual([0, 51, 102, 255]);
    expect(tTrain.shape).toEqual([3, 10]);
    expect(tTrain.dtype).toBe("float32");
    expect(tTrain.toArray()).toEqual([
      [0, 0, 0, 1, 0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
      [1, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ]);
  });

  it("names the folder when a file is missing or the folder does not exist", () => {
    const d = join(dir, "empty");
    mkdirSync(d, { recursive: true });
    expect(errorOf(() => loadMnist({ dir: d })).message).toContain(
      `loadMnist: ${d}: folder has no train-images-idx3-ubyte (nor train-images-idx3-ubyte.gz)`,
    );
    expect(errorOf(() => loadMnist({ dir: join(dir, "missing") })).message).toContain("folder does not exist");
  });

  it("rejects label counts, label values and image sizes that do not fit", () => {
    const count = mnistDir("count", [1, 2, 3], { testLabels: [1, 2, 3] });
    expect(errorOf(() => loadMnist({ dir: count })).message).toBe(
      `loadMnist: ${join(count, "t10k-labels-idx1-ubyte")}: has 3 labels but ${join(count, "t10k-images-idx3-ubyte")} has 2 images`,
    );
    const big = mnistDir("big", [1, 12, 3]);
    expect(errorOf(() => loadMnist({ dir: big })).message).toBe(
      `loadMnist: ${join(big, "train-labels-idx1-ubyte")}: label 1 is 12, expected a class 0..9`,
    );
    const size = mnistDir("size", [1, 2, 3], { testSize: [3, 3] });
    expect(errorOf(() => loadMnist({ dir: size })).message).toContain("test images are 3x3 pixels but training images");
    const swapped = mnistDir("swapped", [1, 2, 3]);
    writeFileSync(
      join(swapped, "train-images-idx3-ubyte"),
      encodeIdx({ dtype: "uint8", shape: [3], data: new Uint8Array(3) }),
    );
    expect(errorOf(() => loadMnist({ dir: swapped })).message).toContain(
      "expected uint8 images of shape [count, rows, cols], got uint8 of shape [3]",
    ); // Images of 0x0 pixels would make a net with 0 inputs (the CLI printed its header first).
    const empty = mnistDir("empty-images", [1, 2]);
    writeFileSync(
      join(empty, "train-images-idx3-ubyte"),
      encodeIdx({ dtype: "uint8", shape: [2, 0, 0], data: new Uint8Array(0) }),
    );
    expect(errorOf(() => loadMnist({ dir: empty })).message).toBe(
      `loadMnist: ${join(empty, "train-images-idx3-ubyte")}: images are 0x0 pixels; expected at least one pixel per image`,
    );
  });
});

// The bad-input catalogue (issue 13): inputs a new user gets wrong, tried against the built `bp`
// (node dist/bin.js, one process per case, a few at a time) and against the libraries (in this
// process). For every case: the exit status or error class, a one-line message naming what was
// wrong (no stack trace, no "internal error"), no file left behind, and an end within the spawn
// time limit (a hang is killed and fails its case). Build the CLI first:
//   pnpm turbo run build --filter @bp/cli...
import { type SpawnOptions, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, watch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DataError,
  checkSaveTarget,
  decodeSafetensors,
  encodeIdx,
  encodeSafetensors,
  gunzipIdx,
  loadCsv,
  loadMnist,
  loadSafetensors,
  parseCsv,
  parseIdx,
  readIdxFile,
  sampleMinibatch,
  saveSafetensors,
} from "@bp/data";
import {
  DivergenceError,
  MultiLayerNetExtend,
  SimpleConvNet,
  Trainer,
  TwoLayerNet,
  decodeNet,
  encodeNet,
  type Net,
  type NetDescription,
} from "@bp/nets";
import {
  BpError,
  DTypeError,
  IndexError,
  Rng,
  ShapeError,
  ValueError,
  arange,
  full,
  ones,
  randn,
  tensor,
  zeros,
  type Tensor,
} from "@bp/tensor";
import { BIN } from "./run.js";

const root = mkdtempSync(join(tmpdir(), "bp-catalogue-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
/** Input files, shared by the cases; nothing may be added to this folder. */
const fx = join(root, "fixtures");
mkdirSync(fx);

function put(name: string, content: string | Uint8Array): string {
  const path = join(fx, name);
  writeFileSync(path, content);
  return path;
}

/** An IDX header of uint8 values with the given dimensions and no data. */
function idxHeader(shape: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length);
  out[2] = 0x08;
  out[3] = shape.length;
  for (const [i, d] of shape.entries()) new DataView(out.buffer).setUint32(4 + 4 * i, d, false);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A safetensors file from a raw header string and data bytes. */
function stFile(header: string, data: Uint8Array = new Uint8Array(0), length?: bigint): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

/**
 * An MNIST-layout folder of 2x2 images: `train` and `test` image counts, labels cycling 0, 1, 2,
 * and overrides of any of the four files.
 */
function mnistDir(name: string, train: number, test: number, override: Record<string, Uint8Array> = {}): string {
  const d = join(fx, name);
  mkdirSync(d);
  const images = (n: number) =>
    encodeIdx({ dtype: "uint8", shape: [n, 2, 2], data: Uint8Array.from({ length: 4 * n }, (_, i) => (i * 37) % 256) });
  const labels = (n: number) =>
    encodeIdx({ dtype: "uint8", shape: [n], data: Uint8Array.from({ length: n }, (_, i) => i % 3) });
  const files: Record<string, Uint8Array> = {
    "train-images-idx3-ubyte": images(train),
    "train-labels-idx1-ubyte": labels(train),
    "t10k-images-idx3-ubyte": images(test),
    "t10k-labels-idx1-ubyte": labels(test),
    ...override,
  };
  for (const [f, bytes] of Object.entries(files)) writeFileSync(join(d, f), bytes);
  return d;
}

// ---- fixtures -------------------------------------------------------------------------------

const OK = put("ok.csv", "label,a,b\n0,10,20\n1,30,40\n0,50,60\n1,70,80\n2,90,100\n");
const OK3 = put("ok3.csv", "label,a,b,c\n0,1,2,3\n1,4,5,6\n");
const HUGE_LABEL = put("huge-label.csv", "label,a,b\n0,1,2\n2147483647,3,4\n");
const MILLION_LABEL = put("million-label.csv", "label,a,b\n0,1,2\n1000000,3,4\n1,5,6\n");
const HEADER_ONLY = put("header-only.csv", "label,a,b\n");
const EMPTY = put("empty.csv", "");
const BLANK = put("blank.csv", "\n\n  \n");
const RAGGED = put("ragged.csv", "label,a,b\n0,1,2\n1,3\n");
const NOT_NUMBER = put("not-number.csv", "label,a,b\n0,1,2\n1,x5,4\n");
const EMPTY_CELL = put("empty-cell.csv", "label,a,b\n0,1,\n");
const FRACTION_LABEL = put("fraction-label.csv", "label,a\n1.5,2\n");
const NEGATIVE_LABEL = put("negative-label.csv", "label,a\n-1,2\n");
const INF_FEATURE = put("inf-feature.csv", "label,a\n1,1e999\n");
const NAN_FEATURE = put("nan-feature.csv", "label,a\n1,NaN\n");
const ONE_COLUMN = put("one-column.csv", "1\n2\n");
const SEMICOLONS = put("semicolons.csv", "label;a;b\n0;1;2\n1;3;4\n");
const BINARY = put(
  "binary.csv",
  Uint8Array.from({ length: 300 }, (_, i) => (i * 97 + 13) % 256),
);
const CSV_DIR = join(fx, "a-folder.csv");
mkdirSync(CSV_DIR);
const REGULAR = put("regular-file", "I am a file, not a folder\n");

// IDX folders. The gzip bomb: a header declaring 2 images of 2x2 (24 bytes), then 32 MiB of zeros.
const BOMB = gzipSync(concat(idxHeader([2, 2, 2]), new Uint8Array(32 << 20)), { level: 9 });
const MNIST_BOMB = mnistDir("mnist-bomb", 6, 3);
rmSync(join(MNIST_BOMB, "train-images-idx3-ubyte"));
writeFileSync(join(MNIST_BOMB, "train-images-idx3-ubyte.gz"), BOMB);
const MNIST_HUGE = mnistDir("mnist-huge", 6, 3);
rmSync(join(MNIST_HUGE, "train-images-idx3-ubyte"));
writeFileSync(join(MNIST_HUGE, "train-images-idx3-ubyte.gz"), gzipSync(idxHeader([2 ** 20, 2 ** 10, 2])));
const MNIST_MAGIC = mnistDir("mnist-magic", 6, 3, { "train-images-idx3-ubyte": Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0) });
const MNIST_TRUNC = mnistDir("mnist-trunc", 6, 3, {
  "t10k-images-idx3-ubyte": concat(idxHeader([3, 2, 2]), new Uint8Array(5)),
});
const MNIST_LABEL = mnistDir("mnist-label", 6, 3, {
  "train-labels-idx1-ubyte": encodeIdx({ dtype: "uint8", shape: [6], data: Uint8Array.of(0, 1, 2, 10, 1, 0) }),
});
const MNIST_COUNT = mnistDir("mnist-count", 6, 3, {
  "train-labels-idx1-ubyte": encodeIdx({ dtype: "uint8", shape: [5], data: new Uint8Array(5) }),
});
const MNIST_NO_TEST = mnistDir("mnist-no-test", 6, 0);
const MNIST_NO_TRAIN = mnistDir("mnist-no-train", 0, 3);
const MNIST_NO_PIXELS = mnistDir("mnist-no-pixels", 6, 3, {
  "train-images-idx3-ubyte": encodeIdx({ dtype: "uint8", shape: [6, 0, 0], data: new Uint8Array(0) }),
  "t10k-images-idx3-ubyte": encodeIdx({ dtype: "uint8", shape: [3, 0, 0], data: new Uint8Array(0) }),
});
const MNIST_MISSING = mnistDir("mnist-missing", 6, 3);
rmSync(join(MNIST_MISSING, "t10k-labels-idx1-ubyte"));
const MNIST_GZ_BROKEN = mnistDir("mnist-gz-broken", 6, 3);
rmSync(join(MNIST_GZ_BROKEN, "train-labels-idx1-ubyte"));
writeFileSync(join(MNIST_GZ_BROKEN, "train-labels-idx1-ubyte.gz"), Uint8Array.of(0x1f, 0x8b, 8, 0, 1, 2, 3));

// Models. A good one is trained by the first CLI case that needs it (see beforeAll).
const GOOD_MODEL = join(fx, "good.safetensors");
const f64 = (...v: number[]) => new Uint8Array(Float64Array.from(v).buffer);
const w = (begin: number, n = 1) => `{"dtype":"F64","shape":[${n}],"data_offsets":[${begin},${begin + 8 * n}]}`;
const DUPLICATE = put("duplicate.safetensors", stFile(`{"W1":${w(0)},"W1":${w(8)}}`, f64(1, 2)));
const PROTO = put("proto.safetensors", stFile(`{"__proto__":${w(0)}}`, f64(1)));
const HUGE_HEADER = put("huge-header.safetensors", stFile("{}", new Uint8Array(0), 2n ** 53n + 1n));
const MANY = put(
  "many.safetensors",
  stFile(
    `{${Array.from({ length: 100_001 }, (_, i) => `"t${i}":{"dtype":"F64","shape":[0],"data_offsets":[0,0]}`).join(",")}}`,
  ),
);
const TRUNCATED = put("truncated.safetensors", stFile(`{"W1":${w(0, 4)}}`, f64(1, 2)));
const GARBAGE = put("garbage.safetensors", "this is not a model at all, just text\n");
const NOT_JSON = put("not-json.safetensors", stFile('{"W1": nope}'));
const BAD_DTYPE = put(
  "bad-dtype.safetensors",
  stFile('{"W1":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}', new Uint8Array(2)),
);
const NAN_MODEL = put(
  "nan.safetensors",
  encodeSafetensors({
    W1: tensor([[Number.NaN, 0]]),
    b1: tensor([0, 0]),
    W2: tensor([
      [0, 0],
      [0, 0],
    ]),
    b2: tensor([0, 0]),
  }),
);
const WRONG_SHAPES = put(
  "wrong-shapes.safetensors",
  encodeSafetensors({ W1: tensor([[1, 2]]), b1: tensor([0, 0, 0]), W2: tensor([[1], [2]]), b2: tensor([0]) }),
);
const ONLY_ONE = put("only-one.safetensors", encodeSafetensors({ W1: tensor([[1, 2]]) }));
const MANY_UNDER_LIMIT = put(
  "many-under-limit.safetensors",
  stFile(
    `{${Array.from({ length: 99_999 }, (_, i) => `"t${i}":{"dtype":"F64","shape":[0],"data_offsets":[0,0]}`).join(",")}}`,
  ),
);
/** A saved 2-3-2 net whose architecture JSON is replaced by `architecture`. */
function withArchitecture(name: string, architecture: (a: Record<string, unknown>) => unknown): string {
  const saved = decodeSafetensors(encodeNet(new TwoLayerNet(2, 3, 2)));
  const a = JSON.parse(saved.metadata.architecture!) as Record<string, unknown>;
  return put(
    name,
    encodeSafetensors(saved.tensors, { ...saved.metadata, architecture: JSON.stringify(architecture(a)) }),
  );
}
const ARCH_NULL = withArchitecture("arch-null.safetensors", () => null);
const LAYER_NULL = withArchitecture("layer-null.safetensors", (a) => ({ ...a, layers: [null] }));
const ARCH_NOT_JSON = put(
  "arch-not-json.safetensors",
  (() => {
    const saved = decodeSafetensors(encodeNet(new TwoLayerNet(2, 3, 2)));
    return encodeSafetensors(saved.tensors, { ...saved.metadata, architecture: "{not json" });
  })(),
);

/**
 * A saved `net` (metadata data=csv, scale 1, so that `eval --data csv --test OK` reads OK's two
 * features as they are) with its architecture, tensors and metadata edited by `edit`: files
 * that bp did not write (issue 20).
 */
function tampered(
  name: string,
  net: Net,
  edit: (a: NetDescription, t: Record<string, Tensor>, m: Record<string, string>) => void,
): string {
  const { tensors, metadata } = decodeSafetensors(encodeNet(net, { data: "csv", scale: "1" }));
  const a = JSON.parse(metadata.architecture!) as NetDescription;
  edit(a, tensors, metadata);
  return put(name, encodeSafetensors(tensors, { ...metadata, architecture: JSON.stringify(a) }));
}
const extendNet = () => new MultiLayerNetExtend(2, [3, 3], 3, { useBatchnorm: true });
const smallConv = () =>
  new SimpleConvNet({ inputDim: [1, 4, 4], convParam: { filterNum: 2, filterSize: 3 }, hiddenSize: 3, outputSize: 3 });
const KIND_LIES = tampered("kind-lies.safetensors", extendNet(), (a) => {
  a.kind = "TwoLayerNet";
  a.config = { inputSize: 2, hiddenSize: 3, outputSize: 3 };
});
const NEGATIVE_VARIANCE = tampered("negative-variance.safetensors", extendNet(), (_, t) => {
  t.runningVar1!.data[0] = -5;
});
const OVERFLOWING = tampered("overflowing.safetensors", new TwoLayerNet(2, 3, 3, { weightInitStd: 1 }), (_, t) => {
  for (const k of ["W1", "W2"]) {
    const d = t[k]!.data;
    for (let i = 0; i < d.length; i++) d[i] = d[i]! * 1e306;
  }
});
const MANY_LAYERS = tampered("many-layers.safetensors", new TwoLayerNet(2, 3, 3), (a) => {
  a.kind = "LayerNet";
  for (let i = 0; i < 20_000; i++) a.layers.splice(2, 0, { name: `ReluX${i}`, type: "Relu" });
});
const DUPLICATE_LAYERS = tampered("duplicate-layers.safetensors", extendNet(), (a) => {
  a.kind = "LayerNet";
  a.layers[3]!.name = "Affine1";
});
const BAD_DELIMITER = tampered("bad-delimiter.safetensors", new TwoLayerNet(2, 3, 3), (_, __, m) => {
  m.delimiter = "ab";
});
const BAD_SCALE = tampered("bad-scale.safetensors", new TwoLayerNet(2, 3, 3), (_, __, m) => {
  m.scale = "-1";
});
const CONV_MODEL = tampered("conv.safetensors", smallConv(), () => {});
const CONV_OTHER_GEOMETRY = tampered("conv-geometry.safetensors", smallConv(), (a) => {
  a.config.inputDim = [4, 4, 4];
});
const CONV_HUGE_HIDDEN = tampered("conv-huge-hidden.safetensors", smallConv(), (a) => {
  a.config.hiddenSize = 200000;
});
/** A 1 000 000-column CSV of three rows (a 1000 x 1000 image each for --net simple-conv). */
const WIDE = put(
  "wide.csv",
  (() => {
    const cols = 1_000_000;
    const row = (label: number) => `${label},${"1,".repeat(cols - 1)}1`;
    return `label,${Array.from({ length: cols }, (_, i) => `c${i}`).join(",")}\n${row(0)}\n${row(1)}\n${row(0)}\n`;
  })(),
);

/** A FIFO: renaming a model over it would replace it with a regular file. */
const FIFO = join(fx, "a-fifo");
execFileSync("mkfifo", [FIFO]);

// ---- the CLI --------------------------------------------------------------------------------

/** What kind of bad input a case is: the catalogue is grown class by class. */
type CaseClass =
  | "options spelled wrong or out of range"
  | "files you did not write"
  | "resources sized from input"
  | "output paths"
  | "numbers that overflow"
  | "signals"
  | "arguments of the wrong kind"
  | "empty input and overflow";

/** The cases of one class (a case that names its own class keeps it). */
function inClass<C extends { class?: CaseClass }>(cls: CaseClass, cases: C[]): C[] {
  return cases.map((c) => ({ ...c, class: c.class ?? cls }));
}
const cliClass = (cls: CaseClass, cases: CliCase[]): CliCase[] => inClass(cls, cases);
const libClass = (cls: CaseClass, cases: LibCase[]): LibCase[] => inClass(cls, cases);

interface CliCase {
  class?: CaseClass;
  name: string;
  args: string[];
  exit: number;
  /** Text the one-line error must contain (after "bp: "). */
  message: string | RegExp;
  /** Files the case may leave in its own working folder (default none). */
  leaves?: string[];
  /** Standard output may hold lines printed before the error (the table of a run that diverged). */
  output?: boolean;
  /** Files to create in the working folder before the run. */
  before?: Record<string, string>;
}

const csv = ["--data", "csv", "--backend", "cpu"];
const small = [...csv, "--train", OK, "--test", OK, "--iters", "3", "--batch", "2", "--scale", "1"];
const mnist = (dir: string) => ["--dir", dir, "--backend", "cpu", "--iters", "2", "--batch", "2"];

const cliCases: CliCase[] = [
  // usage: exit 2
  ...cliClass("options spelled wrong or out of range", [
    { name: "an unknown command", args: ["trian"], exit: 2, message: 'unknown command "trian"' },
    { name: "an unknown option", args: ["train", "--lrate", "0.1"], exit: 2, message: "unknown option --lrate" },
    { name: "an option without its value", args: ["train", "--lr"], exit: 2, message: "--lr" },
    { name: "a stray argument", args: ["train", "mnist"], exit: 2, message: 'unexpected argument "mnist"' },
    { name: "--iters 0", args: ["train", "--iters", "0"], exit: 2, message: "--iters" },
    { name: "--iters -5", args: ["train", "--iters", "-5"], exit: 2, message: "--iters" },
    { name: "--iters 1.5", args: ["train", "--iters", "1.5"], exit: 2, message: "--iters" },
    { name: "--iters abc", args: ["train", "--iters", "abc"], exit: 2, message: "--iters" },
    { name: "--iters 1e400", args: ["train", "--iters", "1e400"], exit: 2, message: "--iters" },
    { name: "--batch 0", args: ["train", "--batch", "0"], exit: 2, message: "--batch" },
    { name: "--lr -1", args: ["train", "--lr", "-1"], exit: 2, message: "--lr" },
    { name: "--lr NaN", args: ["train", "--lr", "NaN"], exit: 2, message: "--lr" },
    { name: "--lr Infinity", args: ["train", "--lr", "Infinity"], exit: 2, message: "--lr" },
    { name: "--lr 0.1abc", args: ["train", "--lr", "0.1abc"], exit: 2, message: "--lr" },
    { name: "--seed 1.5", args: ["train", "--seed", "1.5"], exit: 2, message: "--seed" },
    { name: "--seed -1", args: ["train", "--seed", "-1"], exit: 2, message: "--seed" },
    { name: "--seed 2^32", args: ["train", "--seed", "4294967296"], exit: 2, message: "--seed" },
    { name: "--hidden 0", args: ["train", "--hidden", "0"], exit: 2, message: "--hidden" },
    { name: "--hidden 1e6", args: ["train", "--hidden", "1e6"], exit: 2, message: "--hidden" },
    { name: "--hidden 10,,10", args: ["train", "--net", "multi", "--hidden", "10,,10"], exit: 2, message: "--hidden" },
    { name: "--weight-init-std -1", args: ["train", "--weight-init-std", "-1"], exit: 2, message: "--weight-init-std" },
    { name: "--dtype float16", args: ["train", "--dtype", "float16"], exit: 2, message: "--dtype" },
    { name: "--backend gpu", args: ["train", "--backend", "gpu"], exit: 2, message: "--backend" },
    { name: "--data xls", args: ["train", "--data", "xls"], exit: 2, message: "--data" },
    { name: "--sampling random", args: ["train", "--sampling", "random"], exit: 2, message: "--sampling" },
    { name: "--optimizer adamw", args: ["train", "--optimizer", "adamw"], exit: 2, message: "--optimizer" },
    { name: "--net resnet", args: ["train", "--net", "resnet"], exit: 2, message: "--net" },
    {
      name: "--dropout 1.5",
      args: ["train", "--net", "multi-extend", "--dropout", "1.5"],
      exit: 2,
      message: "--dropout",
    },
    { name: "--iters with --epochs", args: ["train", "--iters", "5", "--epochs", "2"], exit: 2, message: "--epochs" },
    { name: "--train without --data csv", args: ["train", "--train", OK], exit: 2, message: "--data csv" },
    { name: "--data csv without --test", args: ["train", "--data", "csv", "--train", OK], exit: 2, message: "--test" },
    {
      name: "--dir with --data csv",
      args: ["train", ...csv, "--dir", fx, "--train", OK, "--test", OK],
      exit: 2,
      message: "--dir",
    },
    {
      name: "--delimiter of two characters",
      args: ["train", ...small, "--delimiter", ";;"],
      exit: 2,
      message: "--delimiter",
    },
    { name: "--scale 0", args: ["train", ...small.slice(0, -2), "--scale", "0"], exit: 2, message: "--scale" },
    {
      name: "--batch larger than the data",
      args: ["train", ...csv, "--train", OK, "--test", OK, "--batch", "100"],
      exit: 2,
      message: "--batch 100",
    },
    { name: "eval without --model", args: ["eval"], exit: 2, message: "--model" },
    { name: "predict --index -1", args: ["predict", "--model", REGULAR, "--index", "-1"], exit: 2, message: "--index" },
    { name: "gradcheck --atol -1", args: ["gradcheck", "--atol", "-1"], exit: 2, message: "--atol" },
    { name: "demo with an unknown graph", args: ["demo", "pears"], exit: 2, message: "pears" },
  ]),
  // CSV files: exit 1, file, line and column
  ...cliClass("files you did not write", [
    {
      name: "a missing CSV file",
      args: ["train", ...csv, "--train", join(fx, "nope.csv"), "--test", OK],
      exit: 1,
      message: "nope.csv: file not found",
    },
    {
      name: "a folder as CSV",
      args: ["train", ...csv, "--train", CSV_DIR, "--test", OK],
      exit: 1,
      message: "is a directory, expected a file",
    },
    {
      name: "an empty CSV",
      args: ["train", ...csv, "--train", EMPTY, "--test", OK],
      exit: 1,
      message: "the file is empty",
    },
    {
      name: "a CSV of blank lines",
      args: ["train", ...csv, "--train", BLANK, "--test", OK],
      exit: 1,
      message: "the file is empty",
    },
    {
      name: "a CSV test set with a header only",
      args: ["train", ...csv, "--train", OK, "--test", HEADER_ONLY],
      exit: 1,
      message: "header line but no data rows",
    },
    {
      name: "a ragged CSV row",
      args: ["train", ...csv, "--train", RAGGED, "--test", OK],
      exit: 1,
      message: "line 3, column 3: row has 2 fields, expected 3",
    },
    {
      name: "a CSV cell that is not a number",
      args: ["train", ...csv, "--train", NOT_NUMBER, "--test", OK],
      exit: 1,
      message: 'line 3, column 2: "x5" is not a number',
    },
    {
      name: "an empty CSV cell",
      args: ["train", ...csv, "--train", EMPTY_CELL, "--test", OK],
      exit: 1,
      message: "line 2, column 3: empty cell",
    },
    {
      name: "a CSV label of 2147483647 (defect 1)",
      args: ["train", ...csv, "--train", HUGE_LABEL, "--test", OK],
      exit: 1,
      message: "line 3, column 1: label 2147483647 is beyond the limit of 10000 classes",
    },
    {
      name: "a CSV label of 1000000 with 3 rows (defect 1)",
      args: ["train", ...csv, "--train", MILLION_LABEL, "--test", OK],
      exit: 1,
      message: "label 1000000 is beyond the limit",
    },
    {
      name: "a fractional CSV label",
      args: ["train", ...csv, "--train", FRACTION_LABEL, "--test", OK],
      exit: 1,
      message: "label 1.5 is not a non-negative integer",
    },
    {
      name: "a negative CSV label",
      args: ["train", ...csv, "--train", NEGATIVE_LABEL, "--test", OK],
      exit: 1,
      message: "label -1 is not a non-negative integer",
    },
    {
      name: "an infinite CSV feature",
      args: ["train", ...csv, "--train", INF_FEATURE, "--test", OK],
      exit: 1,
      message: "1e999 is out of range",
    },
    {
      name: "a NaN CSV feature",
      args: ["train", ...csv, "--train", NAN_FEATURE, "--test", OK],
      exit: 1,
      message: '"NaN" is not a number',
    },
    {
      name: "a CSV with one column",
      args: ["train", ...csv, "--train", ONE_COLUMN, "--test", OK],
      exit: 1,
      message: "rows have 1 field",
    },
    {
      name: "a CSV with another delimiter",
      args: ["train", ...csv, "--train", SEMICOLONS, "--test", OK],
      exit: 1,
      message: "rows have 1 field",
    },
    {
      name: "binary bytes as CSV",
      args: ["train", ...csv, "--train", BINARY, "--test", OK],
      exit: 1,
      message: "binary.csv",
    },
    {
      name: "train and test CSVs of different widths",
      args: ["train", ...csv, "--train", OK, "--test", OK3],
      exit: 1,
      message: "rows have 3 features but",
    },
    {
      name: "a label column that does not exist",
      args: ["train", ...small, "--label-column", "7"],
      exit: 1,
      message: "labelColumn 7 is outside the 3 columns",
    },
    {
      name: "a label column name that does not exist",
      args: ["train", ...small, "--label-column", "class"],
      exit: 1,
      message: 'no column named "class"',
    },
  ]),
  // MNIST-layout folders: exit 1
  ...cliClass("files you did not write", [
    {
      name: "a missing MNIST folder",
      args: ["train", ...mnist(join(fx, "nowhere"))],
      exit: 1,
      message: "folder does not exist",
    },
    {
      name: "an MNIST folder without a test label file",
      args: ["train", ...mnist(MNIST_MISSING)],
      exit: 1,
      message: "has no t10k-labels-idx1-ubyte",
    },
    {
      name: "an IDX file with a bad magic number (a zip)",
      args: ["train", ...mnist(MNIST_MAGIC)],
      exit: 1,
      message: "bad magic number 50 4b 03 04",
    },
    { name: "a truncated IDX file", args: ["train", ...mnist(MNIST_TRUNC)], exit: 1, message: "the file is truncated" },
    {
      name: "an MNIST label of 10",
      args: ["train", ...mnist(MNIST_LABEL)],
      exit: 1,
      message: "label 3 is 10, expected a class 0..9",
    },
    {
      name: "MNIST label and image counts that differ",
      args: ["train", ...mnist(MNIST_COUNT)],
      exit: 1,
      message: "has 5 labels but",
    },
    {
      name: "a gzip IDX bomb, 2 images declared, 32 MiB inside (defect 5)",
      args: ["train", ...mnist(MNIST_BOMB)],
      exit: 1,
      message: "decompresses to more than the 24 bytes its IDX header declares",
    },
    {
      name: "a gzip IDX header declaring 2 GiB (defect 5)",
      args: ["train", ...mnist(MNIST_HUGE)],
      exit: 1,
      message: "more than the limit of 1073741824",
    },
    {
      name: "a broken gzip IDX file",
      args: ["train", ...mnist(MNIST_GZ_BROKEN)],
      exit: 1,
      message: "starts like gzip but does not decompress",
    },
    {
      name: "an empty MNIST training set",
      args: ["train", ...mnist(MNIST_NO_TRAIN)],
      exit: 1,
      message: "the training set has no rows",
    },
    {
      // Used to print the "TwoLayerNet 0-50-10" header, then fail on inputSize 0.
      name: "MNIST images of 0x0 pixels",
      args: ["train", ...mnist(MNIST_NO_PIXELS)],
      exit: 1,
      message: "images are 0x0 pixels; expected at least one pixel per image",
    },
    {
      name: "an empty MNIST test set (defect 4)",
      args: ["train", ...mnist(MNIST_NO_TEST)],
      exit: 1,
      message: "the test set has no rows (expected at least one)",
    },
    {
      name: "eval on an empty MNIST test set (defect 4)",
      args: ["eval", "--model", GOOD_MODEL, "--data", "mnist", "--dir", MNIST_NO_TEST, "--backend", "cpu"],
      exit: 1,
      message: "the test set has no rows (expected at least one)",
    },
    {
      name: "predict on an empty MNIST test set (defect 4)",
      args: ["predict", "--model", GOOD_MODEL, "--data", "mnist", "--dir", MNIST_NO_TEST, "--backend", "cpu"],
      exit: 1,
      message: "the test set has no rows (expected at least one)",
    },
  ]),
  // --save: checked before training, nothing half-written
  ...cliClass("output paths", [
    {
      name: "--save inside a regular file (defect 2)",
      args: ["train", ...small, "--save", join(REGULAR, "m.safetensors")],
      exit: 1,
      message: "regular-file is a file, not a folder",
    },
    {
      name: "--save below a regular file (defect 2)",
      args: ["train", ...small, "--save", join(REGULAR, "a", "m.safetensors")],
      exit: 1,
      message: "is a file, not a folder",
    },
    {
      name: "--save to an existing folder (defect 2)",
      args: ["train", ...small, "--save", "sub"],
      before: { "sub/keep": "x" },
      leaves: ["sub", "sub/keep"],
      exit: 1,
      message: "is a folder",
    },
    {
      name: "--save to a path ending in a slash (defect 2)",
      args: ["train", ...small, "--save", "sub/"],
      before: { "sub/keep": "x" },
      leaves: ["sub", "sub/keep"],
      exit: 1,
      message: "names a folder",
    },
    {
      name: "--save into a missing folder (defect 2)",
      args: ["train", ...small, "--save", "no/m.safetensors"],
      exit: 1,
      message: "the folder does not exist",
    },
    { name: "--save an empty path", args: ["train", ...small, "--save", ""], exit: 2, message: "--save" },
  ]),
  // divergence: exit 1, nothing saved
  ...cliClass("numbers that overflow", [
    {
      name: "--lr 1e300 (defect 3)",
      args: ["train", ...small, "--lr", "1e300", "--save", "m.safetensors"],
      exit: 1,
      output: true,
      message: /diverged.*smaller --lr/,
    },
    {
      name: "--weight-init-std 1e300 (defect 3)",
      args: ["train", ...small, "--weight-init-std", "1e300", "--save", "m.safetensors"],
      exit: 1,
      output: true,
      message: /diverged/,
    },
    {
      // Features of 10 / 1e-320 overflow to Infinity: refused when the CSV is read, before training.
      name: "--scale 1e-320 (defect 3)",
      args: ["train", ...small.slice(0, -2), "--scale", "1e-320", "--save", "m.safetensors"],
      exit: 1,
      message: "line 2, column 2: 10 divided by 1e-320 is out of the float64 range",
    },
    {
      name: "--scale 1e-300 (defect 3)",
      args: ["train", ...small.slice(0, -2), "--scale", "1e-300", "--save", "m.safetensors"],
      exit: 1,
      output: true,
      message: /diverged/,
    },

    {
      class: "output paths",
      name: "--save onto a FIFO",
      args: ["train", ...small, "--save", FIFO],
      exit: 1,
      message: "is a FIFO, not a regular file",
    },
    {
      class: "options spelled wrong or out of range",
      name: "--label-column -100",
      args: ["train", ...small, "--label-column", "-100"],
      exit: 1,
      message: "labelColumn -100 is outside the 3 columns",
    },
    {
      class: "files you did not write",
      name: "--delimiter tab on a comma-separated file",
      args: ["train", ...small, "--delimiter", "tab"],
      exit: 1,
      message: 'is the delimiter "\\t" right?',
    },
    {
      class: "options spelled wrong or out of range",
      name: "--iters 99999999999999999999",
      args: ["train", ...csv, "--train", OK, "--test", OK, "--iters", "99999999999999999999"],
      exit: 2,
      message: "--iters",
    },
    {
      class: "options spelled wrong or out of range",
      name: "--test-size 0",
      args: ["train", ...small, "--test-size", "0"],
      exit: 2,
      message: "--test-size",
    },
    {
      class: "files you did not write",
      name: "gradcheck on a CSV label of 2147483647 (defect 1)",
      args: ["gradcheck", "--data", "csv", "--train", HUGE_LABEL, "--test", OK],
      exit: 1,
      message: "label 2147483647 is beyond the limit",
    },
  ]),
  // models: exit 1
  ...cliClass("files you did not write", [
    {
      name: "eval of a model whose architecture is null",
      args: ["eval", "--model", ARCH_NULL, "--data", "csv", "--test", OK],
      exit: 1,
      message: "metadata architecture: expected a JSON object",
    },
    {
      name: "eval of a model with a null layer",
      args: ["eval", "--model", LAYER_NULL, "--data", "csv", "--test", OK],
      exit: 1,
      message: "layers[0] must have a string name and type",
    },
    {
      name: "eval of a model whose architecture is not JSON",
      args: ["eval", "--model", ARCH_NOT_JSON, "--data", "csv", "--test", OK],
      exit: 1,
      message: "metadata architecture is not valid JSON",
    },
    {
      name: "eval of 99 999 empty tensors (a short message)",
      args: ["eval", "--model", MANY_UNDER_LIMIT],
      exit: 1,
      message: "unexpected tensors t0, t1, t2, t3, t4 and 99994 more (a bp.TwoLayerNet file holds",
    },
    {
      name: "eval of a missing model",
      args: ["eval", "--model", join(fx, "nope.safetensors")],
      exit: 1,
      message: "nope.safetensors: file not found",
    },
    {
      name: "eval of a folder",
      args: ["eval", "--model", CSV_DIR],
      exit: 1,
      message: "is a directory, expected a file",
    },
    { name: "eval of a text file", args: ["eval", "--model", GARBAGE], exit: 1, message: "header length" },
    {
      name: "eval of a truncated model",
      args: ["eval", "--model", TRUNCATED],
      exit: 1,
      message: "run past the 16 bytes of data",
    },
    {
      name: "eval of a header that is not JSON",
      args: ["eval", "--model", NOT_JSON],
      exit: 1,
      message: "the header is not valid JSON",
    },
    {
      name: "eval of an unsupported dtype",
      args: ["eval", "--model", BAD_DTYPE],
      exit: 1,
      message: 'dtype "BF16" is not supported',
    },
    {
      name: "eval of a model listing W1 twice (defect 10)",
      args: ["eval", "--model", DUPLICATE],
      exit: 1,
      message: 'lists the key "W1" twice',
    },
    {
      name: "eval of a model with a tensor named __proto__ (defect 10)",
      args: ["eval", "--model", PROTO],
      exit: 1,
      message: "__proto__",
    },
    {
      name: "eval of a header length above 2^53 (defect 10)",
      args: ["eval", "--model", HUGE_HEADER],
      exit: 1,
      message: "header length 9007199254740993 exceeds",
    },
    {
      name: "eval of a million empty tensors (defect 10)",
      args: ["eval", "--model", MANY],
      exit: 1,
      message: "more than 100000 entries",
    },
    {
      name: "eval of a model holding NaN (defect 3)",
      args: ["eval", "--model", NAN_MODEL, "--data", "csv", "--test", OK],
      exit: 1,
      message: "NaN",
    },
    {
      name: "eval of parameters that do not fit together",
      args: ["eval", "--model", WRONG_SHAPES, "--data", "csv", "--test", OK],
      exit: 1,
      message: "W1",
    },
    {
      name: "eval of a model missing parameters",
      args: ["eval", "--model", ONLY_ONE, "--data", "csv", "--test", OK],
      exit: 1,
      message: "b1",
    },
    {
      name: "eval on test rows of another width",
      args: ["eval", "--model", GOOD_MODEL, "--data", "csv", "--test", OK3, "--backend", "cpu"],
      exit: 1,
      message: /3 features|feature|input/,
    },
    {
      name: "eval on a CSV label the model cannot predict",
      args: ["eval", "--model", GOOD_MODEL, "--data", "csv", "--test", MILLION_LABEL, "--backend", "cpu"],
      exit: 1,
      message: "label 1000000 is beyond the limit",
    },
    {
      name: "predict past the last test row",
      args: ["predict", "--model", GOOD_MODEL, "--data", "csv", "--test", OK, "--index", "5", "--backend", "cpu"],
      exit: 2,
      message: "--index 5 is past the last test image (4)",
    },
  ]),

  // issue 20: files you did not write (the architecture in a model's metadata, edited)
  ...cliClass("files you did not write", [
    {
      name: "eval of a TwoLayerNet kind over MultiLayerNetExtend layers (issue 20, defect 3)",
      args: ["eval", "--model", KIND_LIES, "--data", "csv", "--test", OK, "--backend", "cpu"],
      exit: 1,
      message:
        'kind TwoLayerNet with this config has layers[1] = {"name":"Relu1","type":"Relu"}, but the layer list has',
    },
    {
      name: "eval of a negative BatchNorm running variance (issue 20, defect 4)",
      args: ["eval", "--model", NEGATIVE_VARIANCE, "--data", "csv", "--test", OK, "--backend", "cpu"],
      exit: 1,
      message: "runningVar1 holds -5 at flat index 0; a running variance is never negative",
    },
    {
      name: "eval of weights scaled by 1e306, finite but overflowing (issue 20, defect 4)",
      args: ["eval", "--model", OVERFLOWING, "--data", "csv", "--test", OK, "--backend", "cpu"],
      exit: 1,
      message:
        /eval: .*overflowing.safetensors: the model's score of class \d for test row 0 is (-?Infinity|NaN); its weights overflow/,
    },
    {
      name: "predict --json of weights scaled by 1e306 (issue 20, defect 4)",
      args: ["predict", "--model", OVERFLOWING, "--data", "csv", "--test", OK, "--json", "--backend", "cpu"],
      exit: 1,
      message: "its weights overflow (expected finite scores)",
    },
    {
      name: "eval of 20 000 Relu layers (issue 20, defect 5)",
      args: ["eval", "--model", MANY_LAYERS, "--data", "csv", "--test", OK, "--backend", "cpu"],
      exit: 1,
      message: "layers lists 20003 layers, more than the limit of 1000",
    },
    {
      name: "eval of two layers named Affine1 (issue 20, defect 11)",
      args: ["eval", "--model", DUPLICATE_LAYERS, "--data", "csv", "--test", OK, "--backend", "cpu"],
      exit: 1,
      message: 'layers[3] is named "Affine1" like an earlier layer; layer names must be unique',
    },
    {
      name: 'eval of a model whose metadata delimiter is "ab" (issue 20, defect 10)',
      args: ["eval", "--model", BAD_DELIMITER, "--test", OK, "--backend", "cpu"],
      exit: 1,
      message:
        'bad-delimiter.safetensors: the model\'s metadata holds delimiter "ab"; expected one character or "tab" (or give --delimiter to override it)',
    },
    {
      name: "eval of a model whose metadata scale is -1 (issue 20, defect 10)",
      args: ["eval", "--model", BAD_SCALE, "--test", OK, "--backend", "cpu"],
      exit: 1,
      message: 'the model\'s metadata holds scale "-1"; expected a number > 0',
    },
    {
      name: "eval of a conv model on rows of 2 features (issue 20, defect 14)",
      args: ["eval", "--model", CONV_MODEL, "--test", OK, "--backend", "cpu"],
      exit: 1,
      message: "the model takes 16 features (1x4x4 images) but",
    },
    {
      name: "filters --model of a conv net whose config says inputDim [4, 4, 4] (issue 20, defect 2)",
      args: ["filters", "--model", CONV_OTHER_GEOMETRY, "--out", "f.svg"],
      exit: 1,
      message: "kind SimpleConvNet with this config has W1 of shape [2, 4, 3, 3], but paramShapes says [2,1,3,3]",
    },
    {
      name: "filters --model of a conv net whose config says hiddenSize 200000 (issue 20, defect 2)",
      args: ["filters", "--model", CONV_HUGE_HIDDEN, "--out", "f.svg"],
      exit: 1,
      message: "kind SimpleConvNet with this config has W2 of shape [2, 200000], but paramShapes says [2,3]",
    },
  ]),

  // issue 20: resources sized from input, estimated before anything is allocated
  ...cliClass("resources sized from input", [
    {
      name: "train --net simple-conv --hidden 100000 (issue 20, defect 1)",
      args: [
        "train",
        "--net",
        "simple-conv",
        "--hidden",
        "100000",
        "--train-size",
        "500",
        "--test-size",
        "200",
        "--iters",
        "1",
        "--backend",
        "cpu",
        "--max-memory",
        "8G",
      ],
      exit: 1,
      message:
        /train: training SimpleConvNet 1x28x28-conv30x5x5-pool2x2-100000-10 with batch 100 needs about \d+(\.\d)? GiB of memory \(optimizer state .*\), more than the limit of 8\.0 GiB \(--max-memory\)/,
    },
    {
      name: "train --net simple-conv --batch 2 on a 1 000 000-column CSV (issue 20, defect 1)",
      args: [
        "train",
        "--data",
        "csv",
        "--train",
        WIDE,
        "--test",
        WIDE,
        "--net",
        "simple-conv",
        "--batch",
        "2",
        "--backend",
        "cpu",
        "--max-memory",
        "8G",
      ],
      exit: 1,
      message: /training SimpleConvNet 1x1000x1000-conv30x5x5-pool2x2-100-2 with batch 2 needs about \d+(\.\d)? GiB/,
    },
    {
      name: "train four hidden layers of 100000 under the machine's own limit (issue 20, defect 1)",
      args: ["train", "--net", "multi", "--hidden", "100000,100000,100000,100000", "--backend", "cpu"],
      exit: 1,
      message:
        /needs about [\d.]+ [GT]iB of memory .* \(two thirds of the (memory available now|cgroup memory limit), .*; set another with --max-memory\)/,
    },
    {
      name: "eval under --max-memory 1M: refused before the file is read",
      args: ["eval", "--model", GOOD_MODEL, "--data", "csv", "--test", OK, "--backend", "cpu", "--max-memory", "1M"],
      exit: 1,
      message:
        /eval: reading .*good\.safetensors needs about [\d.]+ MiB of memory \(runtime .*\), more than the limit of 1\.0 MiB \(--max-memory\)/,
    },
    {
      name: "filters --model under --max-memory 1M",
      args: ["filters", "--model", CONV_MODEL, "--out", "f.svg", "--max-memory", "1M"],
      exit: 1,
      message: "more than the limit of 1.0 MiB (--max-memory)",
    },
    {
      name: "gradcheck under --max-memory 1M",
      args: ["gradcheck", "--data", "csv", "--train", OK, "--test", OK, "--backend", "cpu", "--max-memory", "1M"],
      exit: 1,
      message: /gradcheck: checking TwoLayerNet 2-50-3 on 3 rows needs about [\d.]+ MiB/,
    },
  ]),

  // issue 20: options a command does not use are refused by name
  ...cliClass("options spelled wrong or out of range", [
    {
      name: "gradcheck --net simple-conv --dir /nonexistent (issue 20, defect 6)",
      args: ["gradcheck", "--net", "simple-conv", "--dir", "/nonexistent"],
      exit: 2,
      message: "--dir is not used by gradcheck --net simple-conv",
    },
    {
      name: "gradcheck --net simple-conv --data csv --train /nonexistent.csv (issue 20, defect 6)",
      args: ["gradcheck", "--net", "simple-conv", "--data", "csv", "--train", "/nonexistent.csv"],
      exit: 2,
      message: "--data, --train are not used by gradcheck --net simple-conv",
    },
    {
      name: "gradcheck --net simple-conv --hidden 5",
      args: ["gradcheck", "--net", "simple-conv", "--hidden", "5"],
      exit: 2,
      message: "--hidden is not used by gradcheck --net simple-conv",
    },
    {
      name: "train --scale 3 with MNIST (a CSV option that would do nothing)",
      args: ["train", "--scale", "3"],
      exit: 2,
      message: "--scale describes CSV files and would do nothing with --data mnist; add --data csv",
    },
    {
      name: "eval --train (eval reads the test set only)",
      args: ["eval", "--model", GOOD_MODEL, "--data", "csv", "--train", OK, "--test", OK],
      exit: 2,
      message: "--train is not used here: eval and predict read the test set only",
    },
    {
      name: "gradcheck --net simple-conv --scale 3 --label-column 1",
      args: ["gradcheck", "--net", "simple-conv", "--scale", "3", "--label-column", "1"],
      exit: 2,
      message: "--scale, --label-column are not used by gradcheck --net simple-conv",
    },
    {
      name: "filters --out x.png (issue 20, defect 6)",
      args: ["filters", "--out", "x.png"],
      exit: 2,
      message: '--out writes an SVG file: give a name ending in .svg, got "x.png"',
    },
    {
      name: "--max-memory 12parsecs",
      args: ["train", ...small, "--max-memory", "12parsecs"],
      exit: 2,
      message: "--max-memory must be a size",
    },
  ]),

  // issue 20: divergence hints name the likely cause
  ...cliClass("numbers that overflow", [
    {
      name: "--init 1e300 blames the initial weights (issue 20, defect 9)",
      args: ["train", ...small, "--init", "1e300"],
      exit: 1,
      output: true,
      message:
        /diverged.*initial weights of standard deviation 1e\+300 \(--init\/--weight-init-std\) give scores that overflow; try 0\.01$/,
    },
    {
      name: "--weight-decay 1e308 blames the weight decay (issue 20, defect 9)",
      args: ["train", ...small, "--net", "multi", "--hidden", "3", "--weight-decay", "1e308"],
      exit: 1,
      output: true,
      message: /diverged.*--weight-decay 1e\+308 with lr 0\.1 scales the weights by 1 - lr x lambda/,
    },
  ]),
];

interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  cwd: string;
}

/** Longest a case may run before it is killed (and fails): the catalogue's time bound. */
const CASE_LIMIT_MS = 30_000;

function run(args: string[], cwd: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const options: SpawnOptions = {
      cwd,
      env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      timeout: CASE_LIMIT_MS,
    };
    const child = spawn(process.execPath, [BIN, ...args], options);
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d) => {
      stdout += String(d);
    });
    child.stderr?.on("data", (d) => {
      stderr += String(d);
    });
    child.on("error", reject);
    child.on("close", (status, signal) => resolve({ status, signal, stdout, stderr, cwd }));
  });
}

/** Every file and folder under `dir`, as relative paths, sorted. */
function listing(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix === "" ? e.name : `${prefix}/${e.name}`;
    out.push(rel);
    if (e.isDirectory()) out.push(...listing(join(dir, e.name), rel));
  }
  return out.sort();
}

const results = new Map<string, Ran>();
let fixturesBefore: string[] = [];

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: build the CLI (pnpm turbo run build --filter @bp/cli...)`);
  // A good 2-3-3 model for the eval/predict cases.
  const made = await run(["train", ...small, "--hidden", "3", "--save", GOOD_MODEL], fx);
  if (made.status !== 0) throw new Error(`could not train the model the catalogue needs: ${made.stderr}`);
  fixturesBefore = listing(fx);
  // Three processes at a time: the machine has two cores and most of a case is start-up.
  const queue = cliCases.map((c, i) => ({ c, i }));
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const cwd = join(root, `case-${next.i}`);
      mkdirSync(cwd);
      for (const [name, content] of Object.entries(next.c.before ?? {})) {
        mkdirSync(join(cwd, name, ".."), { recursive: true });
        writeFileSync(join(cwd, name), content);
      }
      results.set(next.c.name, await run(next.c.args, cwd));
    }
  };
  await Promise.all([worker(), worker(), worker()]);
}, 600_000);

/** Exactly one line on stderr, "bp: ...", with no stack trace and no internal error. */
function expectOneLine(stderr: string, message: string | RegExp): void {
  const lines = stderr.trimEnd().split("\n");
  expect(lines, stderr).toHaveLength(1);
  const line = lines[0]!;
  expect(line.startsWith("bp: "), line).toBe(true);
  expect(line).not.toContain("internal error");
  // BpError cuts messages at MAX_ERROR_MESSAGE (1000) characters; "bp: " and a path may add a little.
  expect(line.length, "a short message").toBeLessThan(1100);
  expect(stderr).not.toMatch(/\n\s+at /);
  if (typeof message === "string") expect(line).toContain(message);
  else expect(line).toMatch(message);
}

describe("the catalogue: bp on bad input", () => {
  for (const c of cliCases) {
    it(`[${c.class}] ${c.name}: exit ${c.exit}, one line, nothing left behind`, () => {
      const r = results.get(c.name)!;
      expect(r.signal, `killed after ${CASE_LIMIT_MS} ms?`).toBe(null);
      expect(r.status, r.stderr).toBe(c.exit);
      expectOneLine(r.stderr, c.message);
      if (c.output !== true) expect(r.stdout).toBe("");
      expect(listing(r.cwd)).toEqual((c.leaves ?? []).sort());
    });
  }

  it("left the input files as they were", () => {
    expect(listing(fx)).toEqual(fixturesBefore);
  });
});

// ---- the libraries --------------------------------------------------------------------------

type ErrorClass = abstract new (...args: never[]) => BpError;

interface LibCase {
  class?: CaseClass;
  name: string;
  fn: () => unknown;
  type: ErrorClass;
  /** The error's op, which starts its message. */
  op: string;
  message: string | RegExp;
}

const libDir = join(root, "library");
mkdirSync(libDir);
const two = tensor([
  [1, 2],
  [3, 4],
]);
const gzBomb = BOMB;

const libCases: LibCase[] = [
  // @bp/tensor: shapes and sizes (defect 7)
  ...libClass("resources sized from input", [
    {
      name: "zeros([1e6, 1e6])",
      fn: () => zeros([1e6, 1e6]),
      type: ShapeError,
      op: "zeros",
      message: "shape [1000000, 1000000] has 1000000000000 elements",
    },
    {
      name: "full([2**53], 0)",
      fn: () => full([2 ** 53], 0),
      type: ShapeError,
      op: "full",
      message: "more than a tensor can hold",
    },
    {
      name: "arange(0, 1e12)",
      fn: () => arange(0, 1e12),
      type: ShapeError,
      op: "arange",
      message: "shape [1000000000000]",
    },
    {
      name: "new TwoLayerNet(1e6, 1e6, 2)",
      fn: () => new TwoLayerNet(1e6, 1e6, 2),
      type: ShapeError,
      op: "randn",
      message: "shape [1000000, 1000000]",
    },
    {
      name: "a broadcast of 2^34 elements",
      fn: () => zeros([2 ** 17, 1]).add(zeros([1, 2 ** 17])),
      type: ShapeError,
      op: "add",
      message: "17179869184 elements",
    },
    {
      name: "zeros([2**32]) (32 GiB)",
      fn: () => zeros([2 ** 32]),
      type: ValueError,
      op: "zeros",
      message: "cannot allocate shape [4294967296]",
    },
    {
      name: "zeros([-1])",
      fn: () => zeros([-1]),
      type: ShapeError,
      op: "zeros",
      message: "must hold non-negative integers",
    },
    { name: "zeros([1.5])", fn: () => zeros([1.5]), type: ShapeError, op: "zeros", message: "[1.5]" },
  ]),
  // @bp/tensor: arguments of the wrong kind (defect 8)
  ...libClass("arguments of the wrong kind", [
    {
      name: "matmul(3)",
      fn: () => two.matmul(3 as never),
      type: ValueError,
      op: "matmul",
      message: "b must be a 2-d Tensor, got number 3",
    },
    {
      name: "zeros('abc')",
      fn: () => zeros("abc" as never),
      type: ShapeError,
      op: "zeros",
      message: 'got string "abc"',
    },
    {
      name: "add([1, 2])",
      fn: () => two.add([1, 2] as never),
      type: ValueError,
      op: "add",
      message: "wrap it with tensor(...)",
    },
    { name: "reshape(4)", fn: () => two.reshape(4 as never), type: ShapeError, op: "reshape", message: "got number 4" },
    { name: "gather(5)", fn: () => two.gather(5 as never), type: IndexError, op: "gather", message: "got number 5" },
    {
      name: "full([2], 'x')",
      fn: () => full([2], "x" as never),
      type: ValueError,
      op: "full",
      message: "value must be a number",
    },
    {
      name: "tensor('abc')",
      fn: () => tensor("abc" as never),
      type: ValueError,
      op: "tensor",
      message: "expected a number",
    },
    {
      name: "tensor of ragged arrays",
      fn: () => tensor([[1, 2], [3]]),
      type: ShapeError,
      op: "tensor",
      message: "ragged",
    },
    {
      name: "an int32 tensor of 1.5",
      fn: () => tensor([1.5], { dtype: "int32" }),
      type: ValueError,
      op: "tensor",
      message: "int32",
    },
    {
      name: "dtype float16",
      fn: () => zeros([2], { dtype: "float16" as never }),
      type: DTypeError,
      op: "tensor",
      message: "unknown dtype float16",
    },
    {
      name: "matmul of int32",
      fn: () =>
        tensor(Int32Array.of(1))
          .reshape([1, 1])
          .matmul(tensor(Int32Array.of(1)).reshape([1, 1])),
      type: DTypeError,
      op: "matmul",
      message: "int32",
    },
    {
      name: "matmul with inner dimensions 783 and 784",
      fn: () => ones([100, 783]).matmul(ones([784, 50])),
      type: ShapeError,
      op: "matmul",
      message: "inner dimensions 783 and 784",
    },
    {
      name: "a broadcast mismatch",
      fn: () => ones([2, 3]).add(ones([2])),
      type: ShapeError,
      op: "add",
      message: "do not broadcast",
    },
    {
      name: "mixing float32 and float64",
      fn: () => ones([2]).add(ones([2], { dtype: "float32" })),
      type: DTypeError,
      op: "add",
      message: "different dtypes",
    },
    { name: "sum along axis 5", fn: () => two.sum(5), type: ShapeError, op: "sum", message: "axis 5 is out of range" },
    {
      name: "mean of an empty tensor",
      fn: () => zeros([0]).mean(),
      type: ShapeError,
      op: "mean",
      message: "zero elements",
    },
    { name: "get(9, 9)", fn: () => two.get(9, 9), type: IndexError, op: "get", message: "index 9 is out of range" },
    { name: "gather of row 7", fn: () => two.gather([7]), type: IndexError, op: "gather", message: "row 7" },
    {
      name: "oneHot(0)",
      fn: () => tensor(Int32Array.of(1)).oneHot(0),
      type: ValueError,
      op: "oneHot",
      message: "depth",
    },
    {
      name: "oneHot of class 3 with depth 2",
      fn: () => tensor(Int32Array.of(3)).oneHot(2),
      type: IndexError,
      op: "oneHot",
      message: "class index 3",
    },
    { name: "item() of 4 values", fn: () => two.item(), type: ShapeError, op: "item", message: "exactly one element" },
    {
      name: "reshape to 3 elements",
      fn: () => two.reshape([3]),
      type: ShapeError,
      op: "reshape",
      message: "cannot reshape [2, 2]",
    },
    {
      name: "transpose([0, 0])",
      fn: () => two.transpose([0, 0]),
      type: ShapeError,
      op: "transpose",
      message: "repeats axis 0",
    },
    {
      name: "assign of another shape",
      fn: () => two.clone().assign(ones([3])),
      type: ShapeError,
      op: "assign",
      message: "source has shape [3]",
    },
    { name: "arange with step 0", fn: () => arange(0, 1, 0), type: ValueError, op: "arange", message: "non-zero step" },
  ]),
  // @bp/tensor: seeds (defect 9)
  ...libClass("options spelled wrong or out of range", [
    {
      name: "randn seed 1.5",
      fn: () => randn([2], { seed: 1.5 }),
      type: ValueError,
      op: "randn",
      message: "seed must be an integer in [0, 2^53), got 1.5",
    },
    { name: "randn seed -1", fn: () => randn([2], { seed: -1 }), type: ValueError, op: "randn", message: "got -1" },
    { name: "new Rng(NaN)", fn: () => new Rng(Number.NaN), type: ValueError, op: "Rng", message: "got NaN" },
    {
      name: "randn std NaN",
      fn: () => randn([2], { std: Number.NaN }),
      type: ValueError,
      op: "randn",
      message: "std must be a finite number",
    },
    { name: "Rng.int(0)", fn: () => new Rng(1).int(0), type: ValueError, op: "Rng.int", message: "got 0" },
  ]),
  // @bp/nets: 0 rows (defect 4) and divergence (defect 3)
  ...libClass("empty input and overflow", [
    {
      name: "net.loss on 0 rows",
      fn: () => new TwoLayerNet(2, 3, 2).loss(zeros([0, 2]), tensor(new Int32Array(0))),
      type: ValueError,
      op: "TwoLayerNet.loss",
      message: "0 rows",
    },
    {
      name: "net.accuracy on 0 rows",
      fn: () => new TwoLayerNet(2, 3, 2).accuracy(zeros([0, 2]), tensor(new Int32Array(0))),
      type: ValueError,
      op: "TwoLayerNet.accuracy",
      message: "0 rows",
    },
    {
      name: "TwoLayerNet(0, 3, 2)",
      fn: () => new TwoLayerNet(0, 3, 2),
      type: ValueError,
      op: "TwoLayerNet",
      message: "inputSize must be a positive integer",
    },
    {
      name: "net.predict of the wrong width",
      fn: () => new TwoLayerNet(3, 2, 2).predict(ones([1, 2])),
      type: ShapeError,
      op: "Affine.forward",
      message: "x has shape [1, 2] but W has shape [3, 2]",
    },
    {
      name: "a Trainer with lr 1e300 (divergence)",
      fn: () =>
        new Trainer(
          new TwoLayerNet(2, 4, 2, { weightInitStd: 1 }),
          {
            xTrain: tensor([
              [1, 2],
              [3, 4],
            ]),
            tTrain: tensor(Int32Array.of(0, 1)),
            xTest: tensor([[1, 2]]),
            tTest: tensor(Int32Array.of(0)),
          },
          { miniBatchSize: 2, iterations: 5, optimizerParams: { lr: 1e300 } },
        ).train(),
      type: DivergenceError,
      op: "Trainer.trainStep",
      message: /training diverged at iteration \d+: \w+ is (NaN|-?Infinity)/,
    },
  ]),
  // @bp/data: IDX
  ...libClass("files you did not write", [
    {
      name: "parseIdx of 2 bytes",
      fn: () => parseIdx(Uint8Array.of(0, 0), "a.idx"),
      type: DataError,
      op: "parseIdx",
      message: "too short for the 4-byte IDX magic number",
    },
    {
      name: "parseIdx of type code 0x0a",
      fn: () => parseIdx(Uint8Array.of(0, 0, 0x0a, 1, 0, 0, 0, 0), "a.idx"),
      type: DataError,
      op: "parseIdx",
      message: "unknown IDX type code 0x0a",
    },
    {
      name: "parseIdx of 0 dimensions",
      fn: () => parseIdx(Uint8Array.of(0, 0, 8, 0), "a.idx"),
      type: DataError,
      op: "parseIdx",
      message: "0 dimensions",
    },
    {
      name: "parseIdx with trailing bytes",
      fn: () => parseIdx(concat(idxHeader([1]), Uint8Array.of(1, 2)), "a.idx"),
      type: DataError,
      op: "parseIdx",
      message: "there are trailing bytes",
    },
    {
      name: "parseIdx of gzip bytes",
      fn: () => parseIdx(gzBomb, "a.gz"),
      type: DataError,
      op: "parseIdx",
      message: "gzip-compressed",
    },
    {
      name: "gunzipIdx of a bomb (defect 5)",
      fn: () => gunzipIdx(gzBomb, "bomb.gz"),
      type: DataError,
      op: "readIdxFile",
      message: "decompresses to more than the 24 bytes",
    },
    {
      name: "readIdxFile of a missing file",
      fn: () => readIdxFile(join(libDir, "none")),
      type: DataError,
      op: "readIdxFile",
      message: "file not found",
    },
    {
      name: "loadMnist of a missing folder",
      fn: () => loadMnist({ dir: join(libDir, "none") }),
      type: DataError,
      op: "loadMnist",
      message: "does not exist",
    },
  ]),
  // @bp/data: CSV
  ...libClass("files you did not write", [
    {
      name: "parseCsv of a label 2147483647 (defect 1)",
      fn: () => parseCsv("0,1\n2147483647,2\n", { name: "t.csv" }),
      type: DataError,
      op: "parseCsv",
      message: "t.csv, line 2, column 1: label 2147483647 is beyond the limit of 10000 classes",
    },
    {
      name: "parseCsv with maxClasses 0",
      fn: () => parseCsv("0,1\n", { maxClasses: 0 }),
      type: DataError,
      op: "parseCsv",
      message: "maxClasses",
    },
    {
      name: "parseCsv with divideBy 0",
      fn: () => parseCsv("0,1\n", { divideBy: 0 }),
      type: DataError,
      op: "parseCsv",
      message: "divideBy",
    },
    {
      name: "parseCsv with delimiter ''",
      fn: () => parseCsv("0,1\n", { delimiter: "" }),
      type: DataError,
      op: "parseCsv",
      message: "delimiter",
    },
    {
      name: "parseCsv of a 100 000-character cell",
      fn: () => parseCsv(`label,a\n0,${"x".repeat(100_000)}\n`),
      type: DataError,
      op: "parseCsv",
      message: /"x{59}\.\.\. is not a number/,
    },
    {
      name: "parseCsv of a number",
      fn: () => parseCsv(42 as never),
      type: DataError,
      op: "parseCsv",
      message: "expected the CSV text as a string",
    },
    {
      name: "loadCsv of a missing file",
      fn: () => loadCsv(join(libDir, "none.csv")),
      type: DataError,
      op: "loadCsv",
      message: "file not found",
    },
  ]),
  // @bp/data: safetensors (defect 10)
  ...libClass("files you did not write", [
    {
      name: "decodeSafetensors of duplicate keys",
      fn: () => decodeSafetensors(stFile(`{"a":${w(0)},"a":${w(8)}}`, f64(1, 2))),
      type: DataError,
      op: "decodeSafetensors",
      message: 'lists the key "a" twice',
    },
    {
      name: "decodeSafetensors of duplicate metadata keys",
      fn: () => decodeSafetensors(stFile('{"__metadata__":{"k":"1","k":"2"}}')),
      type: DataError,
      op: "decodeSafetensors",
      message: 'lists the key "k" twice',
    },
    {
      name: "decodeSafetensors of 100 001 entries",
      fn: () => decodeSafetensors(stFile(`{${Array.from({ length: 100_001 }, (_, i) => `"t${i}":0`).join(",")}}`)),
      type: DataError,
      op: "decodeSafetensors",
      message: "more than 100000 entries",
    },
    {
      name: "decodeSafetensors of a 2^64 - 1 header length",
      fn: () => decodeSafetensors(stFile("{}", new Uint8Array(0), 2n ** 64n - 1n)),
      type: DataError,
      op: "decodeSafetensors",
      message: "header length 18446744073709551615 exceeds",
    },
    {
      name: "decodeSafetensors of dtype 'constructor'",
      fn: () => decodeSafetensors(stFile('{"w":{"dtype":"constructor","shape":[1],"data_offsets":[0,8]}}', f64(1))),
      type: DataError,
      op: "decodeSafetensors",
      message: 'dtype "constructor" is not supported',
    },
    {
      name: "decodeSafetensors of overlapping tensors",
      fn: () => decodeSafetensors(stFile(`{"a":${w(0)},"b":${w(0)}}`, f64(1))),
      type: DataError,
      op: "decodeSafetensors",
      message: "overlap",
    },
    {
      name: "decodeSafetensors of a 7-byte file",
      fn: () => decodeSafetensors(new Uint8Array(7)),
      type: DataError,
      op: "decodeSafetensors",
      message: "too short for the 8-byte header length",
    },
    {
      name: "encodeSafetensors of a number",
      fn: () => encodeSafetensors({ W: 3 as never }),
      type: DataError,
      op: "encodeSafetensors",
      message: '"W" is not a Tensor',
    },
    {
      name: "encodeSafetensors of non-string metadata",
      fn: () => encodeSafetensors({}, { epochs: 2 as never }),
      type: DataError,
      op: "encodeSafetensors",
      message: "metadata holds strings only",
    },
    {
      name: "loadSafetensors of a missing file",
      fn: () => loadSafetensors(join(libDir, "none.safetensors")),
      type: DataError,
      op: "loadSafetensors",
      message: "file not found",
    },
  ]),
  // @bp/data: saving (defects 2, 6)
  ...libClass("output paths", [
    {
      name: "saveSafetensors inside a regular file",
      fn: () => saveSafetensors(join(REGULAR, "m.safetensors"), { W: two }),
      type: DataError,
      op: "saveSafetensors",
      message: "is a file, not a folder",
    },
    {
      name: "saveSafetensors over a folder",
      fn: () => saveSafetensors(libDir, { W: two }),
      type: DataError,
      op: "saveSafetensors",
      message: "is a folder",
    },
    {
      name: "checkSaveTarget of /dev/null (only looks, writes nothing)",
      fn: () => checkSaveTarget("/dev/null"),
      type: DataError,
      op: "checkSaveTarget",
      message: "is a device, not a regular file",
    },
    {
      name: "checkSaveTarget in a missing folder",
      fn: () => checkSaveTarget(join(libDir, "no", "m.safetensors")),
      type: DataError,
      op: "checkSaveTarget",
      message: "the folder does not exist",
    },
  ]),
  // @bp/data: minibatches
  ...libClass("options spelled wrong or out of range", [
    {
      name: "sampleMinibatch of 0 rows",
      fn: () => sampleMinibatch(zeros([3, 2]), tensor(Int32Array.of(0, 1, 2)), 0, new Rng(1)),
      type: BpError,
      op: "sampleMinibatch",
      message: "batch",
    },
  ]),
  ...libClass("options spelled wrong or out of range", [
    {
      name: "Trainer { epoch: 3 } (issue 20, defect 6)",
      fn: () =>
        new Trainer(new TwoLayerNet(2, 2, 2), { xTrain: two, tTrain: two, xTest: two, tTest: two }, {
          epoch: 3,
        } as never),
      type: ValueError,
      op: "Trainer",
      message: "unknown option epoch (did you mean epochs?)",
    },
    {
      name: 'Trainer { sampling: "foo" } (issue 20, defect 6)',
      fn: () =>
        new Trainer(
          new TwoLayerNet(2, 2, 2),
          { xTrain: two, tTrain: two, xTest: two, tTest: two },
          { sampling: "foo" as never },
        ),
      type: ValueError,
      op: "Trainer",
      message: 'sampling must be "choice" or "epoch", got string "foo"',
    },
  ]),
  ...libClass("arguments of the wrong kind", [
    {
      name: 'decodeNet("a string") (issue 20, defect 8)',
      fn: () => decodeNet("a string" as never),
      type: ValueError,
      op: "decodeNet",
      message: 'bytes must be a Uint8Array (a file\'s contents), got string "a string"',
    },
    {
      name: "decodeNet(null) (issue 20, defect 8)",
      fn: () => decodeNet(null as never),
      type: ValueError,
      op: "decodeNet",
      message: "bytes must be a Uint8Array (a file's contents), got null",
    },
    {
      name: 'decodeNet(bytes, { backend: "cpu" }) (issue 20, defect 8)',
      fn: () => decodeNet(encodeNet(new TwoLayerNet(2, 2, 2)), { backend: "cpu" as never }),
      type: ValueError,
      op: "decodeNet",
      message:
        'options.backend must be a Backend object (cpu, or one made by createWasmBackend/createWorkerBackend), got string "cpu"',
    },
  ]),
];

describe("the catalogue: the libraries on bad input", () => {
  for (const c of libCases) {
    it(`[${c.class}] ${c.name}: ${c.type.name} from ${c.op}, one line`, () => {
      let caught: unknown;
      try {
        c.fn();
      } catch (e) {
        caught = e;
      }
      expect(caught, "expected an error").toBeInstanceOf(c.type);
      const e = caught as BpError;
      expect(e.op).toBe(c.op);
      expect(e.message.startsWith(`${c.op}: `), e.message).toBe(true);
      expect(e.message).not.toContain("\n");
      expect(e.message.length).toBeLessThan(400);
      if (typeof c.message === "string") expect(e.message).toContain(c.message);
      else expect(e.message).toMatch(c.message);
    });
  }

  it("left no file behind in the library cases' folder", () => {
    expect(listing(libDir)).toEqual([]);
    expect(listing(fx)).toEqual(fixturesBefore);
  });
});

// ---- files you did not write: the architecture JSON, fuzzed field by field (issue 20) --------

/** Every path into a JSON value (object keys and array indices), the root excluded. */
function jsonPaths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof v !== "object" || v === null) return [];
  const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
  return entries.flatMap(([k, x]) => [[...prefix, k], ...jsonPaths(x, [...prefix, k])]);
}

/** Values a mutation writes: wrong types, huge and fractional numbers, empty containers. */
const FUZZ_VALUES: unknown[] = [
  null,
  true,
  "",
  "x",
  "Relu",
  -1,
  0,
  0.5,
  1.5,
  3,
  1e308,
  2 ** 31,
  2 ** 53,
  [],
  {},
  [1],
  [1, 2, 3],
  { a: 1 },
];

interface Mutation {
  sample: number;
  path: number;
  op: "delete" | "set" | "add";
  value: number;
}
const mutation = fc.record({
  sample: fc.nat(2),
  path: fc.nat(),
  op: fc.constantFrom("delete" as const, "set" as const, "add" as const),
  value: fc.nat(FUZZ_VALUES.length - 1),
});

/** The nets whose saved files are mutated: a TwoLayerNet, a MultiLayerNetExtend with BatchNorm and
 * Dropout, a SimpleConvNet. */
const FUZZ_SAMPLES = [
  decodeSafetensors(encodeNet(new TwoLayerNet(2, 3, 3), { data: "csv", scale: "1" })),
  decodeSafetensors(
    encodeNet(new MultiLayerNetExtend(2, [3, 3], 3, { useBatchnorm: true, useDropout: true }), {
      data: "csv",
      scale: "1",
    }),
  ),
  decodeSafetensors(encodeNet(smallConv(), { data: "csv", scale: "1" })),
];

/** The architecture JSON of a sample with one mutation applied. */
function mutated(m: Mutation): { architecture: Record<string, unknown>; bytes: Uint8Array; what: string } {
  const saved = FUZZ_SAMPLES[m.sample]!;
  const a = JSON.parse(saved.metadata.architecture!) as Record<string, unknown>;
  const paths = jsonPaths(a);
  const path = paths[m.path % paths.length]!;
  let parent: Record<string | number, unknown> = a;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const key = path.at(-1)!;
  const value = structuredClone(FUZZ_VALUES[m.value]);
  if (m.op === "delete") {
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else delete parent[key];
  } else if (m.op === "set") parent[key] = value;
  else if (Array.isArray(parent)) parent.push(value);
  else parent[`extra${String(key)}`] = value;
  const what = `${m.op} ${path.join(".")}${m.op === "delete" ? "" : ` = ${JSON.stringify(value)}`}`;
  const bytes = encodeSafetensors(saved.tensors, { ...saved.metadata, architecture: JSON.stringify(a) });
  return { architecture: a, bytes, what };
}

/** JSON with sorted keys, to compare layer lists whatever their key order. */
const canonical = (v: unknown): string =>
  JSON.stringify(v, (_, x: unknown) =>
    typeof x === "object" && x !== null && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => p.localeCompare(q)))
      : x,
  );

describe("the catalogue: architecture JSON fuzzed field by field (files you did not write)", () => {
  it("decodeNet either refuses with a one-line BpError or loads exactly the layers in the file (400 seeded mutations)", () => {
    let refused = 0;
    fc.assert(
      fc.property(mutation, (m) => {
        const { architecture, bytes, what } = mutated(m);
        let loaded: ReturnType<typeof decodeNet>;
        try {
          loaded = decodeNet(bytes, { name: "fuzzed.safetensors" });
        } catch (e) {
          refused++;
          expect(e, what).toBeInstanceOf(BpError);
          const message = (e as Error).message;
          expect(message.startsWith("decodeNet: fuzzed.safetensors: "), `${what}: ${message}`).toBe(true);
          expect(message, what).not.toContain("\n");
          expect(message.length, what).toBeLessThan(1100);
          return;
        }
        // A file that loads is the net it describes: same kind, same layers, same shapes.
        const d = loaded.net.describe();
        expect(d.kind, what).toBe(architecture.kind);
        expect(canonical(d.layers), what).toBe(canonical(architecture.layers));
        expect(d.paramShapes, what).toEqual(architecture.paramShapes);
      }),
      { seed: 20, numRuns: 400 },
    );
    // Most mutations break the file; a few (a seed, an extra config key) are harmless.
    expect(refused).toBeGreaterThan(200);
  });

  /** A few of the same mutations, through the CLI: exit 0 or 1 with one line, never a stack. */
  const cliFuzz = fc
    .sample(mutation, { seed: 21, numRuns: 12 })
    .map((m, i) => ({ m, what: mutated(m).what, file: join(root, `fuzzed-${i}.safetensors`) }));
  it.each(cliFuzz)("bp eval of a mutated file ($what): exit 0 or one line and exit 1", async ({ m, file }) => {
    writeFileSync(file, mutated(m).bytes);
    const cwd = mkdtempSync(join(root, "fuzz-"));
    const r = await run(["eval", "--model", file, "--data", "csv", "--test", OK, "--backend", "cpu"], cwd);
    expect(r.signal).toBe(null);
    if (r.status === 0) expect(r.stdout).toMatch(/test accuracy: /);
    else {
      expect(r.status, r.stderr).toBe(1);
      expectOneLine(r.stderr, /./);
    }
    expect(listing(cwd)).toEqual([]);
  });
});

// ---- signals: SIGHUP, SIGINT, SIGQUIT, SIGTERM while bp train --save writes the model -----------

describe("the catalogue: signals during a save (issue 20, defect 12)", () => {
  for (const [signal, status] of [
    ["SIGHUP", 129],
    ["SIGINT", 130],
    ["SIGQUIT", 131],
    ["SIGTERM", 143],
  ] as const) {
    it(`[signals] ${signal} as the temporary file appears: exit ${status}, no temp file, no half model`, async () => {
      const cwd = mkdtempSync(join(root, "signal-"));
      // A 64 MB model (three hidden layers of 2000), so that the write takes a while.
      const child = spawn(
        process.execPath,
        [
          BIN,
          "train",
          ...small,
          "--net",
          "multi",
          "--hidden",
          "2000,2000,2000",
          "--iters",
          "1",
          "--save",
          "m.safetensors",
        ],
        { cwd, stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH ?? "", NO_COLOR: "1" } },
      );
      let sent = false;
      const watcher = watch(cwd, (_, f) => {
        if (!sent && String(f).endsWith(".tmp")) {
          sent = true;
          child.kill(signal);
        }
      });
      const [code, killedBy] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
      watcher.close();
      expect(sent, "the save started").toBe(true);
      // The signal lands in the write (cleaned up, exit 128 + n), or after the save, when the
      // handler is gone (the default action, or exit 0 if the process was already ending).
      expect(code === status || code === 0 || killedBy === signal, `exit ${code}, signal ${killedBy}`).toBe(true);
      const left = listing(cwd);
      expect(left.filter((f) => f.endsWith(".tmp"))).toEqual([]);
      if (left.includes("m.safetensors"))
        expect(decodeNet(readFileSync(join(cwd, "m.safetensors"))).net.params.W1!.shape).toEqual([2, 2000]);
      else expect(left).toEqual([]);
    }, 60_000);
  }
});

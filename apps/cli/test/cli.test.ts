import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { encodeIdx } from "@bp/data";
import { bp, bpProcess } from "./run.js";

const dir = mkdtempSync(join(tmpdir(), "bp-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

/** One line on stderr that starts with "bp: " and contains `text`; nothing on stdout. */
function expectOneLineError(r: { stdout: string; stderr: string }, text: string): void {
  expect(r.stdout).toBe("");
  expect(r.stderr.endsWith("\n")).toBe(true);
  expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(r.stderr.startsWith("bp: ")).toBe(true);
  expect(r.stderr).toContain(text);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe("bp conventions", () => {
  it("prints the version and help", async () => {
    const v = await bp(["--version"]);
    expect([v.status, v.stdout]).toEqual([0, `${pkg.version}\n`]);
    const h = await bp(["--help"]);
    expect(h.status).toBe(0);
    for (const c of ["train", "gradcheck", "eval", "predict", "experiment", "demo"])
      expect(h.stdout).toMatch(new RegExp(`^  ${c} `, "m"));
    const none = await bp([]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("Usage: bp <command>");
  });

  it("has --help for every command, listing its options", async () => {
    const options: Record<string, string[]> = {
      train: [
        "--data mnist|csv",
        "--train FILE",
        "--test FILE",
        "--hidden N",
        "--iters N",
        "--epochs N",
        "--batch N",
        "--lr X",
        "--seed N",
        "--dtype float64|float32",
        "--backend auto|cpu|wasm|worker",
        "--save FILE",
        "--json",
        "--net two-layer|multi|multi-extend|simple-conv",
        "--hidden N[,N...]",
        "--activation relu|sigmoid",
        "--init std|he|xavier|X",
        "--weight-decay L",
        "--batchnorm",
        "--dropout RATIO",
        "--optimizer sgd|momentum|nesterov|adagrad|rmsprop|adam",
        "--train-size N",
        "--test-size N",
        "--eval-samples N",
      ],
      gradcheck: [
        "--data mnist|csv",
        "--json",
        "--atol X",
        "--rtol X",
        "--count N",
        "--net two-layer|multi|multi-extend|simple-conv",
      ],
      experiment: ["--seed N", "--json", "--plot FILE.svg", "--iterations N", "--epochs N", "--train-size N"],
      eval: ["--model FILE", "--json"],
      predict: ["--model FILE", "--index N"],
      demo: ["--json"],
    };
    for (const [command, flags] of Object.entries(options)) {
      const r = await bp([command, "--help"]);
      expect(r.status).toBe(0);
      expect(r.stdout.startsWith(`Usage: bp ${command}`)).toBe(true);
      for (const f of flags) expect(r.stdout).toContain(f);
    }
    const viaHelp = await bp(["help", "train"]);
    expect(viaHelp.stdout).toBe((await bp(["train", "--help"])).stdout);
  });

  it("prints the apples-and-oranges values as the book does", async () => {
    // buy_apple_orange.py: price = (100*2 + 150*3) * 1.1; dApple = 1.1*2, dApple_num = 1.1*100,
    // dOrange = 1.1*3, dOrange_num = 1.1*150, dTax = 650; the book prints int() of price and the nums.
    const r = await bp(["demo", "apples"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      "price: 715\ndApple: 2.2\ndApple_num: 110\ndOrange: 3.3000000000000003\ndOrange_num: 165\ndTax: 650\n" +
        "(the book prints int() of price and the _num values; unrounded: price 715.0000000000001, dApple_num 110.00000000000001, dOrange_num 165)\n",
    );
    // buy_apple.py: price = 100 * 2 * 1.1, dApple = 1.1 * 2, dApple_num = 1.1 * 100, dTax = 200.
    const apple = await bp(["demo", "apple"]);
    expect(apple.stdout).toBe(
      "price: 220\ndApple: 2.2\ndApple_num: 110\ndTax: 200\n(the book prints int() of price and the _num values; unrounded: price 220.00000000000003, dApple_num 110.00000000000001)\n",
    );
    const json = JSON.parse((await bp(["demo", "apples", "--json"])).stdout);
    expect(json).toEqual({
      price: 650 * 1.1,
      dApple: 2.2,
      dAppleNum: 1.1 * 100,
      dOrange: 1.1 * 3,
      dOrangeNum: 1.1 * 150,
      dTax: 650,
    });
  });

  it("runs as a built binary with exit statuses 0 and 2", () => {
    const v = bpProcess(["--version"]);
    expect([v.status, v.stdout]).toEqual([0, `${pkg.version}\n`]);
    const bad = bpProcess(["train", "--lr", "fast"]);
    expect(bad.status).toBe(2);
    expectOneLineError(bad, '--lr must be a number greater than 0, got "fast"');
    const demo = bpProcess(["demo", "apples"]);
    expect(demo.stdout.split("\n")[0]).toBe("price: 715");
  });

  it("uses colours only on a terminal without NO_COLOR", async () => {
    const esc = "\x1b[";
    expect((await bp(["train", "--bogus"], {}, false)).stderr).not.toContain(esc);
    expect((await bp(["train", "--bogus"], {}, true)).stderr).toContain(esc);
    expect((await bp(["train", "--bogus"], { NO_COLOR: "1" }, true)).stderr).not.toContain(esc);
    expect((await bp(["train", "--bogus"], { FORCE_COLOR: "1" }, false)).stderr).toContain(esc);
  });
});

describe("bad usage exits 2 with one line", () => {
  const cases: [string[], string][] = [
    [["fly"], 'unknown command "fly" (expected train, gradcheck, eval, predict, filters, experiment, demo'],
    [["train", "--bogus"], "train: unknown option --bogus (see bp train --help)"],
    [["train", "--hidden"], "train: --hidden needs a value"],
    [["train", "--json=yes"], "train: --json does not take a value"],
    [["train", "extra"], 'train: unexpected argument "extra"'],
    [
      ["train", "--hidden", "abc"],
      '--hidden must be an integer from 1 to 100000, or a comma-separated list of them, got "abc"',
    ],
    [
      ["train", "--hidden", "0"],
      '--hidden must be an integer from 1 to 100000, or a comma-separated list of them, got "0"',
    ],
    [["train", "--net", "multi", "--hidden", "100,,100"], 'or a comma-separated list of them, got "100,,100"'],
    [
      ["train", "--hidden", "100,100"],
      "--net two-layer has one hidden layer, got --hidden 100,100; for more layers use --net multi or multi-extend",
    ],
    [["train", "--net", "three"], '--net must be one of two-layer, multi, multi-extend, simple-conv, got "three"'],
    [["train", "--dropout", "0.5"], "--dropout needs --net multi-extend (got --net two-layer)"],
    [["train", "--net", "multi", "--batchnorm"], "--batchnorm needs --net multi-extend (got --net multi)"],
    [["train", "--activation", "sigmoid"], "--activation needs --net multi or multi-extend (got --net two-layer)"],
    [["train", "--net", "multi", "--activation", "tanh"], '--activation must be one of relu, sigmoid, got "tanh"'],
    [["train", "--weight-decay", "0.1"], "--weight-decay needs --net multi or multi-extend (got --net two-layer)"],
    [["train", "--net", "multi", "--weight-decay", "-1"], '--weight-decay must be a number >= 0, got "-1"'],
    [
      ["train", "--net", "multi-extend", "--dropout", "1"],
      '--dropout must be a ratio from 0 up to (not including) 1, got "1"',
    ],
    [["train", "--init", "he"], "--init he needs --net multi or multi-extend (got --net two-layer)"],
    [
      ["train", "--net", "multi", "--init", "wide"],
      '--init must be std, he, xavier or a standard deviation > 0, got "wide"',
    ],
    [
      ["train", "--net", "multi", "--init", "he", "--weight-init-std", "0.1"],
      "give --init he or --weight-init-std 0.1, not both",
    ],
    [
      ["train", "--optimizer", "lbfgs"],
      '--optimizer must be one of sgd, momentum, nesterov, adagrad, rmsprop, adam, got "lbfgs"',
    ],
    [["train", "--train-size", "0"], '--train-size must be an integer >= 1, got "0"'],
    [["train", "--test-size", "x"], '--test-size must be an integer >= 1, got "x"'],
    [["train", "--eval-samples", "-5"], '--eval-samples must be an integer >= 1, got "-5"'],
    [["gradcheck", "--net", "multi", "--dropout", "0.1"], "--dropout needs --net multi-extend (got --net multi)"],
    [["experiment"], "experiment needs the name of an experiment: optimizers, init, batchnorm, weight-decay, dropout"],
    [
      ["experiment", "adamw"],
      'unknown experiment "adamw" (expected optimizers, init, batchnorm, weight-decay, dropout)',
    ],
    [["experiment", "init", "--epochs", "3"], "--epochs is not a setting of the init experiment"],
    [
      ["experiment", "optimizers", "--plot", "loss.png"],
      '--plot writes an SVG file: give a name ending in .svg, got "loss.png"',
    ],
    [["experiment", "dropout", "--seed", "-1"], '--seed must be an integer from 0 to 4294967295, got "-1"'],
    [["train", "--iters", "1.5"], '--iters must be an integer >= 1, got "1.5"'],
    [["train", "--batch", "-3"], '--batch must be an integer >= 1, got "-3"'],
    [["train", "--lr", "-0.1"], '--lr must be a number greater than 0, got "-0.1"'],
    [["train", "--lr", "1e999"], '--lr must be a number greater than 0, got "1e999"'],
    [["train", "--seed", "x"], '--seed must be an integer from 0 to 4294967295, got "x"'],
    [["train", "--data", "cifar"], '--data must be one of mnist, csv, got "cifar"'],
    [["train", "--dtype", "float16"], '--dtype must be one of float64, float32, got "float16"'],
    [["train", "--backend", "gpu"], '--backend must be one of auto, cpu, wasm, worker, got "gpu"'],
    [["train", "--sampling", "all"], '--sampling must be one of choice, epoch, got "all"'],
    [["train", "--iters", "5", "--epochs", "1"], "give --iters or --epochs, not both"],
    [["train", "--train", "a.csv"], "--train and --test name CSV files; add --data csv"],
    [["train", "--data", "csv", "--test", "a.csv"], "--data csv needs --train FILE and --test FILE"],
    [["train", "--data", "csv", "--dir", "x"], "--dir is for --data mnist"],
    [["eval"], "eval needs --model FILE"],
    [["predict", "--model", "m.safetensors", "--index", "-1"], '--index must be an integer >= 0, got "-1"'],
    [["demo"], "demo needs the name of a demo: apples, apple"],
    [["demo", "pears"], 'unknown demo "pears" (expected apples, apple)'],
    [["gradcheck", "--atol", "0"], '--atol must be a number greater than 0, got "0"'],
  ];
  for (const [args, message] of cases) {
    it(`bp ${args.join(" ")}`, async () => {
      const r = await bp(args);
      expect(r.status).toBe(2);
      expectOneLineError(r, message);
    });
  }
});

describe("bad input files exit 1 with one line naming the file", () => {
  const write = (name: string, content: string | Uint8Array): string => {
    const p = join(dir, name);
    writeFileSync(p, content);
    return p;
  };

  it("reports a missing CSV file", async () => {
    const missing = join(dir, "missing.csv");
    const r = await bp(["train", "--data", "csv", "--train", missing, "--test", missing]);
    expect(r.status).toBe(1);
    expectOneLineError(r, `loadCsv: ${missing}: file not found`);
  });

  it("reports a broken CSV with line and column", async () => {
    const bad = write("bad.csv", "label,a,b\n1,0,1\n0,1,oops\n");
    const r = await bp(["train", "--data", "csv", "--train", bad, "--test", bad]);
    expect(r.status).toBe(1);
    expectOneLineError(r, `parseCsv: ${bad}, line 3, column 3: "oops" is not a number`);
    const ragged = write("ragged.csv", "label,a,b\n1,0,1\n0,1\n");
    expectOneLineError(
      await bp(["train", "--data", "csv", "--train", ragged, "--test", ragged]),
      `${ragged}, line 3, column 3: row has 2 fields, expected 3`,
    );
  });

  it("reports an empty test set instead of an accuracy of NaN", async () => {
    // An MNIST-layout folder whose test files hold 0 images (CSV files without rows are refused by
    // the CSV reader already).
    const folder = join(dir, "mnist-empty-test");
    mkdirSync(folder, { recursive: true });
    const idx = (shape: number[]) =>
      encodeIdx({ dtype: "uint8", shape, data: new Uint8Array(shape.reduce((x, y) => x * y, 1)) });
    writeFileSync(join(folder, "train-images-idx3-ubyte"), idx([2, 28, 28]));
    writeFileSync(join(folder, "train-labels-idx1-ubyte"), idx([2]));
    writeFileSync(join(folder, "t10k-images-idx3-ubyte"), idx([0, 28, 28]));
    writeFileSync(join(folder, "t10k-labels-idx1-ubyte"), idx([0]));
    const r = await bp(["train", "--dir", folder, "--batch", "1", "--iters", "2"]);
    expect(r.status).toBe(1);
    expectOneLineError(r, `train: MNIST-layout folder ${folder}: the test set has no rows (expected at least one)`);
  });

  it("reports CSV sets whose widths differ", async () => {
    const a = write("a.csv", "label,x,y\n1,0,1\n0,1,0\n");
    const b = write("b.csv", "label,x\n1,0\n");
    const r = await bp(["train", "--data", "csv", "--train", a, "--test", b]);
    expect(r.status).toBe(1);
    expectOneLineError(r, `loadDataset: ${b}: rows have 1 features but ${a} has 2`);
  });

  it("reports a corrupt or missing MNIST folder", async () => {
    const r = await bp(["train", "--dir", join(dir, "nowhere")]);
    expect(r.status).toBe(1);
    expectOneLineError(r, "folder does not exist");
    const mnist = join(dir, "mnist");
    rmSync(mnist, { recursive: true, force: true });
    await import("node:fs").then((fs) => fs.mkdirSync(mnist));
    for (const f of [
      "train-images-idx3-ubyte",
      "train-labels-idx1-ubyte",
      "t10k-images-idx3-ubyte",
      "t10k-labels-idx1-ubyte",
    ]) {
      writeFileSync(join(mnist, f), Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 9, 1, 2]));
    }
    const corrupt = await bp(["train", "--dir", mnist]);
    expect(corrupt.status).toBe(1);
    expectOneLineError(
      corrupt,
      `parseIdx: ${join(mnist, "train-images-idx3-ubyte")}: file is 10 bytes long but dimensions [9] of uint8 need exactly 17`,
    );
  });

  it("reports a missing or corrupt model file", async () => {
    const missing = join(dir, "none.safetensors");
    expectOneLineError(await bp(["eval", "--model", missing]), `loadModel: ${missing}: file not found`);
    const junk = write("junk.safetensors", "not a model at all");
    const r = await bp(["eval", "--model", junk]);
    expect(r.status).toBe(1);
    expectOneLineError(r, `decodeSafetensors: ${junk}, byte 0: header length`);
    const header = JSON.stringify({ W1: { dtype: "F64", shape: [2, 2], data_offsets: [0, 32] } });
    const bytes = new Uint8Array(8 + header.length + 32);
    new DataView(bytes.buffer).setUint32(0, header.length, true);
    bytes.set(new TextEncoder().encode(header), 8);
    const partial = write("partial.safetensors", bytes);
    expectOneLineError(
      await bp(["eval", "--model", partial]),
      `decodeNet: ${partial}: missing tensors b1, W2, b2 (a bp.TwoLayerNet file holds W1, b1, W2, b2)`,
    );
  });
});

describe("--net names (NETS of @bp/nets, the web app's names too)", () => {
  it("takes the earlier spelling two and the book's class names for the same net", async () => {
    const run = async (...net: string[]) => {
      const args = ["train", ...net, "--iters", "3", "--hidden", "5", "--train-size", "200", "--test-size", "100"];
      const r = await bp([...args, "--json", "--backend", "cpu"]);
      expect(r.stderr).toBe("");
      const { final, net: description } = JSON.parse(r.stdout) as { final: unknown; net: { kind: string } };
      return { final, net: description };
    };
    const canonical = await run("--net", "two-layer");
    expect(canonical.net.kind).toBe("TwoLayerNet");
    expect(await run()).toEqual(canonical); // the default
    expect(await run("--net", "two")).toEqual(canonical);
    expect(await run("--net", "TwoLayerNet")).toEqual(canonical);
    expect((await run("--net", "MultiLayerNetExtend", "--batchnorm")).net.kind).toBe("MultiLayerNetExtend");
  });
});

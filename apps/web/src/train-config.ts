// The Train view's settings: one table row per field (label, kind, range, default, hint), read
// from and written to the URL, validated with messages that say what was wrong and what to enter.
import type { Backends } from "./backends.js";
import type { BackendName, TrainConfig } from "./messages.js";

export interface NumberField {
  name: "iterations" | "batch" | "lr" | "hidden" | "weightInitStd" | "seed" | "threads";
  label: string;
  kind: "int" | "float";
  /** Smallest allowed value; for floats, `exclusiveMin` makes it "greater than". */
  min: number;
  exclusiveMin?: boolean;
  max: number;
  default: number;
  hint: string;
  example: string;
}

export const NUMBER_FIELDS: NumberField[] = [
  {
    name: "iterations",
    label: "Iterations",
    kind: "int",
    min: 1,
    max: 1_000_000,
    default: 1200,
    hint: "minibatch updates (600 of 100 images = 1 epoch)",
    example: "1200",
  },
  {
    name: "batch",
    label: "Batch size",
    kind: "int",
    min: 1,
    max: 60_000,
    default: 100,
    hint: "images per update",
    example: "100",
  },
  {
    name: "lr",
    label: "Learning rate",
    kind: "float",
    min: 0,
    exclusiveMin: true,
    max: Number.POSITIVE_INFINITY,
    default: 0.1,
    hint: "SGD step size (book: 0.1)",
    example: "0.1",
  },
  {
    name: "hidden",
    label: "Hidden units",
    kind: "int",
    min: 1,
    max: 1000,
    default: 50,
    hint: "size of Affine1 (book: 50)",
    example: "50",
  },
  {
    name: "weightInitStd",
    label: "Weight init std",
    kind: "float",
    min: 0,
    exclusiveMin: true,
    max: 100,
    default: 0.01,
    hint: "std of the initial weights (book: 0.01)",
    example: "0.01",
  },
  {
    name: "seed",
    label: "Seed",
    kind: "int",
    min: 0,
    max: 2 ** 31 - 1,
    default: 0,
    hint: "same seed, same run",
    example: "0",
  },
  {
    name: "threads",
    label: "Threads",
    kind: "int",
    min: 1,
    max: 16,
    default: 2,
    hint: "for the worker backend",
    example: "2",
  },
];

/** Checks one field's text; returns the value or a message naming the field, the text and what to enter. */
export function parseField(f: NumberField, text: string): { value: number } | { error: string } {
  const t = text.trim();
  const v = Number(t);
  const range =
    f.kind === "int"
      ? `a whole number from ${f.min} to ${f.max}`
      : `a number ${f.exclusiveMin === true ? "greater than" : "of at least"} ${f.min}${f.max === Number.POSITIVE_INFINITY ? "" : ` and at most ${f.max}`}`;
  const expected = `enter ${range}, such as ${f.example}`;
  if (t === "") return { error: `${f.label} is empty: ${expected}.` };
  if (!Number.isFinite(v)) return { error: `${f.label}: "${text}" is not a number; ${expected}.` };
  if (f.kind === "int" && !Number.isInteger(v))
    return { error: `${f.label}: ${t} is not a whole number; ${expected}.` };
  if (v < f.min || (f.exclusiveMin === true && v === f.min) || v > f.max)
    return { error: `${f.label}: ${t} is out of range; ${expected}.` };
  return { value: v };
}

export const DEFAULT_CONFIG: TrainConfig = {
  iterations: 1200,
  batch: 100,
  lr: 0.1,
  hidden: 50,
  weightInitStd: 0.01,
  seed: 0,
  dtype: "float64",
  backend: "cpu",
  threads: 2,
};

/** The configuration a URL asks for, with defaults for what it leaves out or gets wrong. */
export function configFromParams(p: URLSearchParams, backends: Backends): TrainConfig {
  const config: TrainConfig = { ...DEFAULT_CONFIG, backend: backends.preferred };
  for (const f of NUMBER_FIELDS) {
    const text = p.get(f.name);
    if (text === null) continue;
    const r = parseField(f, text);
    if ("value" in r) config[f.name] = r.value;
  }
  const dtype = p.get("dtype");
  if (dtype === "float32" || dtype === "float64") config.dtype = dtype;
  const backend = p.get("backend");
  if (backend !== null && backends.isAvailable(backend)) config.backend = backend as BackendName;
  return config;
}

/** The URL parameters of a configuration: only what differs from the defaults. */
export function configToParams(config: TrainConfig, backends: Backends): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const f of NUMBER_FIELDS) out[f.name] = config[f.name] === f.default ? null : String(config[f.name]);
  out.dtype = config.dtype === DEFAULT_CONFIG.dtype ? null : config.dtype;
  out.backend = config.backend === backends.preferred ? null : config.backend;
  return out;
}

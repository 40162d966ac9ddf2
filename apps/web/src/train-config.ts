// The Train view's settings: one table row per field (label, kind, range, default, hint), read
// from and written to the URL, validated with messages that say what was wrong and what to enter.
import {
  NETS,
  NET_NAMES,
  OPTIMIZER_NAMES,
  netNamed,
  type NetName,
  type NetSetting,
  type OptimizerName,
} from "@bp/nets";
import type { Backends } from "./backends.js";
import type { TrainConfig } from "./messages.js";

type Parsed<T> = { value: T } | { error: string };

interface FieldBase<K extends keyof TrainConfig> {
  name: K;
  label: string;
  hint: string;
  /** Shown only for the nets that take this setting (`NETS[net].settings`). */
  setting?: NetSetting | undefined;
  parse(text: string): Parsed<TrainConfig[K]>;
  format(value: TrainConfig[K]): string;
}

/** A text field (number, list or name) of the form. */
export type TextField = { [K in keyof TrainConfig]: FieldBase<K> }[keyof TrainConfig];

function numberField<
  K extends
    | "iterations"
    | "batch"
    | "lr"
    | "seed"
    | "threads"
    | "dropout"
    | "weightDecay"
    | "trainSize"
    | "testSize"
    | "curveRows",
>(
  name: K,
  label: string,
  hint: string,
  kind: "int" | "float",
  min: number,
  max: number,
  example: string,
  options: { exclusiveMin?: boolean; setting?: NetSetting } = {},
): FieldBase<K> {
  const range =
    kind === "int"
      ? `a whole number from ${min} to ${max}`
      : `a number ${options.exclusiveMin === true ? "greater than" : "from"} ${min}${max === Number.POSITIVE_INFINITY ? "" : `${options.exclusiveMin === true ? " and at most" : " to"} ${max}`}`;
  const expected = `enter ${range}, such as ${example}`;
  return {
    name,
    label,
    hint,
    setting: options.setting,
    format: (v) => String(v),
    parse(text) {
      const t = text.trim();
      const v = Number(t);
      if (t === "") return { error: `${label} is empty: ${expected}.` };
      if (!Number.isFinite(v)) return { error: `${label}: "${text}" is not a number; ${expected}.` };
      if (kind === "int" && !Number.isInteger(v))
        return { error: `${label}: ${t} is not a whole number; ${expected}.` };
      if (v < min || (options.exclusiveMin === true && v === min) || v > max)
        return { error: `${label}: ${t} is out of range; ${expected}.` };
      return { value: v as TrainConfig[K] };
    },
  };
}

const INIT_NAMES = ["he", "relu", "xavier", "sigmoid"] as const;

/** The words of the accuracy-curve settings (in one place, for the string catalogue). */
const CURVE_WORDS = {
  everyLabel: "Accuracy every",
  everyHint:
    "iterations between two points of the test accuracy curve, or auto (about ten per epoch); not for SimpleConvNet",
  everyEmpty: "Accuracy every is empty: enter a whole number of iterations from 1 to 1000000, such as 50, or auto.",
  everyBad: (t: string) =>
    `Accuracy every: "${t}" is neither a whole number of iterations from 1 to 1000000 nor auto; enter, for example, 50 or auto.`,
  everyTooFew: (every: number, iterations: number) =>
    `Accuracy every: ${every} is more than the run's ${iterations} iterations, so the curve would have no point; enter at most ${iterations}, or auto.`,
  rowsLabel: "Accuracy subset",
  rowsHint: "test images the curve is measured on (the first N of the run's; all of them when it has fewer)",
};

export const TEXT_FIELDS: TextField[] = [
  numberField(
    "iterations",
    "Iterations",
    "minibatch updates (1 epoch = training images ÷ batch size: 600 for all 60 000 in 100s)",
    "int",
    1,
    1_000_000,
    "1200",
  ),
  numberField("batch", "Batch size", "images per update", "int", 1, 60_000, "100"),
  numberField("lr", "Learning rate", "step size (book: 0.1 for SGD)", "float", 0, Number.POSITIVE_INFINITY, "0.1", {
    exclusiveMin: true,
  }),
  {
    name: "hidden",
    label: "Hidden units",
    hint: "per hidden layer, e.g. 50 or 100, 100",
    format: (v) => v.join(","),
    parse(text) {
      const parts = text.split(",").map((p) => p.trim());
      const sizes = parts.map(Number);
      const expected = "enter sizes from 1 to 2000 separated by commas, such as 50 or 100, 100";
      if (text.trim() === "") return { error: `Hidden units is empty: ${expected}.` };
      if (sizes.some((s) => !Number.isInteger(s) || s < 1 || s > 2000))
        return { error: `Hidden units: "${text}" is not a list of whole numbers from 1 to 2000; ${expected}.` };
      if (sizes.length > 8)
        return { error: `Hidden units: ${sizes.length} layers is too many for this page; enter at most 8 sizes.` };
      return { value: sizes };
    },
  },
  {
    name: "init",
    label: "Weight init",
    hint: "a std (book: 0.01), or he / xavier",
    format: (v) => String(v),
    parse(text) {
      const t = text.trim().toLowerCase();
      if ((INIT_NAMES as readonly string[]).includes(t)) return { value: t as (typeof INIT_NAMES)[number] };
      const v = Number(t);
      if (t !== "" && Number.isFinite(v) && v > 0 && v <= 100) return { value: v };
      return {
        error: `Weight init: "${text}" is neither a number greater than 0 (at most 100) nor one of ${INIT_NAMES.join(", ")}; enter, for example, 0.01 or he.`,
      };
    },
  },
  numberField("seed", "Seed", "same seed, same run", "int", 0, 2 ** 31 - 1, "0"),
  numberField("dropout", "Dropout ratio", "0 = no Dropout layers", "float", 0, 0.95, "0.5", { setting: "dropout" }),
  numberField("weightDecay", "Weight decay λ", "0 = none (book: 0.1 in 6.4)", "float", 0, 10, "0.1", {
    setting: "weightDecay",
  }),
  numberField("threads", "Threads", "for the worker backend", "int", 1, 16, "2"),
  numberField(
    "trainSize",
    "Training images",
    "the first N of 60 000 (fewer = faster epochs)",
    "int",
    1,
    60_000,
    "5000",
  ),
  numberField("testSize", "Test images", "the first N of 10 000, for the accuracies", "int", 1, 10_000, "1000"),
  {
    name: "curveEvery",
    label: CURVE_WORDS.everyLabel,
    hint: CURVE_WORDS.everyHint,
    format: (v) => String(v),
    parse(text) {
      const t = text.trim().toLowerCase();
      if (t === "auto") return { value: "auto" };
      const v = Number(t);
      if (t === "") return { error: CURVE_WORDS.everyEmpty };
      if (!Number.isInteger(v) || v < 1 || v > 1_000_000) return { error: CURVE_WORDS.everyBad(text.trim()) };
      return { value: v };
    },
  },
  numberField("curveRows", CURVE_WORDS.rowsLabel, CURVE_WORDS.rowsHint, "int", 1, 10_000, "500"),
];

export const DEFAULT_CONFIG: TrainConfig = {
  net: "two-layer",
  hidden: [50],
  init: 0.01,
  optimizer: "sgd",
  iterations: 1200,
  batch: 100,
  lr: 0.1,
  seed: 0,
  batchnorm: false,
  dropout: 0,
  weightDecay: 0,
  dtype: "float64",
  backend: "cpu",
  threads: 2,
  trainSize: 60_000,
  testSize: 10_000,
  curveEvery: "auto",
  curveRows: 500,
};

/** Chapter 7's recipe (ch07/train_convnet.py: Adam, lr 0.001, 100 hidden units, init std 0.01)
 * on a subset that a browser trains in under a minute: 5000 images, 1 epoch of 50 minibatches
 * (measured: 19-23 s on the wasm backend, test accuracy 0.779 on the first 1000 test images). */
export const CONV_RECIPE: Partial<TrainConfig> = {
  net: "simple-conv",
  optimizer: "adam",
  lr: 0.001,
  hidden: [100],
  init: 0.01,
  batch: 100,
  trainSize: 5000,
  testSize: 1000,
  iterations: 50,
};

/** The nets the form offers: every row of `NETS`, by the names `bp train --net` takes. */
export const NET_CHOICES: { value: NetName; label: string }[] = NET_NAMES.map((n) => ({
  value: n,
  label: `${NETS[n].className} (chapter ${NETS[n].chapter}${NETS[n].images ? "; slow in a browser" : ""})`,
}));

/** Whether the configuration's net takes a setting (the form shows its field only then). */
export function takes(config: Pick<TrainConfig, "net">, setting: NetSetting | undefined): boolean {
  return setting === undefined || NETS[config.net].settings.includes(setting);
}

/** The configuration with the settings its net does not take at their "none" values. */
export function withoutUnusedSettings(config: TrainConfig): TrainConfig {
  const out = { ...config };
  if (!takes(out, "batchnorm")) out.batchnorm = false;
  if (!takes(out, "dropout")) out.dropout = 0;
  if (!takes(out, "weightDecay")) out.weightDecay = 0;
  return out;
}

export function isOptimizer(v: string | null): v is OptimizerName {
  return v !== null && (OPTIMIZER_NAMES as readonly string[]).includes(v);
}

/** Checks that the fields fit together; returns messages by field name. */
export function crossCheck(config: TrainConfig): Partial<Record<keyof TrainConfig, string>> {
  const out: Partial<Record<keyof TrainConfig, string>> = {};
  const row = NETS[config.net];
  const many = NET_NAMES.filter((n) => NETS[n].hiddenLayers === "list")
    .map((n) => NETS[n].className)
    .join(" or ");
  if (row.hiddenLayers === "one" && config.hidden.length !== 1)
    out.hidden = `Hidden units: ${row.className} has one hidden layer; enter one size, or choose ${many} for ${config.hidden.length} layers.`;
  if (typeof config.curveEvery === "number" && config.curveEvery > config.iterations)
    out.curveEvery = CURVE_WORDS.everyTooFew(config.curveEvery, config.iterations);
  if (typeof config.init !== "number" && !row.settings.includes("initByName"))
    out.init = `Weight init: ${row.className} takes a number (the book's 0.01); "${config.init}" needs ${many}.`;
  return out;
}

/** Parses every field's text; values, and the messages of fields that are wrong. */
export function parseTexts(texts: Readonly<Record<string, string>>, base: TrainConfig) {
  const config: TrainConfig = { ...base };
  const errors: Partial<Record<keyof TrainConfig, string>> = {};
  for (const f of TEXT_FIELDS) {
    const text = texts[f.name];
    if (text === undefined) continue;
    const r = f.parse(text);
    if ("value" in r) (config as unknown as Record<string, unknown>)[f.name] = r.value;
    else errors[f.name] = r.error;
  }
  return { config, errors: { ...crossCheck(config), ...errors } };
}

/**
 * The net of `?net=`: a name of `NET_NAMES` (the CLI's `--net` names), the class name, or an earlier
 * link's `two` or `conv`. Earlier links said `multi` for MultiLayerNetExtend: `multi` now means
 * MultiLayerNet (as in the CLI), and such a link with BatchNorm or Dropout, which only
 * MultiLayerNetExtend has, opens multi-extend; without them both nets give the same numbers.
 */
function netOfParams(p: URLSearchParams): NetName {
  const net = netNamed(p.get("net") ?? "") ?? DEFAULT_CONFIG.net;
  return net === "multi" && extended(p) ? "multi-extend" : net;
}

/** Whether a link asks for BatchNorm or Dropout layers. */
const extended = (p: URLSearchParams) => p.get("batchnorm") === "1" || Number(p.get("dropout") ?? 0) > 0;

/** The configuration a URL asks for, with defaults for what it leaves out or gets wrong. */
export function configFromParams(p: URLSearchParams, backends: Backends): TrainConfig {
  const base: TrainConfig = { ...DEFAULT_CONFIG, backend: backends.preferred };
  base.net = netOfParams(p);
  const optimizer = p.get("optimizer");
  if (isOptimizer(optimizer)) base.optimizer = optimizer;
  const dtype = p.get("dtype");
  if (dtype === "float32" || dtype === "float64") base.dtype = dtype;
  const backend = p.get("backend");
  if (backend !== null && backends.isAvailable(backend)) base.backend = backend;
  base.batchnorm = p.get("batchnorm") === "1";
  const texts: Record<string, string> = {};
  for (const f of TEXT_FIELDS) {
    const v = p.get(f.name);
    if (v !== null) texts[f.name] = v;
  }
  const { config, errors } = parseTexts(texts, base);
  // A link that does not fit together falls back to the defaults of the fields that are wrong.
  for (const k of Object.keys(errors) as (keyof TrainConfig)[])
    (config as unknown as Record<string, unknown>)[k] = base[k];
  if (Object.keys(crossCheck(config)).length > 0) config.net = extended(p) ? "multi-extend" : "multi";
  return withoutUnusedSettings(config);
}

/** The URL parameters of a configuration: only what differs from the defaults. */
export function configToParams(config: TrainConfig, backends: Backends): Record<string, string | null> {
  const defaults: TrainConfig = { ...DEFAULT_CONFIG, backend: backends.preferred };
  const out: Record<string, string | null> = {};
  for (const f of TEXT_FIELDS) {
    const text = (f.format as (v: unknown) => string)(config[f.name]);
    out[f.name] = text === (f.format as (v: unknown) => string)(defaults[f.name]) ? null : text;
  }
  for (const k of ["net", "optimizer", "dtype", "backend"] as const)
    out[k] = config[k] === defaults[k] ? null : config[k];
  out.batchnorm = config.batchnorm ? "1" : null;
  return out;
}

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
import { type MessageKey, t } from "./i18n/index.js";
import type { TrainConfig } from "./messages.js";

type Parsed<T> = { value: T } | { error: string };

interface FieldBase<K extends keyof TrainConfig> {
  name: K;
  /** Message keys of the field's label and hint (i18n/en.ts). */
  label: MessageKey;
  hint: MessageKey;
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
  kind: "int" | "float",
  min: number,
  max: number,
  example: string,
  options: { exclusiveMin?: boolean; setting?: NetSetting } = {},
): FieldBase<K> {
  const label = `field.${name}` as const;
  const open = max === Number.POSITIVE_INFINITY;
  const rangeKey: MessageKey =
    kind === "int"
      ? "field.rangeInt"
      : options.exclusiveMin === true
        ? open
          ? "field.rangeAboveOpen"
          : "field.rangeAbove"
        : open
          ? "field.rangeFromOpen"
          : "field.rangeFrom";
  // (Read when a message is made, so that it is in the language of the moment. The bounds as the
  // field takes them, 10000 rather than 10,000: strings, not grouped for the language.)
  const bounds = { min: String(min), max: String(max) };
  const expected = () => t("field.expected", { range: t(rangeKey, bounds), example });
  return {
    name,
    label,
    hint: `field.${name}Hint`,
    setting: options.setting,
    format: (v) => String(v),
    parse(text) {
      const trimmed = text.trim();
      const v = Number(trimmed);
      const say = (key: MessageKey) => ({
        error: t(key, { label: t(label), text: key === "field.notNumber" ? text : trimmed, expected: expected() }),
      });
      if (trimmed === "") return say("field.empty");
      if (!Number.isFinite(v)) return say("field.notNumber");
      if (kind === "int" && !Number.isInteger(v)) return say("field.notWhole");
      if (v < min || (options.exclusiveMin === true && v === min) || v > max) return say("field.outOfRange");
      return { value: v as TrainConfig[K] };
    },
  };
}

const INIT_NAMES = ["he", "relu", "xavier", "sigmoid"] as const;

export const TEXT_FIELDS: TextField[] = [
  numberField("iterations", "int", 1, 1_000_000, "1200"),
  numberField("batch", "int", 1, 60_000, "100"),
  numberField("lr", "float", 0, Number.POSITIVE_INFINITY, "0.1", { exclusiveMin: true }),
  {
    name: "hidden",
    label: "field.hidden",
    hint: "field.hiddenHint",
    format: (v) => v.join(","),
    parse(text) {
      const parts = text.split(",").map((p) => p.trim());
      const sizes = parts.map(Number);
      const label = t("field.hidden");
      const expected = t("field.hiddenExpected");
      if (text.trim() === "") return { error: t("field.empty", { label, expected }) };
      if (sizes.some((s) => !Number.isInteger(s) || s < 1 || s > 2000))
        return { error: t("field.hiddenBad", { label, text, expected }) };
      if (sizes.length > 8) return { error: t("field.hiddenTooMany", { label, n: sizes.length }) };
      return { value: sizes };
    },
  },
  {
    name: "init",
    label: "field.init",
    hint: "field.initHint",
    format: (v) => String(v),
    parse(text) {
      const name = text.trim().toLowerCase();
      if ((INIT_NAMES as readonly string[]).includes(name)) return { value: name as (typeof INIT_NAMES)[number] };
      const v = Number(name);
      if (name !== "" && Number.isFinite(v) && v > 0 && v <= 100) return { value: v };
      return { error: t("field.initBad", { label: t("field.init"), text, names: INIT_NAMES.join(", ") }) };
    },
  },
  numberField("seed", "int", 0, 2 ** 31 - 1, "0"),
  numberField("dropout", "float", 0, 0.95, "0.5", { setting: "dropout" }),
  numberField("weightDecay", "float", 0, 10, "0.1", { setting: "weightDecay" }),
  numberField("threads", "int", 1, 16, "2"),
  numberField("trainSize", "int", 1, 60_000, "5000"),
  numberField("testSize", "int", 1, 10_000, "1000"),
  {
    name: "curveEvery",
    label: "field.curveEvery",
    hint: "field.curveEveryHint",
    format: (v) => String(v),
    parse(text) {
      const word = text.trim().toLowerCase();
      if (word === "auto") return { value: "auto" };
      const v = Number(word);
      const label = t("field.curveEvery");
      if (word === "") return { error: t("field.curveEmpty", { label }) };
      if (!Number.isInteger(v) || v < 1 || v > 1_000_000)
        return { error: t("field.curveBad", { label, text: text.trim() }) };
      return { value: v };
    },
  },
  numberField("curveRows", "int", 1, 10_000, "500"),
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

/** The nets the form offers: every row of `NETS`, by the names `bp train --net` takes (the label
 * in the page's language when read). */
export const NET_CHOICES: { value: NetName; readonly label: string }[] = NET_NAMES.map((n) => ({
  value: n,
  get label() {
    const row = NETS[n];
    return t(row.images ? "train.netChoiceSlow" : "train.netChoice", { name: row.className, chapter: row.chapter });
  },
}));

/** Whether the configuration's net takes a setting (the form shows its field only then). */
export function takes(config: Pick<TrainConfig, "net">, setting: NetSetting | undefined): boolean {
  return setting === undefined || NETS[config.net].settings.includes(setting);
}

/** Whether the run draws the accuracy curve (every net but SimpleConvNet, whose layers take images). */
export const drawsCurve = (config: Pick<TrainConfig, "net">): boolean => !NETS[config.net].images;

/** The configuration with the settings its net does not take at their "none" values. */
export function withoutUnusedSettings(config: TrainConfig): TrainConfig {
  const out = { ...config };
  if (!drawsCurve(out)) {
    out.curveEvery = DEFAULT_CONFIG.curveEvery;
    out.curveRows = DEFAULT_CONFIG.curveRows;
  }
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
    .join(t("field.or"));
  const net = row.className;
  if (row.hiddenLayers === "one" && config.hidden.length !== 1)
    out.hidden = t("field.oneHidden", { label: t("field.hidden"), net, many, n: config.hidden.length });
  if (drawsCurve(config) && typeof config.curveEvery === "number" && config.curveEvery > config.iterations)
    out.curveEvery = t("field.curveTooFew", {
      label: t("field.curveEvery"),
      every: String(config.curveEvery),
      iterations: String(config.iterations),
    });
  if (typeof config.init !== "number" && !row.settings.includes("initByName"))
    out.init = t("field.initNumber", { label: t("field.init"), net, init: config.init, many });
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

import { checkedNumber, choiceOption, numberOption, stringOption, type OptionSpec, type Values } from "./args.js";
import { DEFAULT_LR as BOOK_LR, OPTIMIZER_NAMES, type OptimizerName } from "@bp/nets";
import { UsageError } from "./errors.js";

/** The nets `--net` chooses: the book's ch05 TwoLayerNet, ch06's MultiLayerNet and MultiLayerNetExtend,
 * and ch07's SimpleConvNet. */
export const NET_KINDS = ["two", "multi", "multi-extend", "simple-conv"] as const;
export type NetKind = (typeof NET_KINDS)[number];

export const ACTIVATIONS = ["relu", "sigmoid"] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/**
 * The book's `weight_init_std`: a number (a plain standard deviation), or "he" (sqrt(2 / n), the
 * book's 'relu') or "xavier" (sqrt(1 / n), the book's 'sigmoid').
 */
export type WeightInit = number | "he" | "xavier";

/** Everything the net options select, validated. */
export interface NetSpec {
  net: NetKind;
  /** Hidden layer sizes (one for `two`). */
  hidden: number[];
  activation: Activation;
  init: WeightInit;
  weightDecay: number;
  batchnorm: boolean;
  /** The dropout ratio, or undefined for no Dropout layers. */
  dropout: number | undefined;
}

/**
 * The learning rate `bp` uses for each optimizer when --lr is not given: the book's defaults
 * (common/optimizer.py), except SGD's 0.1 of ch05/train_neuralnet.py, so that `bp train` stays the
 * book's run (the book's SGD class itself defaults to 0.01).
 */
export const DEFAULT_LR: Readonly<Record<OptimizerName, number>> = { ...BOOK_LR, sgd: 0.1 };

/** --optimizer and --lr, shared by `bp train` and its help. */
export const OPTIMIZER_OPTIONS: OptionSpec[] = [
  {
    name: "optimizer",
    type: "string",
    arg: OPTIMIZER_NAMES.join("|"),
    description: "how parameters are updated (the book's common/optimizer.py)",
    default: "sgd",
  },
  {
    name: "lr",
    type: "string",
    arg: "X",
    description: "learning rate",
    default: Object.entries(DEFAULT_LR)
      .map(([k, v]) => `${k} ${v}`)
      .join(", "),
  },
];

/** The optimizer and its learning rate (that optimizer's default unless --lr is given). */
export function optimizerOption(values: Values): { optimizer: OptimizerName; lr: number } {
  const optimizer = choiceOption(values, "optimizer", OPTIMIZER_NAMES, "sgd");
  return { optimizer, lr: numberOption(values, "lr", DEFAULT_LR[optimizer], 0)! };
}

/** The options of the net, shared by `bp train` and `bp gradcheck`. */
export const NET_OPTIONS: OptionSpec[] = [
  {
    name: "net",
    type: "string",
    arg: NET_KINDS.join("|"),
    description: "TwoLayerNet (ch05), MultiLayerNet or MultiLayerNetExtend (ch06), SimpleConvNet (ch07)",
    default: "two",
  },
  {
    name: "hidden",
    type: "string",
    arg: "N[,N...]",
    description: "hidden layer sizes (one for --net two)",
    default: "50; multi nets: 100,100,100,100",
  },
  {
    name: "activation",
    type: "string",
    arg: ACTIVATIONS.join("|"),
    description: "activation of the multi nets",
    default: "relu",
  },
  {
    name: "init",
    type: "string",
    arg: "std|he|xavier|X",
    description: "initial weights: std 0.01 (or --weight-init-std), He sqrt(2/n), Xavier sqrt(1/n), or std X",
    default: "std; multi nets: he",
  },
  {
    name: "weight-init-std",
    type: "string",
    arg: "X",
    description: "standard deviation of the initial weights (same as --init X)",
    default: "0.01",
  },
  { name: "weight-decay", type: "string", arg: "L", description: "L2 weight decay lambda (multi nets)", default: "0" },
  { name: "batchnorm", type: "boolean", description: "BatchNormalization after every Affine (--net multi-extend)" },
  {
    name: "dropout",
    type: "string",
    arg: "RATIO",
    description: "Dropout after every activation, dropping RATIO of the units (--net multi-extend)",
  },
];

/** Integer list option such as "--hidden 100,100,100". */
function hiddenSizes(values: Values, net: NetKind): number[] {
  const raw = stringOption(values, "hidden");
  if (raw === undefined) return net === "two" ? [50] : net === "simple-conv" ? [100] : [100, 100, 100, 100];
  const parts = raw.split(",").map((p) => p.trim());
  const sizes = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 1 || n > 100_000)) {
    throw new UsageError(
      `--hidden must be an integer from 1 to 100000, or a comma-separated list of them, got ${JSON.stringify(raw)}`,
    );
  }
  if ((net === "two" || net === "simple-conv") && sizes.length !== 1) {
    throw new UsageError(
      `--net ${net} has one hidden layer, got --hidden ${raw}; for more layers use --net multi or multi-extend`,
    );
  }
  return sizes;
}

/**
 * Reads and checks the net options. Options that the chosen net does not have are errors rather
 * than silently ignored: --batchnorm and --dropout need --net multi-extend; --activation,
 * --weight-decay and --init he|xavier need a multi net.
 */
export function netSpec(values: Values): NetSpec {
  const net = choiceOption(values, "net", NET_KINDS, "two");
  const multi = net === "multi" || net === "multi-extend";
  const needs = (flag: string, what: string) => {
    throw new UsageError(`${flag} needs ${what} (got --net ${net})`);
  };
  const hidden = hiddenSizes(values, net);
  if (values.activation !== undefined && !multi) needs("--activation", "--net multi or multi-extend");
  const activation = choiceOption(values, "activation", ACTIVATIONS, "relu");
  const weightDecay = checkedNumber(values, "weight-decay", (x) => x >= 0, "a number >= 0") ?? 0;
  if (values["weight-decay"] !== undefined && !multi) needs("--weight-decay", "--net multi or multi-extend");
  const batchnorm = values.batchnorm === true;
  if (batchnorm && net !== "multi-extend") needs("--batchnorm", "--net multi-extend");
  let dropout: number | undefined;
  if (values.dropout !== undefined) {
    if (net !== "multi-extend") needs("--dropout", "--net multi-extend");
    dropout = checkedNumber(values, "dropout", (x) => x >= 0 && x < 1, "a ratio from 0 up to (not including) 1");
  }
  return { net, hidden, activation, init: weightInit(values, net), weightDecay, batchnorm, dropout };
}

function weightInit(values: Values, net: NetKind): WeightInit {
  const raw = stringOption(values, "init");
  const std = numberOption(values, "weight-init-std", undefined, 0);
  if (std !== undefined && raw !== undefined && raw !== "std") {
    throw new UsageError(`give --init ${raw} or --weight-init-std ${std}, not both`);
  }
  if (raw === undefined) return std ?? (net === "two" || net === "simple-conv" ? 0.01 : "he");
  if (raw === "std") return std ?? 0.01;
  if (raw === "he" || raw === "xavier") {
    if (net === "two" || net === "simple-conv")
      throw new UsageError(`--init ${raw} needs --net multi or multi-extend (got --net ${net})`);
    return raw;
  }
  return checkedNumber(values, "init", (x) => x > 0, "std, he, xavier or a standard deviation > 0")!;
}

/** "784-100-100-10" */
export function shapeText(inputSize: number, spec: NetSpec, outputSize: number): string {
  if (spec.net === "simple-conv") {
    // "1x28x28-conv30x5x5-pool2x2-100-10": the book's conv_param and pooling, then the Affine sizes.
    const side = Math.round(Math.sqrt(inputSize));
    return `1x${side}x${side}-conv30x5x5-pool2x2-${spec.hidden[0]}-${outputSize}`;
  }
  return [inputSize, ...spec.hidden, outputSize].join("-");
}

/** "He", "Xavier", "std 0.01" */
export function initText(init: WeightInit): string {
  return init === "he" ? "He" : init === "xavier" ? "Xavier" : `std ${init}`;
}

/** What the multi nets add to the title line: "(relu, He, BatchNorm, Dropout 0.2, weight decay 0.1)". */
export function netDetails(spec: NetSpec): string {
  if (spec.net === "two" || spec.net === "simple-conv") return "";
  const parts = [spec.activation === "relu" ? "ReLU" : "sigmoid", `${initText(spec.init)} init`];
  if (spec.batchnorm) parts.push("BatchNorm");
  if (spec.dropout !== undefined) parts.push(`Dropout ${spec.dropout}`);
  if (spec.weightDecay > 0) parts.push(`weight decay ${spec.weightDecay}`);
  return ` (${parts.join(", ")})`;
}

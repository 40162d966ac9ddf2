import { checkedNumber, choiceOption, numberOption, stringOption, type OptionSpec, type Values } from "./args.js";
import {
  RUN_LR,
  NETS,
  NET_NAMES,
  OPTIMIZER_NAMES,
  netNamed,
  netsTaking,
  type Activation,
  type NetChoice,
  type NetName,
  type NetSetting,
  type OptimizerName,
} from "@bp/nets";
import { UsageError } from "./errors.js";

export const ACTIVATIONS = ["relu", "sigmoid"] as const;

/**
 * The book's `weight_init_std`: a number (a plain standard deviation), or "he" (sqrt(2 / n), the
 * book's 'relu') or "xavier" (sqrt(1 / n), the book's 'sigmoid').
 */
export type WeightInit = number | "he" | "xavier";

/** Everything the net options select, validated, with the net's defaults filled in. */
export interface NetSpec extends NetChoice {
  hidden: number[];
  activation: Activation;
  init: WeightInit;
  weightDecay: number;
  batchnorm: boolean;
  /** The dropout ratio, or undefined for no Dropout layers. */
  dropout: number | undefined;
}

/** The learning rate `bp` uses for each optimizer when --lr is not given (`RUN_LR` of @bp/nets). */
export const DEFAULT_LR: Readonly<Record<OptimizerName, number>> = RUN_LR;

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

/** "--net multi or multi-extend": the nets that take a setting. */
const takenBy = (setting: NetSetting) => `--net ${netsTaking(setting)}`;

/** The options of the net, shared by `bp train` and `bp gradcheck` (the nets and their defaults:
 * `NETS` of @bp/nets, the names the web app uses too). */
export const NET_OPTIONS: OptionSpec[] = [
  {
    name: "net",
    type: "string",
    arg: NET_NAMES.join("|"),
    description: NET_NAMES.map((n) => `${NETS[n].className} (ch0${NETS[n].chapter})`).join(", "),
    default: NET_NAMES[0],
  },
  {
    name: "hidden",
    type: "string",
    arg: "N[,N...]",
    description: `hidden layer sizes (one for --net ${NET_NAMES.filter((n) => NETS[n].hiddenLayers === "one").join(" and ")})`,
    default: `${NETS["two-layer"].hidden}; multi nets: ${NETS.multi.hidden}`,
  },
  {
    name: "activation",
    type: "string",
    arg: ACTIVATIONS.join("|"),
    description: `activation of the hidden layers (${takenBy("activation")})`,
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
  {
    name: "weight-decay",
    type: "string",
    arg: "L",
    description: `L2 weight decay lambda (${takenBy("weightDecay")})`,
    default: "0",
  },
  {
    name: "batchnorm",
    type: "boolean",
    description: `BatchNormalization after every Affine (${takenBy("batchnorm")})`,
  },
  {
    name: "dropout",
    type: "string",
    arg: "RATIO",
    description: `Dropout after every activation, dropping RATIO of the units (${takenBy("dropout")})`,
  },
];

/** Integer list option such as "--hidden 100,100,100". */
function hiddenSizes(values: Values, net: NetName): number[] {
  const raw = stringOption(values, "hidden");
  if (raw === undefined) return [...NETS[net].hidden];
  const parts = raw.split(",").map((p) => p.trim());
  const sizes = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 1 || n > 100_000)) {
    throw new UsageError(
      `--hidden must be an integer from 1 to 100000, or a comma-separated list of them, got ${JSON.stringify(raw)}`,
    );
  }
  if (NETS[net].hiddenLayers === "one" && sizes.length !== 1) {
    const many = NET_NAMES.filter((n) => NETS[n].hiddenLayers === "list").join(" or ");
    throw new UsageError(`--net ${net} has one hidden layer, got --hidden ${raw}; for more layers use --net ${many}`);
  }
  return sizes;
}

/** `--net NAME`: a name of NET_NAMES, or an earlier spelling (`two`) or the book's class name. */
function netOption(values: Values): NetName {
  const raw = stringOption(values, "net") ?? NET_NAMES[0];
  const net = netNamed(raw);
  if (net === undefined)
    throw new UsageError(`--net must be one of ${NET_NAMES.join(", ")}, got ${JSON.stringify(raw)}`);
  return net;
}

/**
 * Reads and checks the net options. Options that the chosen net does not have (its row of `NETS`)
 * are errors rather than silently ignored: --batchnorm and --dropout need --net multi-extend;
 * --activation, --weight-decay and --init he|xavier need a multi net.
 */
export function netSpec(values: Values): NetSpec {
  const net = netOption(values);
  const takes = (setting: NetSetting) => NETS[net].settings.includes(setting);
  const check = (flag: string, setting: NetSetting) => {
    if (values[flag] !== undefined && !takes(setting))
      throw new UsageError(`--${flag} needs ${takenBy(setting)} (got --net ${net})`);
  };
  const hidden = hiddenSizes(values, net);
  check("activation", "activation");
  const activation = choiceOption(values, "activation", ACTIVATIONS, "relu");
  const weightDecay = checkedNumber(values, "weight-decay", (x) => x >= 0, "a number >= 0") ?? 0;
  check("weight-decay", "weightDecay");
  check("batchnorm", "batchnorm");
  const batchnorm = values.batchnorm === true;
  check("dropout", "dropout");
  const dropout =
    values.dropout === undefined
      ? undefined
      : checkedNumber(values, "dropout", (x) => x >= 0 && x < 1, "a ratio from 0 up to (not including) 1");
  return { net, hidden, activation, init: weightInit(values, net), weightDecay, batchnorm, dropout };
}

function weightInit(values: Values, net: NetName): WeightInit {
  const raw = stringOption(values, "init");
  const std = numberOption(values, "weight-init-std", undefined, 0);
  if (std !== undefined && raw !== undefined && raw !== "std") {
    throw new UsageError(`give --init ${raw} or --weight-init-std ${std}, not both`);
  }
  const byName = NETS[net].settings.includes("initByName");
  if (raw === undefined) return std ?? (NETS[net].init as WeightInit);
  if (raw === "std") return std ?? 0.01;
  if (raw === "he" || raw === "xavier") {
    if (!byName) throw new UsageError(`--init ${raw} needs ${takenBy("initByName")} (got --net ${net})`);
    return raw;
  }
  return checkedNumber(values, "init", (x) => x > 0, "std, he, xavier or a standard deviation > 0")!;
}

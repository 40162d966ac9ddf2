// The book's nets as both apps name and offer them: one row per net (its name, class, chapter,
// defaults and the settings it takes), a `NetSpec` that says which net to build, and the title both
// apps print. `createNet(spec)` builds a spec; `bp train --net NAME` and the web app's `?net=NAME`
// use the same names with the same meaning.
import { ValueError, type FloatDType } from "@bp/tensor";
import type { Activation, WeightInitStd } from "./MultiLayerNet.js";
import type { NetKind } from "./Net.js";
import { DEFAULT_CONV_PARAM } from "./SimpleConvNet.js";

/** The nets by name: TwoLayerNet, MultiLayerNet, MultiLayerNetExtend, SimpleConvNet. */
export const NET_NAMES = ["two-layer", "multi", "multi-extend", "simple-conv"] as const;
export type NetName = (typeof NET_NAMES)[number];

/** A setting that some nets take, besides hidden sizes and a numeric `weight_init_std`. */
export type NetSetting = "activation" | "initByName" | "weightDecay" | "batchnorm" | "dropout";

/** One net of the book as the apps offer it. */
export interface NetRow {
  name: NetName;
  /** The book's class, the `kind` of `describe()`. */
  className: Exclude<NetKind, "LayerNet">;
  chapter: 5 | 6 | 7;
  /** Earlier spellings that mean this net (the CLI's `two`, the web app's `conv`). */
  aliases: readonly string[];
  /** "one": exactly one hidden size; "list": one or more hidden layers. */
  hiddenLayers: "one" | "list";
  /** The book's hidden sizes. */
  hidden: readonly number[];
  /** The book's `weight_init_std`. */
  init: WeightInitStd;
  /** The settings it takes besides hidden sizes and a numeric init. */
  settings: readonly NetSetting[];
  /** Takes images [N, C, H, W] rather than rows [N, features]. */
  images: boolean;
}

const MULTI_SETTINGS: readonly NetSetting[] = ["activation", "initByName", "weightDecay"];

/** Every net the apps offer, by name. */
export const NETS: Readonly<Record<NetName, NetRow>> = {
  "two-layer": {
    name: "two-layer",
    className: "TwoLayerNet",
    chapter: 5,
    aliases: ["two"],
    hiddenLayers: "one",
    hidden: [50],
    init: 0.01,
    settings: [],
    images: false,
  },
  multi: {
    name: "multi",
    className: "MultiLayerNet",
    chapter: 6,
    aliases: [],
    hiddenLayers: "list",
    hidden: [100, 100, 100, 100],
    init: "he",
    settings: MULTI_SETTINGS,
    images: false,
  },
  "multi-extend": {
    name: "multi-extend",
    className: "MultiLayerNetExtend",
    chapter: 6,
    aliases: [],
    hiddenLayers: "list",
    hidden: [100, 100, 100, 100],
    init: "he",
    settings: [...MULTI_SETTINGS, "batchnorm", "dropout"],
    images: false,
  },
  "simple-conv": {
    name: "simple-conv",
    className: "SimpleConvNet",
    chapter: 7,
    aliases: ["conv"],
    hiddenLayers: "one",
    hidden: [100],
    init: 0.01,
    settings: [],
    images: true,
  },
};

/** The net a word names: its name, an alias, or the book's class name (any case); else undefined. */
export function netNamed(word: string): NetName | undefined {
  const lower = String(word).toLowerCase();
  return NET_NAMES.find((n) => {
    const row = NETS[n];
    return n === word || row.aliases.includes(word) || row.className.toLowerCase() === lower;
  });
}

/** The names of the nets that take `setting`, e.g. "multi or multi-extend". */
export function netsTaking(setting: NetSetting): string {
  const names = NET_NAMES.filter((n) => NETS[n].settings.includes(setting));
  return names.length <= 1 ? (names[0] ?? "no net") : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}

/** Which net, and its settings: what `bp train --net ...` and the web app's form choose. Settings
 * left out take the net's defaults (its row of `NETS`). */
export interface NetChoice {
  net: NetName;
  /** Hidden layer sizes (one for two-layer and simple-conv). */
  hidden?: readonly number[] | undefined;
  /** The hidden layers' activation (multi nets; default "relu"). */
  activation?: Activation | undefined;
  /** A standard deviation (the book's `weight_init_std`), or by name ("he"/"relu", "xavier"/"sigmoid",
   * multi nets only). */
  init?: WeightInitStd | undefined;
  /** λ of the weight decay (multi nets; default 0). */
  weightDecay?: number | undefined;
  /** BatchNorm layers (multi-extend; default false). */
  batchnorm?: boolean | undefined;
  /** Dropout layers with this ratio (multi-extend); left out: no Dropout layers. */
  dropout?: number | undefined;
}

/** A net to build: the choice, the data's sizes, the seed and the dtype. */
export interface NetSpec extends NetChoice {
  /** Features of one row; for simple-conv the pixels of a square one-channel image (784 = 28x28). */
  inputSize: number;
  /** Classes. */
  outputSize: number;
  /** Seed of the initial weights (default 0). */
  seed?: number | undefined;
  dtype?: FloatDType | undefined;
}

/** What a setting of `NetChoice` is called in messages. */
const SETTING_OF: Readonly<Record<NetSetting, keyof NetChoice>> = {
  activation: "activation",
  initByName: "init",
  weightDecay: "weightDecay",
  batchnorm: "batchnorm",
  dropout: "dropout",
};

/** The value of each setting that every net has anyway (TwoLayerNet's hidden layer is a ReLU too). */
const NEUTRAL: Readonly<Record<NetSetting, unknown>> = {
  activation: "relu",
  initByName: undefined,
  weightDecay: 0,
  batchnorm: false,
  dropout: undefined,
};

/** [1, side, side] for `inputSize` pixels of a square image, or null when it is not a square. */
export function squareImage(inputSize: number): [number, number, number] | null {
  const side = Math.round(Math.sqrt(inputSize));
  return side * side === inputSize ? [1, side, side] : null;
}

/**
 * The description (`kind` and constructor `config`, as `describe()` records them) of the net a spec
 * asks for, with the net's defaults filled in; a ValueError naming `createNet` for a setting the net
 * does not take or sizes it cannot have.
 */
export function specDescription(spec: NetSpec): { kind: NetRow["className"]; config: Record<string, unknown> } {
  const op = "createNet";
  if (typeof spec !== "object" || spec === null || !Object.hasOwn(NETS, spec.net))
    throw new ValueError(op, `spec.net must be one of ${NET_NAMES.join(", ")}, got ${JSON.stringify(spec?.net)}`);
  const row = NETS[spec.net];
  // What a net without the setting does anyway (ReLU, no weight decay, no BatchNorm) is no conflict.
  const given = (s: NetSetting) =>
    s === "initByName" ? typeof spec.init === "string" : ![undefined, NEUTRAL[s]].includes(spec[SETTING_OF[s]]);
  for (const s of ["activation", "initByName", "weightDecay", "batchnorm", "dropout"] as const)
    if (given(s) && !row.settings.includes(s))
      throw new ValueError(
        op,
        `${SETTING_OF[s]} ${JSON.stringify(spec[SETTING_OF[s]])} needs ${netsTaking(s)}; ${row.name} (${row.className}) does not take it`,
      );
  const hidden = spec.hidden ?? row.hidden;
  if (row.hiddenLayers === "one" && hidden.length !== 1)
    throw new ValueError(
      op,
      `${row.name} (${row.className}) has one hidden layer, got hidden ${JSON.stringify(hidden)}`,
    );
  const common = { outputSize: spec.outputSize, weightInitStd: spec.init ?? row.init, seed: spec.seed ?? 0 };
  switch (row.name) {
    case "two-layer":
      return { kind: row.className, config: { inputSize: spec.inputSize, hiddenSize: hidden[0], ...common } };
    case "simple-conv": {
      const inputDim = squareImage(spec.inputSize);
      if (inputDim === null)
        throw new ValueError(
          op,
          `simple-conv (SimpleConvNet) needs square images (784 = 28x28 for MNIST), got rows of ${spec.inputSize} features`,
        );
      return { kind: row.className, config: { inputDim, hiddenSize: hidden[0], ...common } };
    }
    default: {
      const config: Record<string, unknown> = {
        inputSize: spec.inputSize,
        hiddenSizeList: [...hidden],
        ...common,
        activation: spec.activation ?? "relu",
        weightDecayLambda: spec.weightDecay ?? 0,
      };
      if (row.name === "multi-extend")
        Object.assign(config, {
          useBatchnorm: spec.batchnorm ?? false,
          useDropout: spec.dropout !== undefined,
          dropoutRatio: spec.dropout ?? 0.5,
        });
      return { kind: row.className, config };
    }
  }
}

/** "He", "Xavier", "std 0.01". */
export function initText(init: WeightInitStd): string {
  if (init === "he" || init === "relu") return "He";
  if (init === "xavier" || init === "sigmoid") return "Xavier";
  return `std ${init}`;
}

/**
 * The title both apps print: "TwoLayerNet 784-50-10", "MultiLayerNetExtend 784-100-100-10 (ReLU,
 * He init, BatchNorm, Dropout 0.2, weight decay 0.1)", "SimpleConvNet
 * 1x28x28-conv30x5x5-pool2x2-100-10" (the book's conv_param and pooling, then the Affine sizes).
 */
export function netTitle(spec: NetSpec): string {
  const row = NETS[spec.net];
  const hidden = spec.hidden ?? row.hidden;
  if (row.images) {
    const side = Math.round(Math.sqrt(spec.inputSize));
    const { filterNum, filterSize } = DEFAULT_CONV_PARAM;
    return `${row.className} 1x${side}x${side}-conv${filterNum}x${filterSize}x${filterSize}-pool2x2-${hidden[0]}-${spec.outputSize}`;
  }
  const title = `${row.className} ${[spec.inputSize, ...hidden, spec.outputSize].join("-")}`;
  if (row.settings.length === 0) return title;
  const parts = [
    (spec.activation ?? "relu") === "relu" ? "ReLU" : "sigmoid",
    `${initText(spec.init ?? row.init)} init`,
  ];
  if (spec.batchnorm === true) parts.push("BatchNorm");
  if (spec.dropout !== undefined) parts.push(`Dropout ${spec.dropout}`);
  if ((spec.weightDecay ?? 0) > 0) parts.push(`weight decay ${spec.weightDecay}`);
  return `${title} (${parts.join(", ")})`;
}

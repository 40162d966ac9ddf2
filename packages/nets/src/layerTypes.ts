import {
  Affine,
  BatchNormalization,
  Convolution,
  Dropout,
  Pooling,
  Relu,
  Sigmoid,
  SoftmaxWithLoss,
  type Layer,
  type LossLayer,
} from "@bp/layers";
import { type Rng, ValueError, type Tensor } from "@bp/tensor";
import type { LayerDescription, NetDescription } from "./Net.js";
import { shortJson, shortText } from "@bp/data";

/** What a layer type needs to be rebuilt: its tensors (by the layer's own names, `W`, `b`,
 * `runningMean`...), its settings, and a generator for layers that draw random numbers. */
export interface LayerBuildContext {
  tensors: Readonly<Record<string, Tensor>>;
  config: Readonly<Record<string, number | string | boolean>>;
  rng: Rng;
}

/**
 * One row of the layer table: how a layer type is recognised, described and rebuilt. Save/load,
 * `net.to(backend)` and `describe()` go through this table only; adding a layer type is one row.
 */
export interface LayerType<L extends Layer = Layer> {
  /** The name stored in a net description (`"Affine"`). */
  readonly type: string;
  /** The layer's class. */
  readonly layerClass: abstract new (
    ...args: never[]
  ) => L;
  /** The layer's settings other than tensors (`{ momentum: 0.9 }`). */
  config(layer: L): Record<string, number | string | boolean>;
  /** A layer from its tensors and settings. */
  build(context: LayerBuildContext): L;
}

function tensorOf(ctx: LayerBuildContext, type: string, key: string): Tensor {
  const t = ctx.tensors[key];
  if (t === undefined) throw new ValueError(`build ${type}`, `missing tensor '${key}'`);
  return t;
}

function num(ctx: LayerBuildContext, type: string, key: string): number {
  const v = ctx.config[key];
  if (typeof v !== "number")
    throw new ValueError(`build ${type}`, `config '${key}' must be a number, got ${shortJson(v)}`);
  return v;
}

const row = <L extends Layer>(r: LayerType<L>): LayerType => r as unknown as LayerType;

/** The layer types bp can describe, save, load and move between backends. */
export const LAYER_TYPES: readonly LayerType[] = [
  row<Affine>({
    type: "Affine",
    layerClass: Affine,
    config: () => ({}),
    build: (ctx) => new Affine(tensorOf(ctx, "Affine", "W"), tensorOf(ctx, "Affine", "b")),
  }),
  row<Relu>({ type: "Relu", layerClass: Relu, config: () => ({}), build: () => new Relu() }),
  row<Sigmoid>({ type: "Sigmoid", layerClass: Sigmoid, config: () => ({}), build: () => new Sigmoid() }),
  row<BatchNormalization>({
    type: "BatchNormalization",
    layerClass: BatchNormalization,
    config: (l) => ({ momentum: l.momentum }),
    build: (ctx) =>
      new BatchNormalization(
        tensorOf(ctx, "BatchNormalization", "gamma"),
        tensorOf(ctx, "BatchNormalization", "beta"),
        {
          momentum: num(ctx, "BatchNormalization", "momentum"),
          runningMean: tensorOf(ctx, "BatchNormalization", "runningMean"),
          runningVar: tensorOf(ctx, "BatchNormalization", "runningVar"),
        },
      ),
  }),
  row<Dropout>({
    type: "Dropout",
    layerClass: Dropout,
    config: (l) => ({ dropoutRatio: l.dropoutRatio }),
    build: (ctx) => new Dropout(ctx.rng, { dropoutRatio: num(ctx, "Dropout", "dropoutRatio") }),
  }),
  row<Convolution>({
    type: "Convolution",
    layerClass: Convolution,
    config: (l) => ({ stride: l.stride, pad: l.pad }),
    build: (ctx) =>
      new Convolution(
        tensorOf(ctx, "Convolution", "W"),
        tensorOf(ctx, "Convolution", "b"),
        num(ctx, "Convolution", "stride"),
        num(ctx, "Convolution", "pad"),
      ),
  }),
  row<Pooling>({
    type: "Pooling",
    layerClass: Pooling,
    config: (l) => ({ poolH: l.poolH, poolW: l.poolW, stride: l.stride, pad: l.pad }),
    build: (ctx) =>
      new Pooling(
        num(ctx, "Pooling", "poolH"),
        num(ctx, "Pooling", "poolW"),
        num(ctx, "Pooling", "stride"),
        num(ctx, "Pooling", "pad"),
      ),
  }),
];

/** The table row of a layer, or a ValueError naming the supported types. */
export function layerTypeOf(layer: Layer, op = "layerTypeOf"): LayerType {
  const found = LAYER_TYPES.find((r) => layer instanceof r.layerClass);
  if (found === undefined)
    throw new ValueError(
      op,
      `no layer-table row for ${layer.constructor.name}; supported: ${LAYER_TYPES.map((r) => r.type).join(", ")}`,
    );
  return found;
}

/** The table row of a type name, or a ValueError naming the supported types. */
export function layerTypeNamed(type: string, op = "layerTypeNamed"): LayerType {
  const found = LAYER_TYPES.find((r) => r.type === type);
  if (found === undefined)
    throw new ValueError(
      op,
      `unknown layer type ${shortJson(type)}; supported: ${LAYER_TYPES.map((r) => r.type).join(", ")}`,
    );
  return found;
}

/** A layer's entry in a net description. */
export function describeLayer(
  name: string,
  layer: Layer,
  params: Record<string, string> | undefined,
  state: Record<string, string> | undefined,
): LayerDescription {
  const r = layerTypeOf(layer, "describe");
  const d: LayerDescription = { name, type: r.type };
  if (params !== undefined) d.params = params;
  if (state !== undefined) d.state = state;
  const config = r.config(layer);
  if (Object.keys(config).length > 0) d.config = config;
  return d;
}

/**
 * The layers of a description, rebuilt through the layer table around the given tensors (by the
 * net's names, `W1`, `runningMean1`, ...; held, not copied). Layers that draw random numbers
 * (Dropout) draw from `rng`.
 */
export function buildLayers(
  description: Pick<NetDescription, "layers">,
  tensors: Readonly<Record<string, Tensor>>,
  rng: Rng,
  op = "buildLayers",
): [string, Layer][] {
  return description.layers.map((d) => {
    const own: Record<string, Tensor> = {};
    for (const [key, n] of [...Object.entries(d.params ?? {}), ...Object.entries(d.state ?? {})]) {
      const t = tensors[n];
      if (t === undefined)
        throw new ValueError(
          op,
          `layer ${shortText(d.name)} needs tensor '${shortText(n)}' (its ${shortText(key)}), which is missing`,
        );
      own[key] = t;
    }
    return [d.name, layerTypeNamed(d.type, op).build({ tensors: own, config: d.config ?? {}, rng })];
  });
}

/** The last layers a net description can name (one row per type). */
export const LOSS_LAYER_TYPES: readonly { type: string; layerClass: new () => LossLayer }[] = [
  { type: "SoftmaxWithLoss", layerClass: SoftmaxWithLoss },
];

export function lossLayerTypeOf(layer: LossLayer): string {
  const found = LOSS_LAYER_TYPES.find((r) => layer instanceof r.layerClass);
  if (found === undefined)
    throw new ValueError(
      "describe",
      `no table row for the last layer ${layer.constructor.name}; supported: SoftmaxWithLoss`,
    );
  return found.type;
}

export function buildLossLayer(type: string, op = "buildLossLayer"): LossLayer {
  const found = LOSS_LAYER_TYPES.find((r) => r.type === type);
  if (found === undefined)
    throw new ValueError(op, `unknown last layer type ${shortJson(type)}; supported: SoftmaxWithLoss`);
  return new found.layerClass();
}

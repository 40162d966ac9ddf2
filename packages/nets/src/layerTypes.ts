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
 *
 * bp's own rows are `LAYER_TYPES`. A layer of your own gets a row that you pass where it is
 * needed, never registered globally: `new LayerNet(layers, lastLayer, { layerTypes: [row] })` (the
 * net keeps it, so `describe()`, `to()` and `encodeNet` work) and `decodeNet(bytes, { layerTypes:
 * [row] })` to load the file. `config` must return finite numbers, strings and booleans; `build`
 * gets them back from a file, so it checks them (a file comes from anyone) and throws on bad ones.
 *
 * ```ts
 * const tanhRow: LayerType<Tanh> = {
 *   type: "Tanh",
 *   layerClass: Tanh,
 *   config: () => ({}),
 *   build: () => new Tanh(),
 * };
 * ```
 */
export interface LayerType<L extends Layer = Layer> {
  /** The name stored in a net description (`"Affine"`): letters, digits and `_`, one row per name. */
  readonly type: string;
  /** The layer's class (one row per class: layers are found by `instanceof`). */
  readonly layerClass: abstract new (
    ...args: never[]
  ) => L;
  /** The layer's settings other than tensors (`{ momentum: 0.9 }`): finite numbers, strings or
   * booleans by name, stored in the description. */
  config(layer: L): Record<string, number | string | boolean>;
  /** A layer from its tensors (by the layer's own names: `W`, `b`, ...) and settings, which may come
   * from a file: check them and throw on bad ones. */
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

const TYPE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const builtInRow = (r: LayerType): boolean => LAYER_TYPES.includes(r);

/**
 * The layer table with the caller's own rows: the built-in `LAYER_TYPES` and `extra`, each extra row
 * checked (a type name of letters, digits and `_`; a layer class; `config` and `build` functions).
 * A row may not take a built-in's name or class (or a class built-in layers extend), nor repeat an
 * earlier row's: the table never has two answers for one layer or one name. `where` names the
 * option in errors (`options.layerTypes`).
 */
export function layerTable(
  extra: readonly LayerType[] | undefined,
  op: string,
  where = "options.layerTypes",
): readonly LayerType[] {
  if (extra === undefined || extra.length === 0) return LAYER_TYPES;
  if (!Array.isArray(extra))
    throw new ValueError(op, `${where} must be an array of layer-table rows, got ${shortJson(extra)}`);
  const table: LayerType[] = [...LAYER_TYPES];
  extra.forEach((r: unknown, i) => {
    const at = `${where}[${i}]`;
    const row = r as Partial<LayerType> | null;
    if (typeof row !== "object" || row === null)
      throw new ValueError(op, `${at} must be a layer-table row { type, layerClass, config, build }, got ${String(r)}`);
    if (typeof row.type !== "string" || !TYPE_NAME.test(row.type))
      throw new ValueError(
        op,
        `${at}.type must be a name of letters, digits and _ (like "Tanh"), got ${shortJson(row.type)}`,
      );
    if (typeof row.layerClass !== "function")
      throw new ValueError(op, `${at}.layerClass must be the layer's class, got ${shortJson(row.layerClass)}`);
    if (typeof row.config !== "function" || typeof row.build !== "function")
      throw new ValueError(op, `${at} (${row.type}) needs config(layer) and build(context) functions`);
    const cls = row.layerClass;
    for (const other of table) {
      const builtIn = builtInRow(other) ? "built-in " : "";
      if (other.type === row.type)
        throw new ValueError(
          op,
          `${at} is named ${shortJson(row.type)} like the ${builtIn}row ${other.type}; a layer type has one row (give your type its own name)`,
        );
      if (other.layerClass === cls || other.layerClass.prototype instanceof cls)
        throw new ValueError(
          op,
          `${at} (${row.type}) has layerClass ${cls.name}, which the ${builtIn}row ${other.type} already describes (${other.layerClass.name}); a layer class has one row`,
        );
    }
    table.push(row as LayerType);
  });
  return table;
}

const tableNames = (table: readonly LayerType[]): string => table.map((r) => r.type).join(", ");
const addRowHint = (table: readonly LayerType[], hint: string): string =>
  table.length === LAYER_TYPES.length ? `; ${hint}` : "";

/** The table row of a layer (a row of the caller's own first, so that a layer class extending a
 * built-in one finds its own row), or a ValueError naming the supported types. */
export function layerTypeOf(layer: Layer, op = "layerTypeOf", table: readonly LayerType[] = LAYER_TYPES): LayerType {
  const own = table.slice(LAYER_TYPES.length);
  const found =
    own.find((r) => layer instanceof r.layerClass) ?? LAYER_TYPES.find((r) => layer instanceof r.layerClass);
  if (found === undefined)
    throw new ValueError(
      op,
      `no layer-table row for ${layer.constructor.name}; supported: ${tableNames(table)}${addRowHint(table, "a layer of your own is described by its row, passed as new LayerNet(layers, lastLayer, { layerTypes: [row] })")}`,
    );
  return found;
}

/** The table row of a type name, or a ValueError naming the supported types. */
export function layerTypeNamed(
  type: string,
  op = "layerTypeNamed",
  table: readonly LayerType[] = LAYER_TYPES,
): LayerType {
  const found = table.find((r) => r.type === type);
  if (found === undefined)
    throw new ValueError(op, `unknown layer type ${shortJson(type)}; supported: ${tableNames(table)}`);
  return found;
}

/** A layer's entry in a net description. */
export function describeLayer(
  name: string,
  layer: Layer,
  params: Record<string, string> | undefined,
  state: Record<string, string> | undefined,
  table: readonly LayerType[] = LAYER_TYPES,
): LayerDescription {
  const r = layerTypeOf(layer, "describe", table);
  const d: LayerDescription = { name, type: r.type };
  if (params !== undefined) d.params = params;
  if (state !== undefined) d.state = state;
  const config = r.config(layer);
  if (!builtInRow(r)) checkConfig(`describe`, `${r.type}.config(${shortText(name)})`, config);
  if (Object.keys(config).length > 0) d.config = config;
  return d;
}

/** A row's config as a description stores it: finite numbers, strings and booleans by name (what
 * decodeNet reads back), so that a saved net always loads. */
function checkConfig(op: string, what: string, config: unknown): void {
  if (typeof config !== "object" || config === null || Array.isArray(config))
    throw new ValueError(op, `${what} must return an object of settings, got ${shortJson(config)}`);
  for (const [k, v] of Object.entries(config))
    if (!(typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v))))
      throw new ValueError(
        op,
        `${what} returned ${shortText(k)} = ${shortJson(v)}; a setting is a finite number, a string or a boolean`,
      );
}

/**
 * The layers of a description, rebuilt through the layer table around the given tensors (by the
 * net's names, `W1`, `runningMean1`, ...; held, not copied). Layers that draw random numbers
 * (Dropout) draw from `rng`. `table` is `LAYER_TYPES` or `layerTable(yourRows)`; a row of your
 * own must build a layer of its class, and anything it throws comes back as a ValueError naming
 * the layer.
 */
export function buildLayers(
  description: Pick<NetDescription, "layers">,
  tensors: Readonly<Record<string, Tensor>>,
  rng: Rng,
  op = "buildLayers",
  table: readonly LayerType[] = LAYER_TYPES,
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
    const r = layerTypeNamed(d.type, op, table);
    const context = { tensors: own, config: d.config ?? {}, rng };
    if (builtInRow(r)) return [d.name, r.build(context)];
    let layer: Layer;
    try {
      layer = r.build(context);
    } catch (e) {
      throw new ValueError(
        op,
        `layer ${shortText(d.name)} (your row ${r.type}) could not be built from its config ${shortJson(d.config ?? {})}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    if (!(layer instanceof r.layerClass))
      throw new ValueError(
        op,
        `layer ${shortText(d.name)}: row ${r.type}.build returned ${describeLayerValue(layer)}, expected a ${r.layerClass.name}`,
      );
    return [d.name, layer];
  });
}

const describeLayerValue = (v: unknown): string =>
  typeof v === "object" && v !== null ? `a ${v.constructor?.name ?? "object"}` : shortJson(v);

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

import { decodeSafetensors, encodeSafetensors, shortJson, shortText } from "@bp/data";
import {
  BpError,
  Rng,
  ValueError,
  cpu,
  describeValue,
  isFloatDType,
  type Backend,
  type Tensor,
  checkOptions,
} from "@bp/tensor";
import { listNames } from "./errorText.js";
import { estimateMemory, hasLayout, netLayout, type NetLayout } from "./memoryEstimate.js";
import { LayerNet } from "./LayerNet.js";
import {
  LAYER_TYPES,
  LOSS_LAYER_TYPES,
  buildLayers,
  buildLossLayer,
  layerTable,
  type LayerType,
} from "./layerTypes.js";
import type { Net, NetDescription } from "./Net.js";
import { dropoutSeed } from "./seededTraining.js";
import { TwoLayerNet, twoLayerNetFrom, type TwoLayerParams } from "./TwoLayerNet.js";

/** The `format` metadata value of nets saved by `encodeNet` (versioned). */
export const NET_FORMAT = "bp.net/1";
/** The `format` of the files `bp train --save` wrote before `NET_FORMAT` (W1 b1 W2 b2 only). */
export const LEGACY_TWO_LAYER_FORMAT = "bp.TwoLayerNet";

/** Most layers a file may declare: the book's nets have at most a few dozen, and a net is
 * evaluated layer by layer, so a file of 100 000 Relu layers would run for minutes. */
export const MAX_LAYERS = 1000;

/** The metadata keys `encodeNet` writes itself. */
const RESERVED = ["format", "architecture"];

/**
 * A net as safetensors bytes: every parameter and state tensor under its net name (`W1`, `gamma1`,
 * `runningMean1`, ...), and in `__metadata__` the format name `bp.net/1`, the architecture
 * (`net.describe()`) as JSON under `architecture`, and any extra string `metadata` (for example
 * what data the net was trained on).
 */
export function encodeNet(net: Net, metadata: Record<string, string> = {}): Uint8Array {
  checkOptions("encodeNet", metadata, "metadata");
  if (typeof net?.describe !== "function" || typeof net.params !== "object")
    throw new ValueError("encodeNet", `net must be a Net (with params, state and describe()), got ${String(net)}`);
  for (const k of RESERVED)
    if (k in metadata) throw new ValueError("encodeNet", `metadata key "${k}" is reserved (written by encodeNet)`);
  return encodeSafetensors(
    { ...net.params, ...net.state },
    { ...metadata, format: NET_FORMAT, architecture: JSON.stringify(net.describe()) },
  );
}

export interface DecodeNetOptions {
  /** Backend of the rebuilt net (default `cpu`). */
  backend?: Backend;
  /** File name for error messages. */
  name?: string;
  /** Rows of the layer table for layer types of your own that the file names (see `LayerType`;
   * the same rows the saved net was built with). The loaded net keeps them. */
  layerTypes?: readonly LayerType[];
}

/** A decoded net and the extra metadata saved with it. */
export interface DecodedNet {
  net: LayerNet;
  description: NetDescription;
  /** The metadata other than `format` and `architecture`. */
  metadata: Record<string, string>;
}

/**
 * A net from `encodeNet` bytes, rebuilt through the layer table (`LAYER_TYPES` and the rows of
 * `options.layerTypes`, whose `build` checks its own layers' config) around the stored tensors; also reads the files of the older `bp.TwoLayerNet` format (W1 b1 W2 b2). A TwoLayerNet
 * comes back as a `TwoLayerNet`; other nets as a `LayerNet` with their description (`kind`,
 * `config`). Dropout layers draw from a fresh `Rng(dropoutSeed(config.seed))`.
 */
export function decodeNet(bytes: Uint8Array, options: DecodeNetOptions = {}): DecodedNet {
  const op = "decodeNet";
  if (!(bytes instanceof Uint8Array))
    throw new ValueError(op, `bytes must be a Uint8Array (a file's contents), got ${describeValue(bytes)}`);
  checkOptions(op, options, "options", ["backend", "name", "layerTypes"]);
  const table = layerTable(options.layerTypes, op);
  if (options.backend !== undefined && !isBackend(options.backend))
    throw new ValueError(
      op,
      `options.backend must be a Backend object (cpu, or one made by createWasmBackend/createWorkerBackend), got ${describeValue(options.backend)}`,
    );
  if (options.name !== undefined && typeof options.name !== "string")
    throw new ValueError(op, `options.name must be a string (a file name), got ${describeValue(options.name)}`);
  const file = options.name ?? "<net>";
  const { tensors, metadata } = decodeSafetensors(bytes, { name: file, backend: options.backend ?? cpu });
  const { format, architecture, ...rest } = metadata;
  const fail = (message: string): never => {
    throw new ValueError(op, `${file}: ${message}`);
  };
  for (const [n, t] of Object.entries(tensors)) {
    if (!isFloatDType(t.dtype)) fail(`tensor ${shortText(n)} is ${t.dtype}, expected float64 or float32`);
    if (format === NET_FORMAT && n.startsWith("runningVar")) {
      const i = t.data.findIndex((v) => v < 0);
      if (i >= 0) fail(`${shortText(n)} holds ${t.data[i]} at flat index ${i}; a running variance is never negative`);
    }
    const d = t.data;
    for (let i = 0; i < d.length; i++)
      if (!Number.isFinite(d[i]!))
        fail(`${shortText(n)} holds ${d[i]} at flat index ${i}; expected finite numbers (did training diverge?)`);
  }
  if (format === undefined || format === LEGACY_TWO_LAYER_FORMAT) {
    const extra = Object.keys(tensors).filter((n) => !["W1", "b1", "W2", "b2"].includes(n));
    if (extra.length > 0)
      fail(`unexpected ${tensorsNamed(extra)} (a ${LEGACY_TWO_LAYER_FORMAT} file holds W1, b1, W2, b2)`);
    const missing = ["W1", "b1", "W2", "b2"].filter((n) => !(n in tensors));
    if (missing.length > 0)
      fail(`missing ${tensorsNamed(missing)} (a ${LEGACY_TWO_LAYER_FORMAT} file holds W1, b1, W2, b2)`);
    const net = TwoLayerNet.fromParams(tensors as unknown as TwoLayerParams);
    return { net, description: net.describe(), metadata: rest };
  }
  if (format !== NET_FORMAT)
    fail(
      `metadata format is ${shortJson(format)}, expected ${JSON.stringify(NET_FORMAT)} or ${JSON.stringify(LEGACY_TWO_LAYER_FORMAT)}`,
    );
  const description = parseDescription(architecture, fail, table);
  for (const t of Object.values(tensors))
    if (t.dtype !== description.dtype) fail(`tensors are ${t.dtype} but the architecture says ${description.dtype}`);
  const used = new Set(
    description.layers.flatMap((l) => [...Object.values(l.params ?? {}), ...Object.values(l.state ?? {})]),
  );
  const paramNames = new Set(description.layers.flatMap((l) => Object.values(l.params ?? {})));
  const unknownShapes = Object.keys(description.paramShapes).filter((n) => !paramNames.has(n));
  if (unknownShapes.length > 0)
    fail(`metadata architecture: paramShapes names ${listNames(unknownShapes)}, which no layer has as a parameter`);
  const noShape = [...paramNames].filter((n) => !Object.hasOwn(description.paramShapes, n));
  if (noShape.length > 0) fail(`metadata architecture: paramShapes has no shape for ${listNames(noShape)}`);
  const extra = Object.keys(tensors).filter((n) => !used.has(n));
  if (extra.length > 0)
    fail(`${tensorsNamed(extra)} ${extra.length === 1 ? "belongs" : "belong"} to no layer of the architecture`);
  for (const [n, shape] of Object.entries(description.paramShapes)) {
    const t = tensors[n];
    if (t !== undefined && (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i])))
      fail(`tensor ${shortText(n)} has shape [${t.shape.join(", ")}] but the architecture says [${shape.join(", ")}]`);
  }
  checkLayout(description, fail);
  let net: LayerNet;
  try {
    net = netFromDescription(description, tensors, op, options.layerTypes);
  } catch (e) {
    if (!(e instanceof BpError)) throw e;
    const message = e.message.startsWith(`${op}: `) ? e.message.slice(op.length + 2) : e.message;
    return fail(`metadata architecture: ${message}`);
  }
  return { net, description, metadata: rest };
}

/** JSON with every object's keys sorted (so that key order does not make two layers differ). */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_, x: unknown) =>
    typeof x === "object" && x !== null && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

/** Whether `b` looks like a Backend (an object with a name and the storage primitives). */
function isBackend(b: unknown): b is Backend {
  return (
    typeof b === "object" &&
    b !== null &&
    typeof (b as Backend).name === "string" &&
    typeof (b as { alloc?: unknown }).alloc === "function"
  );
}

/**
 * The layers of a file against its kind: a net of a known kind (TwoLayerNet, MultiLayerNet,
 * MultiLayerNetExtend, SimpleConvNet) must list exactly the layers and parameter shapes its
 * constructor builds from the stored config (`netLayout`), so that the kind printed, the config
 * shown (and used to draw the net before training) and the layers evaluated are one net. Any
 * layout, known kind or not, must fit together layer by layer (`estimateMemory` follows the
 * shapes through the layers and names the first that does not fit).
 */
function checkLayout(d: NetDescription, fail: (message: string) => never): void {
  let layout: NetLayout;
  if (hasLayout(d.kind)) {
    try {
      layout = netLayout(d, "config");
    } catch (e) {
      if (!(e instanceof BpError)) throw e;
      fail(`metadata architecture: ${e.message}`);
    }
    const differs = (a: unknown, b: unknown) => canonicalJson(a) !== canonicalJson(b);
    const n = Math.max(layout.layers.length, d.layers.length);
    for (let i = 0; i < n; i++) {
      const want = layout.layers[i];
      const got = d.layers[i];
      if (differs(want, got))
        fail(
          `metadata architecture: kind ${d.kind} with this config has ${want === undefined ? `${layout.layers.length} layers` : `layers[${i}] = ${shortJson(want)}`}, but the layer list has ${got === undefined ? `${d.layers.length} layers` : shortJson(got)}; the kind, config and layers must describe one net`,
        );
    }
    for (const [name, shape] of Object.entries(layout.paramShapes))
      if (differs(shape, d.paramShapes[name]))
        fail(
          `metadata architecture: kind ${d.kind} with this config has ${shortText(name)} of shape [${shape.join(", ")}], but paramShapes says ${shortJson(d.paramShapes[name])}`,
        );
  } else if (d.kind === "LayerNet") {
    const first = d.layers[0]!;
    const w = first.type === "Affine" ? d.paramShapes[first.params?.W ?? ""] : undefined;
    // A layer list whose input size the first layer tells (a conv net's image size it does not).
    if (w === undefined) return;
    // Shapes are followed up to the first layer of a type of your own (what it does to a shape
    // only its row's layer knows); that layer and those after it are checked when they run.
    const own = d.layers.findIndex((l) => !LAYER_TYPES.some((r) => r.type === l.type));
    const layers = own < 0 ? d.layers : d.layers.slice(0, own);
    layout = { layers, paramShapes: d.paramShapes, stateShapes: {}, inputShape: [w[0] ?? 0] };
  } else {
    fail(
      `metadata architecture: kind ${shortJson(d.kind)} is not one of TwoLayerNet, MultiLayerNet, MultiLayerNetExtend, SimpleConvNet, LayerNet`,
    );
  }
  try {
    estimateMemory(layout, { dtype: d.dtype }, "layers");
  } catch (e) {
    if (!(e instanceof BpError)) throw e;
    fail(`metadata architecture: ${e.message}`);
  }
}

/** A net rebuilt from its description around the given tensors (held, not copied); `layerTypes`:
 * rows of your own layer types that the description names (kept by the net). */
export function netFromDescription(
  description: NetDescription,
  tensors: Readonly<Record<string, Tensor>>,
  op = "netFromDescription",
  layerTypes?: readonly LayerType[],
): LayerNet {
  if (description.kind === "TwoLayerNet")
    return twoLayerNetFrom(tensors as unknown as TwoLayerParams, description.config);
  const seed = typeof description.config.seed === "number" ? description.config.seed : 0;
  const rng = new Rng(dropoutSeed(seed));
  const first = Object.values(tensors)[0];
  const layers = buildLayers(description, tensors, rng, op, layerTable(layerTypes, op));
  return new LayerNet(layers, buildLossLayer(description.lastLayer.type, op), {
    weightDecayLambda: description.weightDecayLambda,
    kind: description.kind,
    config: description.config,
    dtype: description.dtype,
    backend: first?.backend ?? cpu,
    rng,
    layerTypes,
  });
}

/** "tensor a" or "tensors a, b, c, d, e and 995 more". */
const tensorsNamed = (names: readonly string[]): string =>
  `${names.length === 1 ? "tensor" : "tensors"} ${listNames(names)}`;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isStringMap = (v: unknown): boolean => isRecord(v) && Object.values(v).every((s) => typeof s === "string");

/** The architecture JSON of a file, checked field by field (it comes from a file, so from anyone). */
function parseDescription(
  json: string | undefined,
  fail: (message: string) => never,
  table: readonly LayerType[],
): NetDescription {
  if (json === undefined) return fail("metadata has no architecture");
  let d: unknown;
  try {
    d = JSON.parse(json);
  } catch {
    return fail("metadata architecture is not valid JSON");
  }
  const bad = (what: string): never => fail(`metadata architecture: ${what}`);
  if (!isRecord(d)) return bad("expected a JSON object");
  if (typeof d.kind !== "string") bad("kind must be a string");
  if (!isRecord(d.config)) bad("config must be an object");
  if (d.dtype !== "float64" && d.dtype !== "float32") bad(`dtype must be "float64" or "float32"`);
  if (typeof d.weightDecayLambda !== "number" || !(d.weightDecayLambda >= 0) || !Number.isFinite(d.weightDecayLambda))
    bad(`weightDecayLambda must be a finite number >= 0, got ${shortJson(d.weightDecayLambda)}`);
  if (!isRecord(d.lastLayer) || typeof d.lastLayer.type !== "string") bad("lastLayer must be { type }");
  else if (!LOSS_LAYER_TYPES.some((r) => r.type === (d.lastLayer as { type: string }).type))
    bad(
      `lastLayer: unknown type ${shortJson((d.lastLayer as { type: string }).type)}; supported: ${LOSS_LAYER_TYPES.map((r) => r.type).join(", ")}`,
    );
  if (
    !isRecord(d.paramShapes) ||
    !Object.values(d.paramShapes).every((s) => Array.isArray(s) && s.every(Number.isInteger))
  )
    bad("paramShapes must map names to integer arrays");
  if (!Array.isArray(d.layers) || d.layers.length === 0) return bad("layers must be a non-empty array");
  if (d.layers.length > MAX_LAYERS) bad(`layers lists ${d.layers.length} layers, more than the limit of ${MAX_LAYERS}`);
  const names = new Set<string>();
  const tensorOwners = new Map<string, string>();
  d.layers.forEach((l: unknown, i: number) => {
    if (!isRecord(l) || typeof l.name !== "string" || typeof l.type !== "string")
      bad(`layers[${i}] must have a string name and type`);
    const layer = l as Record<string, unknown>;
    for (const key of ["params", "state"]) {
      if (layer[key] !== undefined && !isStringMap(layer[key])) bad(`layers[${i}].${key} must map names to names`);
    }
    if (
      layer.config !== undefined &&
      !(
        isRecord(layer.config) &&
        Object.values(layer.config).every((v) => ["number", "string", "boolean"].includes(typeof v))
      )
    )
      bad(`layers[${i}].config must map names to numbers, strings or booleans`);
    if (!table.some((r) => r.type === layer.type))
      bad(
        `layers[${i}]: unknown layer type ${shortJson(layer.type)}; supported: ${table.map((r) => r.type).join(", ")}; a layer type of your own loads with its row: decodeNet(bytes, { layerTypes: [row] })`,
      );
    const name = layer.name as string;
    if (names.has(name))
      bad(`layers[${i}] is named ${shortJson(name)} like an earlier layer; layer names must be unique`);
    names.add(name);
    for (const t of [
      ...Object.values((layer.params ?? {}) as Record<string, string>),
      ...Object.values((layer.state ?? {}) as Record<string, string>),
    ]) {
      const owner = tensorOwners.get(t);
      if (owner !== undefined)
        bad(
          `layers ${shortJson(owner)} and ${shortJson(name)} both name the tensor ${shortJson(t)}; each tensor belongs to one layer`,
        );
      tensorOwners.set(t, name);
    }
  });
  return d as unknown as NetDescription;
}

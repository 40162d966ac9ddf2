import { readFileBytes, writeFileAtomic } from "@bp/data";
import { decodeNet, encodeNet, hasLayout, netLayout, type Net, type NetDescription, type NetLayout } from "@bp/nets";
import type { Backend, FloatDType } from "@bp/tensor";
import { imageShapeOf } from "./convNet.js";

/** How the model was trained; stored as strings in the safetensors `__metadata__`. */
export interface ModelInfo {
  /** "mnist" or "csv": the data the model expects, so eval/predict can default to it. */
  data: string;
  /** CSV features were divided by this. */
  scale?: number;
  [key: string]: string | number | undefined;
}

/**
 * Saves any net with the library's `encodeNet` (safetensors, the architecture as JSON in the
 * metadata) plus `info`, written atomically. This file only does the file I/O.
 */
export function saveModel(path: string, net: Net, info: ModelInfo): void {
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(info)) if (v !== undefined) metadata[k] = String(v);
  writeFileAtomic(path, encodeNet(net, metadata), "saveModel");
}

export interface LoadedModel {
  net: Net;
  description: NetDescription;
  /** The metadata saved with the net (data, scale, lr, ...), without the format and architecture. */
  metadata: Record<string, string>;
  dtype: FloatDType;
  inputSize: number;
  /** The sizes of the layers from input to output, e.g. [784, 100, 100, 10]. */
  sizes: number[];
  outputSize: number;
  /** Layers, parameter shapes and input shape, for the memory estimate. */
  layout: NetLayout;
}

/**
 * Loads a net saved by `saveModel`, or a file of the older `bp.TwoLayerNet` format, with the
 * library's `decodeNet` (which validates the file and rebuilds the net through its layer table).
 */
export function loadModel(path: string, backend: Backend): LoadedModel {
  const { net, description, metadata } = decodeNet(readFileBytes(path, "loadModel"), { backend, name: path });
  const image = imageShapeOf(description);
  const sizes =
    image === null
      ? affineSizes(description)
      : [image[0] * image[1] * image[2], ...affineSizes(description, 2).slice(1)];
  // decodeNet has checked that a known kind's config lays out exactly the stored layers.
  const layout: NetLayout = hasLayout(description.kind)
    ? netLayout(description)
    : {
        layers: description.layers,
        paramShapes: description.paramShapes,
        stateShapes: Object.fromEntries(Object.entries(net.state).map(([n, t]) => [n, [...t.shape]])),
        inputShape: image ?? [sizes[0]!],
      };
  return {
    net,
    description,
    metadata,
    layout,
    dtype: net.dtype,
    inputSize: sizes[0]!,
    sizes,
    outputSize: sizes.at(-1)!,
  };
}

/** [in, hidden..., out] from the shapes of W1, W2, ... */
function affineSizes(d: NetDescription, rank?: number): number[] {
  const ws = Object.entries(d.paramShapes)
    .filter(([n, s]) => /^W\d+$/.test(n) && (rank === undefined || s.length === rank))
    .sort(([a], [b]) => Number(a.slice(1)) - Number(b.slice(1)))
    .map(([, s]) => s);
  return ws.length === 0 ? [] : [ws[0]![0]!, ...ws.map((s) => s[1]!)];
}

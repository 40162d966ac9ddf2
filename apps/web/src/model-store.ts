// The net the Predict view uses and the Models section saves: the last trained one, or one loaded
// from a safetensors file (the layout `bp train --save` writes: W1, b1, W2, b2, and the metadata
// format "bp.TwoLayerNet" and data "mnist", which `bp eval` reads).
import { decodeSafetensors, encodeSafetensors } from "@bp/data";
import { softmax } from "@bp/layers";
import { TwoLayerNet } from "@bp/nets";
import { tensor, ValueError, type FloatDType, type Tensor } from "@bp/tensor";
import type { NetParams, ParamData } from "./messages.js";

/** The `format` metadata of `bp`'s model files (apps/cli/src/model.ts). */
export const MODEL_FORMAT = "bp.TwoLayerNet";
const PARAM_NAMES = ["W1", "b1", "W2", "b2"] as const;

export interface Model {
  params: NetParams;
  dtype: FloatDType;
  /** Where it came from, in words ("trained here: 1200 iterations, lr 0.1"). */
  source: string;
  metadata: Record<string, string>;
  net: TwoLayerNet;
}

type Listener = (m: Model | null) => void;

export class ModelStore {
  current: Model | null = null;
  private readonly listeners = new Set<Listener>();

  set(model: Model | null): void {
    this.current = model;
    for (const l of this.listeners) l(model);
  }

  on(listener: Listener): void {
    this.listeners.add(listener);
  }
}

function toTensor(p: ParamData, dtype: FloatDType): Tensor {
  return tensor(p.data, { shape: p.shape, dtype });
}

/** A model from parameters that crossed postMessage (the net runs on `cpu` in the page). */
export function modelFromParams(
  params: NetParams,
  dtype: FloatDType,
  source: string,
  metadata: Record<string, string>,
): Model {
  const net = TwoLayerNet.fromParams({
    W1: toTensor(params.W1, dtype),
    b1: toTensor(params.b1, dtype),
    W2: toTensor(params.W2, dtype),
    b2: toTensor(params.b2, dtype),
  });
  return { params, dtype, source, metadata, net };
}

/** The model as a safetensors file `bp eval --model FILE` accepts. */
export function modelToSafetensors(model: Model): Uint8Array {
  const { W1, b1, W2, b2 } = model.net.params;
  return encodeSafetensors({ W1, b1, W2, b2 }, { ...model.metadata, format: MODEL_FORMAT, data: "mnist" });
}

/**
 * Reads a model file: the checks of `bp`'s loadModel (apps/cli/src/model.ts): exactly W1, b1, W2,
 * b2 of one float dtype, shapes that fit an MNIST TwoLayerNet, finite values.
 */
export function modelFromSafetensors(bytes: Uint8Array, fileName: string): Model {
  const { tensors, metadata } = decodeSafetensors(bytes, { name: fileName });
  const op = `loading ${fileName}`;
  if (metadata.format !== undefined && metadata.format !== MODEL_FORMAT) {
    throw new ValueError(op, `metadata format is ${JSON.stringify(metadata.format)}, expected "${MODEL_FORMAT}"`);
  }
  const names = Object.keys(tensors);
  const missing = PARAM_NAMES.filter((n) => !(n in tensors));
  const extra = names.filter((n) => !(PARAM_NAMES as readonly string[]).includes(n));
  if (missing.length > 0 || extra.length > 0) {
    throw new ValueError(
      op,
      `a TwoLayerNet model holds exactly W1, b1, W2, b2; this file has ${names.join(", ") || "no tensors"}`,
    );
  }
  const dtype = tensors.W1!.dtype;
  if (dtype !== "float64" && dtype !== "float32")
    throw new ValueError(op, `W1 is ${dtype}, expected float64 or float32`);
  for (const name of PARAM_NAMES) {
    const t = tensors[name]!;
    if (t.dtype !== dtype)
      throw new ValueError(op, `${name} is ${t.dtype} but W1 is ${dtype}; all must share one dtype`);
    const i = t.data.findIndex((v) => !Number.isFinite(v));
    if (i >= 0)
      throw new ValueError(
        op,
        `${name} holds ${t.data[i]} at flat index ${i}; expected finite numbers (did training diverge?)`,
      );
  }
  if (tensors.W1!.shape[0] !== 784) {
    throw new ValueError(
      op,
      `W1 has shape [${tensors.W1!.shape.join(", ")}]; an MNIST model takes 784 inputs ([784, hidden])`,
    );
  }
  if (tensors.W2!.shape[1] !== 10) {
    throw new ValueError(
      op,
      `W2 has shape [${tensors.W2!.shape.join(", ")}]; an MNIST model has 10 outputs ([hidden, 10])`,
    );
  }
  const net = TwoLayerNet.fromParams({ W1: tensors.W1!, b1: tensors.b1!, W2: tensors.W2!, b2: tensors.b2! });
  const asData = (t: Tensor): ParamData => ({ shape: [...t.shape], data: t.data as Float64Array | Float32Array });
  const params = {
    W1: asData(net.params.W1),
    b1: asData(net.params.b1),
    W2: asData(net.params.W2),
    b2: asData(net.params.b2),
  };
  return { params, dtype, source: `loaded from ${fileName}`, metadata, net };
}

/** Class probabilities (softmax of the scores) for rows of 784 pixels in [0, 1]. */
export function probabilities(model: Model, pixels: Float64Array, rows: number): Float64Array {
  const x = tensor(pixels, { shape: [rows, 784], dtype: model.dtype });
  return Float64Array.from(softmax(model.net.predict(x)).data);
}

import { DataError, loadSafetensors, saveSafetensors } from "@bp/data";
import { isFloatDType, type Backend, type FloatDType, type Tensor } from "@bp/tensor";
import { TwoLayerNet } from "@bp/nets";

/** The value of the `format` metadata key in models saved by `bp`. */
export const MODEL_FORMAT = "bp.TwoLayerNet";

const PARAMS = ["W1", "b1", "W2", "b2"] as const;

/** How the model was trained; stored as strings in the safetensors `__metadata__`. */
export interface ModelInfo {
  /** "mnist" or "csv": the data the model expects, so eval/predict can default to it. */
  data: string;
  /** CSV features were divided by this. */
  scale?: number;
  [key: string]: string | number | undefined;
}

/** Saves the four parameters (W1, b1, W2, b2) and `info` as a safetensors file, atomically. */
export function saveModel(path: string, net: TwoLayerNet, info: ModelInfo): void {
  const metadata: Record<string, string> = { format: MODEL_FORMAT };
  for (const [k, v] of Object.entries(info)) if (v !== undefined) metadata[k] = String(v);
  const tensors: Record<string, Tensor> = {};
  for (const name of PARAMS) tensors[name] = net.params[name];
  saveSafetensors(path, tensors, metadata);
}

export interface LoadedModel {
  net: TwoLayerNet;
  metadata: Record<string, string>;
  dtype: FloatDType;
  inputSize: number;
  hiddenSize: number;
  outputSize: number;
}

/**
 * Loads a model saved by `saveModel`: validates the file (see decodeSafetensors), then that it
 * holds exactly W1 [in, hidden], b1 [hidden], W2 [hidden, out], b2 [out] of one float dtype,
 * and builds a TwoLayerNet with those values.
 */
export function loadModel(path: string, backend: Backend): LoadedModel {
  const { tensors, metadata } = loadSafetensors(path, { backend });
  function fail(message: string): never {
    throw new DataError("loadModel", { file: path }, message);
  }
  if (metadata.format !== undefined && metadata.format !== MODEL_FORMAT) {
    fail(`metadata format is ${JSON.stringify(metadata.format)}, expected ${JSON.stringify(MODEL_FORMAT)}`);
  }
  const names = Object.keys(tensors);
  const missing = PARAMS.filter((p) => !(p in tensors));
  if (missing.length > 0)
    fail(
      `missing tensor ${missing.join(", ")} (a TwoLayerNet model holds W1, b1, W2, b2; found ${names.join(", ") || "none"})`,
    );
  const extra = names.filter((n) => !(PARAMS as readonly string[]).includes(n));
  if (extra.length > 0) fail(`unexpected tensor ${extra.join(", ")} (a TwoLayerNet model holds only W1, b1, W2, b2)`);
  const { W1, b1, W2, b2 } = tensors as Record<(typeof PARAMS)[number], Tensor>;
  const dtype = W1.dtype;
  if (!isFloatDType(dtype)) fail(`W1 is ${dtype}, expected float64 or float32`);
  for (const [name, t] of Object.entries({ b1, W2, b2 })) {
    if (t.dtype !== dtype) fail(`${name} is ${t.dtype} but W1 is ${dtype}; all parameters must share a dtype`);
  }
  const shapeOf = (t: Tensor) => `[${t.shape.join(", ")}]`;
  if (W1.rank !== 2 || W2.rank !== 2 || b1.rank !== 1 || b2.rank !== 1) {
    fail(
      `shapes W1 ${shapeOf(W1)}, b1 ${shapeOf(b1)}, W2 ${shapeOf(W2)}, b2 ${shapeOf(b2)} do not fit a TwoLayerNet (expected [in, hidden], [hidden], [hidden, out], [out])`,
    );
  }
  const [inputSize, hiddenSize] = W1.shape as [number, number];
  const outputSize = W2.shape[1]!;
  if (
    b1.shape[0] !== hiddenSize ||
    W2.shape[0] !== hiddenSize ||
    b2.shape[0] !== outputSize ||
    inputSize < 1 ||
    hiddenSize < 1 ||
    outputSize < 2
  ) {
    fail(
      `shapes W1 ${shapeOf(W1)}, b1 ${shapeOf(b1)}, W2 ${shapeOf(W2)}, b2 ${shapeOf(b2)} do not fit together (expected [in, hidden], [hidden], [hidden, out], [out])`,
    );
  }
  for (const name of PARAMS) {
    const d = tensors[name]!.data;
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i]!))
        fail(`${name} holds ${d[i]} at flat index ${i}; expected finite numbers (did training diverge?)`);
    }
  }
  const net = TwoLayerNet.fromParams({ W1, b1, W2, b2 });
  return { net, metadata, dtype: dtype as FloatDType, inputSize, hiddenSize, outputSize };
}

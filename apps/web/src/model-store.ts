// The net the Predict view uses and Download saves: the last trained one, or one loaded from a
// file. Both are `encodeNet` bytes (safetensors with the architecture in `__metadata__`), read back
// with the library's `decodeNet`, which also reads the older files of `bp train --save`.
import { softmax } from "@bp/layers";
import { decodeNet, type Net, type NetDescription } from "@bp/nets";
import { tensor } from "@bp/tensor";
import { t } from "./i18n/index.js";

export interface Model {
  net: Net;
  description: NetDescription;
  metadata: Record<string, string>;
  /** The file's bytes, saved as they are by Download. */
  bytes: Uint8Array;
  /** Where it came from, in words ("trained here: 1200 iterations"). */
  source: string;
  /** The kept run (run-store.ts) it is the net of, if any. */
  runId?: number;
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

/** A model from safetensors bytes (throws the library's typed errors for a bad file, and says so
 * when the net does not take 28×28 images and give 10 scores). */
export function modelFromBytes(bytes: Uint8Array, source: string, fileName = "<model>"): Model {
  const { net, description, metadata } = decodeNet(bytes, { name: fileName });
  const model: Model = { net, description, metadata, bytes, source };
  let shape = "";
  try {
    shape = `[${net.predict(inputTensor(model, new Float64Array(784), 1), false).shape.join(", ")}]`;
  } catch (e) {
    shape = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  if (shape !== "[1, 10]") {
    throw new Error(t("model.notMnist", { file: fileName, kind: description.kind, shape }));
  }
  return model;
}

/** Whether the net starts with a convolution (chapter 7's SimpleConvNet), which takes images
 * [N, 1, 28, 28] rather than rows of 784. */
export function takesImages(model: Model): boolean {
  return model.description.layers[0]?.type === "Convolution";
}

function inputTensor(model: Model, pixels: Float64Array, rows: number) {
  const shape = takesImages(model) ? [rows, 1, 28, 28] : [rows, 784];
  return tensor(pixels, { shape, dtype: model.net.dtype });
}

/** "TwoLayerNet 784-50-10 (float64)" from the architecture. */
export function describeModel(m: Model): string {
  const shapes = Object.entries(m.description.paramShapes)
    .filter(([name]) => /^W\d+$/.test(name))
    .map(([, s]) => s);
  const sizes =
    takesImages(m) || shapes.length === 0 ? "" : ` ${[shapes[0]![0], ...shapes.map((s) => s[1])].join("-")}`;
  return `${m.description.kind}${sizes} (${m.description.dtype})`;
}

/** For rows of 784 pixels in [0, 1]: the predicted class (argmax of the scores, as `accuracy`
 * takes it) and the class probabilities (softmax of the scores), 10 per row. */
export function classify(
  model: Model,
  pixels: Float64Array,
  rows: number,
): { classes: Int32Array; probs: Float64Array } {
  const scores = model.net.predict(inputTensor(model, pixels, rows), false);
  return { classes: Int32Array.from(scores.argmax(1).data), probs: Float64Array.from(softmax(scores).data) };
}

// What each layer of the Layers view does, in words: forward, backward, and the inputs it takes
// besides x (with the view's default text). The words are message keys (i18n/en.ts).
import type { MessageKey } from "../i18n/index.js";

export type LayerName = "Relu" | "Sigmoid" | "Affine" | "SoftmaxWithLoss";

interface LayerInfo {
  forward: MessageKey;
  backward: MessageKey;
  /** The inputs it needs besides x, with default text. */
  inputs: { id: string; label: MessageKey; value: string }[];
}

export const LAYERS: Record<LayerName, LayerInfo> = {
  Relu: {
    forward: "rule.Relu.forward",
    backward: "rule.Relu.backward",
    inputs: [{ id: "dout", label: "layers.doutSame", value: "1, 1; 1, 1" }],
  },
  Sigmoid: {
    forward: "rule.Sigmoid.forward",
    backward: "rule.Sigmoid.backward",
    inputs: [{ id: "dout", label: "layers.doutSame", value: "1, 1; 1, 1" }],
  },
  Affine: {
    forward: "rule.Affine.forward",
    backward: "rule.Affine.backward",
    inputs: [
      { id: "W", label: "layers.W", value: "0.1, 0.2, 0.3; 0.4, 0.5, 0.6" },
      { id: "b", label: "layers.b", value: "0.1, 0.2, 0.3" },
      { id: "dout", label: "layers.doutAffine", value: "1, 0, 0; 0, 1, 0" },
    ],
  },
  SoftmaxWithLoss: {
    forward: "rule.SoftmaxWithLoss.forward",
    backward: "rule.SoftmaxWithLoss.backward",
    inputs: [{ id: "t", label: "layers.t", value: "0; 1" }],
  },
};

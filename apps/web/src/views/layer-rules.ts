// What each layer of the Layers view does, in words: forward, backward, and the inputs it takes
// besides x (with the view's default text).

export type LayerName = "Relu" | "Sigmoid" | "Affine" | "SoftmaxWithLoss";

interface LayerInfo {
  forward: string;
  backward: string;
  /** The inputs it needs besides x, with default text. */
  inputs: { id: string; label: string; value: string }[];
}

export const LAYERS: Record<LayerName, LayerInfo> = {
  Relu: {
    forward: "out = x where x > 0, else 0.",
    backward:
      "dx = dout where x was > 0, else 0: the gradient flows through unchanged where the input was positive and is stopped where it was not (the layer keeps that mask from forward).",
    inputs: [{ id: "dout", label: "dout (same shape as x)", value: "1, 1; 1, 1" }],
  },
  Sigmoid: {
    forward: "out = 1 / (1 + exp(−x)).",
    backward: "dx = dout × out × (1 − out): the derivative needs only the forward output, which the layer keeps.",
    inputs: [{ id: "dout", label: "dout (same shape as x)", value: "1, 1; 1, 1" }],
  },
  Affine: {
    forward: "out = x · W + b (b added to every row).",
    backward:
      "dx = dout · Wᵀ, dW = xᵀ · dout, db = dout summed over the rows: each input's gradient is the output gradient sent back through the same weights.",
    inputs: [
      { id: "W", label: "W (columns of x × outputs)", value: "0.1, 0.2, 0.3; 0.4, 0.5, 0.6" },
      { id: "b", label: "b (one row, one value per output)", value: "0.1, 0.2, 0.3" },
      { id: "dout", label: "dout (rows of x × outputs)", value: "1, 0, 0; 0, 1, 0" },
    ],
  },
  SoftmaxWithLoss: {
    forward: "y = softmax(x) in each row; loss = the mean over rows of −log y[label].",
    backward:
      "dx = (y − t) / N with t the one-hot labels and N the rows: the prediction minus the truth, the neat result of pairing softmax with cross-entropy.",
    inputs: [{ id: "t", label: "t (one class index per row)", value: "0; 1" }],
  },
};

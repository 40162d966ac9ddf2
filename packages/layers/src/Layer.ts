import type { Tensor } from "@bp/tensor";

/**
 * A layer of the book's chapter 5: `forward` computes the output and fills the layer's caches,
 * `backward(dout)` takes the gradient of the loss with respect to that output and returns the
 * gradient with respect to the input (`dx`). Neither modifies its arguments.
 *
 * `backward` returns `null` only when the layer was built not to compute its input gradient
 * (`new Affine(W, b, { computeDx: false })`, used for a net's first layer).
 */
export interface Layer {
  forward(x: Tensor): Tensor;
  backward(dout: Tensor): Tensor | null;
}

/**
 * A layer with parameters. `params` are the very tensors the layer computes with (updating them
 * with `tensor.assign(...)` changes what the layer computes); `grads` holds, under the same
 * names, the gradients from the last `backward`.
 */
export interface ParameterLayer extends Layer {
  readonly params: Readonly<Record<string, Tensor>>;
  readonly grads: Readonly<Record<string, Tensor>>;
}

/** A last layer that turns scores and labels into a scalar loss (`SoftmaxWithLoss`). */
export interface LossLayer {
  forward(x: Tensor, t: Tensor): number;
  backward(dout?: number): Tensor;
}

/** Whether `layer` has parameters (`params` and `grads`), like `Affine`. */
export function hasParams(layer: object): layer is ParameterLayer {
  return "params" in layer && "grads" in layer;
}

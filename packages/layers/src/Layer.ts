import type { Tensor } from "@bp/tensor";

/**
 * Layer contract v2 (the book's `common/layers.py`): `forward(x, train)` computes the output and
 * fills the layer's caches; `train` is the book's `train_flg` (default true), which only
 * `Dropout` and `BatchNormalization` read. `backward(dout)` takes the gradient of the loss with
 * respect to that output and returns the gradient with respect to the input (`dx`). Neither
 * modifies its arguments.
 *
 * A layer may expose a writable `computeDx` switch. A net sets it to `false` on its first layer,
 * whose input gradient nobody uses; `backward` then fills only the parameter gradients and returns
 * `null`. That is the only case in which `backward` returns `null`.
 */
export interface Layer {
  forward(x: Tensor, train?: boolean): Tensor;
  backward(dout: Tensor): Tensor | null;
  computeDx?: boolean;
}

/**
 * A layer with parameters (book names: `W`, `b` for Affine; `gamma`, `beta` for
 * BatchNormalization). `params` are the very tensors the layer computes with (updating them with
 * `tensor.assign(...)` changes what the layer computes); `grads` holds, under the same names, the
 * gradients from the last `backward` (the book's `dW`, `db`, `dgamma`, `dbeta`).
 */
export interface ParameterLayer extends Layer {
  readonly params: Readonly<Record<string, Tensor>>;
  readonly grads: Readonly<Record<string, Tensor>>;
}

/**
 * A layer with state that is not trained but must be saved and loaded with the parameters
 * (BatchNormalization's `runningMean` and `runningVar`). `state` holds the very tensors the layer
 * uses, by name; the layer updates them in place with `assign`, so they stay the same objects.
 */
export interface StatefulLayer extends Layer {
  readonly state: Readonly<Record<string, Tensor>>;
}

/** A last layer that turns scores and labels into a scalar loss (`SoftmaxWithLoss`). */
export interface LossLayer {
  /** The loss of the last `forward` (null before the first). */
  readonly loss: number | null;
  forward(x: Tensor, t: Tensor): number;
  backward(dout?: number): Tensor;
}

/** Whether `layer` has parameters (`params` and `grads`), like `Affine`. */
export function hasParams(layer: object): layer is ParameterLayer {
  return "params" in layer && "grads" in layer;
}

/** Whether `layer` has named untrained state (`state`), like `BatchNormalization`. */
export function hasState(layer: object): layer is StatefulLayer {
  return "state" in layer;
}

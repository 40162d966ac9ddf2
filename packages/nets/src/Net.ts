import type { Layer, LossLayer, NumericalGradientOptions } from "@bp/layers";
import type { Backend, FloatDType, Tensor } from "@bp/tensor";

/** Tensors by name: a net's parameters or gradients (`W1`, `b1`, ...). */
export type NamedTensors<P extends string = string> = Readonly<Record<P, Tensor>>;

/**
 * What every net is (the book's nets of chapters 5 to 7): named parameters, ordered named layers
 * and a last (loss) layer, and the book's methods. The trainer, save/load, gradcheck, the CLI and
 * the web app take a `Net`.
 *
 * `params` are the very tensors the layers compute with (shared on purpose, as in the book): an
 * optimizer that updates them in place with `tensor.assign(...)` trains the net. `state` holds the
 * untrained tensors that are saved with the parameters (BatchNormalization's running statistics,
 * `runningMean1`, `runningVar1`, ...), also the very tensors the layers use.
 *
 * Who owns which tensor (so that a loop can hand storage back with `Tensor.dispose` and never
 * dispose what someone still reads):
 * - The inputs `x` and labels `t` stay the caller's: a net never disposes them.
 * - `predict`'s result belongs to the caller: the net never disposes it.
 * - The gradients that `gradient` and `lossAndGradient` return belong to the net and stay valid
 *   until its next `gradient` or `lossAndGradient` call, which may dispose them (`clone()` one to
 *   keep it longer). A caller never disposes them.
 * - What the layers hold (their caches) belongs to the net, which disposes it when a later pass has
 *   replaced it; a cache read after a later pass may throw "disposed".
 *
 * So a training loop disposes only what it made itself (its minibatches, copies it took).
 */
export interface Net<P extends string = string> {
  readonly params: NamedTensors<P>;
  readonly state: NamedTensors;
  /** The layers in order, by the book's names (`Affine1`, `Relu1`, ...). */
  readonly layers: ReadonlyMap<string, Layer>;
  readonly lastLayer: LossLayer;
  readonly dtype: FloatDType;
  readonly backend: Backend;
  /** Scores before softmax. `train` is the book's `train_flg` (default false here, as in the book's
   * `predict`): Dropout and BatchNormalization behave as at test time unless it is true. */
  predict(x: Tensor, train?: boolean): Tensor;
  /** The loss (weight decay included); `train` defaults to true, as in the book's `loss`. */
  loss(x: Tensor, t: Tensor, train?: boolean): number;
  /** The fraction of rows whose highest score (predict with train = false) is the label's class. */
  accuracy(x: Tensor, t: Tensor): number;
  /** Gradients by backpropagation, by parameter name: the net's own, valid until its next
   * `gradient` or `lossAndGradient` (see above). */
  gradient(x: Tensor, t: Tensor): NamedTensors<P>;
  /** `gradient` and the loss its forward pass computed (the same number `loss(x, t)` would give). */
  lossAndGradient(x: Tensor, t: Tensor): { loss: number; grads: NamedTensors<P> };
  /** Gradients by central differences of `loss(x, t)` (slow). */
  numericalGradient(x: Tensor, t: Tensor, options?: NumericalGradientOptions): NamedTensors<P>;
  /** The architecture as plain JSON (what save/load stores and the CLI prints). */
  describe(): NetDescription;
  /** A copy on `backend` with the same parameter and state values. */
  to(backend: Backend): Net<P>;
}

/** Names of the nets whose description records their constructor arguments. */
export type NetKind = "TwoLayerNet" | "MultiLayerNet" | "MultiLayerNetExtend" | "SimpleConvNet" | "LayerNet";

/** One layer of a `NetDescription`. */
export interface LayerDescription {
  /** The layer's name in the net (`Affine1`). */
  name: string;
  /** The row of the layer table that builds it (`Affine`, `Relu`, `BatchNormalization`, ...). */
  type: string;
  /** The layer's own parameter names and the net's names for them (`{ W: "W1", b: "b1" }`). */
  params?: Record<string, string>;
  /** The layer's state names and the net's names for them (`{ runningMean: "runningMean1" }`). */
  state?: Record<string, string>;
  /** Settings of the layer type (`{ momentum: 0.9 }`, `{ dropoutRatio: 0.5 }`). */
  config?: Record<string, number | string | boolean>;
}

/** The JSON architecture of a net: enough, with the named tensors, to rebuild it. */
export interface NetDescription {
  /** Which constructor built it ("LayerNet" for a net built from a layer list). */
  kind: NetKind;
  /** The constructor's arguments (sizes, activation, init, ...), for display and rebuilding. */
  config: Record<string, unknown>;
  dtype: FloatDType;
  /** λ of the weight decay ½λΣW² over every layer parameter named `W` (0: none). */
  weightDecayLambda: number;
  layers: LayerDescription[];
  lastLayer: { type: string };
  /** Every parameter's shape, by name. */
  paramShapes: Record<string, number[]>;
}

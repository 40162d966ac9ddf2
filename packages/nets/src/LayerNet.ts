import {
  checkTensor,
  hasParams,
  hasState,
  numericalGradient,
  type Layer,
  type LossLayer,
  type NumericalGradientOptions,
} from "@bp/layers";
import {
  Rng,
  ShapeError,
  ValueError,
  cpu,
  formatShape,
  tensor,
  track,
  type Backend,
  type FloatDType,
  type Tensor,
  checkOptions,
} from "@bp/tensor";
import {
  buildLayers,
  buildLossLayer,
  describeLayer,
  layerTable,
  lossLayerTypeOf,
  type LayerType,
} from "./layerTypes.js";
import type { NamedTensors, Net, NetDescription, NetKind } from "./Net.js";
import { Ownership, scoped } from "./ownership.js";

export interface LayerNetOptions {
  /** λ of the weight decay: ½λΣW² is added to the loss and λW to the gradient of every layer
   * parameter named `W` (default 0, as in the book's `weight_decay_lambda`). */
  weightDecayLambda?: number;
  /** Whether the first layer computes its input gradient (default false: nobody uses it, so the
   * net turns the first layer's `computeDx` off). */
  firstLayerDx?: boolean;
  /** The constructor that built the net and its arguments, kept in `describe()`. */
  kind?: NetKind;
  config?: Record<string, unknown>;
  /** dtype and backend of a net without parameters (otherwise read from the parameters). */
  dtype?: FloatDType;
  backend?: Backend;
  /** The generator of the layers that draw random numbers (Dropout), handed on by `to`. */
  rng?: Rng;
  /** Rows of the layer table for layers of your own (see `LayerType`), kept by the net for
   * `describe()`, `to()` and `encodeNet`; a row may not reuse a built-in type's name or class. */
  layerTypes?: readonly LayerType[];
}

/** Where a net parameter (or state tensor) lives: its layer and the layer's own name for it. */
interface Slot {
  layer: string;
  key: string;
}

/**
 * A net that is a list of layers (the book's `OrderedDict` of layers plus `lastLayer`):
 * `predict`, `loss`, `gradient` and `numericalGradient` are loops over it, written once.
 *
 * Parameters are named the book's way from the layers' own names: the k-th layer that has a
 * parameter `W` gives `Wk` (Affine1.W is W1, Affine2.W is W2; BatchNorm1.gamma is gamma1), and state
 * tensors the same way (BatchNorm1.runningMean is runningMean1). `params` and `state` are frozen
 * records of the very tensors the layers hold.
 */
export class LayerNet<P extends string = string> implements Net<P> {
  readonly params: NamedTensors<P>;
  readonly state: NamedTensors;
  readonly layers: ReadonlyMap<string, Layer>;
  readonly lastLayer: LossLayer;
  readonly dtype: FloatDType;
  readonly backend: Backend;
  readonly weightDecayLambda: number;
  /** Whether the first layer computes its input gradient (false by default). */
  readonly firstLayerDx: boolean;
  readonly kind: NetKind;
  readonly config: Readonly<Record<string, unknown>>;
  /** The generator the net's Dropout layers draw from (shared by a copy made with `to`). */
  readonly rng: Rng;
  /** The rows of `options.layerTypes` (your own layer types; empty for bp's layers only). */
  readonly layerTypes: readonly LayerType[];
  /** The layer table of `describe()` and `to()`: `LAYER_TYPES` and `layerTypes`. */
  private readonly layerTable: readonly LayerType[];
  private readonly paramSlots: ReadonlyMap<string, Slot>;
  private readonly stateSlots: ReadonlyMap<string, Slot>;
  /** What the loops below own of what the layers make (their caches, temporaries, the gradients
   * passed between them). */
  private readonly owned = new Ownership();
  /** The layers last to first: the order of the backward pass. */
  private readonly backwardOrder: readonly Layer[];
  /** The gradients with weight decay added that the last `lossAndGradient` returned (the net's
   * own): the next `lossAndGradient` disposes them. */
  private decayedGrads: Tensor[] = [];

  constructor(layers: Iterable<readonly [string, Layer]>, lastLayer: LossLayer, options: LayerNetOptions = {}) {
    checkOptions("LayerNet", options, "options");
    const kind = options.kind ?? "LayerNet";
    this.layers = new Map(layers);
    if (this.layers.size === 0) throw new ValueError(kind, "a net needs at least one layer");
    for (const [n, layer] of [...this.layers, ["lastLayer", lastLayer] as const]) {
      const l = layer as unknown as Record<string, unknown> | null;
      if (typeof l !== "object" || l === null || typeof l.forward !== "function" || typeof l.backward !== "function")
        throw new ValueError(kind, `layer ${n} must be a layer (with forward and backward), got ${String(l)}`);
    }
    this.lastLayer = lastLayer;
    const lambda = options.weightDecayLambda ?? 0;
    if (!(lambda >= 0) || !Number.isFinite(lambda))
      throw new ValueError(kind, `weightDecayLambda must be a finite number >= 0, got ${lambda}`);
    this.weightDecayLambda = lambda;
    this.kind = kind;
    this.config = Object.freeze({ ...(options.config ?? {}) });
    this.rng = options.rng ?? new Rng(0);
    this.layerTable = layerTable(options.layerTypes, kind);
    this.layerTypes = Object.freeze([...(options.layerTypes ?? [])]);

    const params: Record<string, Tensor> = {};
    const state: Record<string, Tensor> = {};
    const paramSlots = new Map<string, Slot>();
    const stateSlots = new Map<string, Slot>();
    const counts = new Map<string, number>();
    const name = (key: string): string => {
      const k = (counts.get(key) ?? 0) + 1;
      counts.set(key, k);
      return `${key}${k}`;
    };
    for (const [layerName, layer] of this.layers) {
      if (hasParams(layer)) {
        for (const [key, p] of Object.entries(layer.params)) {
          const n = name(key);
          params[n] = p;
          paramSlots.set(n, { layer: layerName, key });
        }
      }
      if (hasState(layer)) {
        for (const [key, s] of Object.entries(layer.state)) {
          const n = name(key);
          state[n] = s;
          stateSlots.set(n, { layer: layerName, key });
        }
      }
    }
    this.params = Object.freeze(params) as NamedTensors<P>;
    this.state = Object.freeze(state);
    this.paramSlots = paramSlots;
    this.stateSlots = stateSlots;
    const first = Object.values(params)[0];
    this.dtype = (first?.dtype as FloatDType | undefined) ?? options.dtype ?? "float64";
    this.backend = first?.backend ?? options.backend ?? cpu;
    this.firstLayerDx = options.firstLayerDx ?? false;
    this.backwardOrder = [...this.layers.values()].reverse();
    const firstLayer = this.layers.values().next().value;
    if (!this.firstLayerDx && firstLayer !== undefined && "computeDx" in firstLayer) firstLayer.computeDx = false;
  }

  /** Scores; `train` (default false) is the book's `train_flg`, read by Dropout and BatchNorm. */
  predict(x: Tensor, train = false): Tensor {
    return this.forwardPass(x, train, false);
  }

  /**
   * The layers' forward pass, each layer run under the net's ownership (see `Ownership`): a
   * layer's temporaries are disposed at once, its caches and output as its next forward begins.
   * `internal`: the scores stay inside the net (loss, accuracy); otherwise they are given to
   * the caller (predict) and the net never disposes them.
   */
  private forwardPass(x: Tensor, train: boolean, internal: boolean): Tensor {
    let out = x;
    for (const layer of this.layers.values()) {
      const input = out;
      out = this.owned.forward(layer, () => layer.forward(input, train), input);
    }
    if (!internal) this.owned.give(out);
    return out;
  }

  /** The loss with weight decay; `train` defaults to false, as in the book's
   * `MultiLayerNetExtend.loss` (`gradient` and `numericalGradient` pass true). */
  loss(x: Tensor, t: Tensor, train = false): number {
    checkTensor(`${this.kind}.loss`, "x", x);
    checkTensor(`${this.kind}.loss`, "t", t);
    const rows = x.rank === 0 ? 1 : x.shape[0]!;
    if (rows === 0) throw new ValueError(`${this.kind}.loss`, `x has 0 rows (shape ${formatShape(x.shape)})`);
    const scores = this.forwardPass(x, train, true);
    return this.owned.forward(this.lastLayer, () => this.lastLayer.forward(scores, t), scores) + this.weightDecay();
  }

  accuracy(x: Tensor, t: Tensor): number {
    const op = `${this.kind}.accuracy`;
    checkTensor(op, "x", x);
    checkTensor(op, "t", t);
    const rows = x.rank === 0 ? 1 : x.shape[0]!;
    if (rows === 0) throw new ValueError(op, `x has 0 rows (shape ${formatShape(x.shape)})`);
    return scoped(() => {
      const y = x.rank > 2 ? this.predictClassesInBatches(x) : this.forwardPass(x, false, true).argmax(1);
      const labels = t.dtype === "int32" ? t : t.argmax(1);
      if (labels.size !== y.size)
        throw new ShapeError(op, `${y.size} predictions but labels t have shape ${formatShape(t.shape)}`);
      let correct = 0;
      for (let i = 0; i < y.size; i++) if (y.data[i] === labels.data[i]) correct++;
      return correct / y.size;
    });
  }

  /**
   * argmax of `predict` for image inputs, 100 rows at a time (the book's `SimpleConvNet.accuracy`
   * uses batch_size=100): a convolution's im2col of all 10000 MNIST test images at once would take
   * over a gigabyte.
   */
  private predictClassesInBatches(x: Tensor): Tensor {
    const rows = x.shape[0]!;
    const classes = new Int32Array(rows);
    for (let start = 0; start < rows; start += 100) {
      const idx = Int32Array.from({ length: Math.min(100, rows - start) }, (_, i) => start + i);
      // One batch at a time: its copy of the rows and its argmax are disposed before the next.
      scoped(() => classes.set(this.forwardPass(x.gather(idx), false, true).argmax(1).data, start));
    }
    return tensor(classes, { dtype: "int32", backend: x.backend });
  }

  gradient(x: Tensor, t: Tensor): NamedTensors<P> {
    return this.lossAndGradient(x, t).grads;
  }

  lossAndGradient(x: Tensor, t: Tensor): { loss: number; grads: NamedTensors<P> } {
    for (const g of this.decayedGrads) g.dispose(); // the last call's, which expire now
    const loss = this.loss(x, t, true);
    // The gradient between two layers is the loop's: disposed once the next layer has read it.
    const last = this.owned.backward(this.lastLayer, () => this.lastLayer.backward(1));
    let dout: Tensor | null = last.result;
    let handOff = last.handOff;
    for (const layer of this.backwardOrder) {
      if (dout === null) break;
      const input: Tensor = dout;
      const next = this.owned.backward(layer, () => layer.backward(input));
      if (next.result === input) continue; // handed on as it is, with its owner
      if (handOff) input.dispose();
      dout = next.result;
      handOff = next.handOff;
    }
    if (dout !== null && handOff) dout.dispose(); // the first layer's dx, which nobody reads
    const { result: grads, made } = track(() => this.layerGrads());
    for (const g of made) if (!Object.values(grads).includes(g)) g.dispose(); // λW
    this.decayedGrads = made.filter((g) => !g.isDisposed);
    return { loss, grads };
  }

  /** The layers' gradients by parameter name, with λW added to each `W` under weight decay. */
  private layerGrads(): NamedTensors<P> {
    const grads: Record<string, Tensor> = {};
    for (const [n, slot] of this.paramSlots) {
      const layer = this.layers.get(slot.layer);
      if (layer === undefined || !hasParams(layer))
        throw new ValueError(`${this.kind}.gradient`, `no layer ${slot.layer}`);
      const g = layer.grads[slot.key]!;
      const decay = slot.key === "W" && this.weightDecayLambda > 0;
      grads[n] = decay ? g.add(layer.params.W!.mul(this.weightDecayLambda)) : g;
    }
    return grads as NamedTensors<P>;
  }

  numericalGradient(x: Tensor, t: Tensor, options: NumericalGradientOptions = {}): NamedTensors<P> {
    checkOptions("LayerNet.numericalGradient", options, "options");
    const lossW = (): number => this.loss(x, t, true);
    const grads: Record<string, Tensor> = {};
    for (const [n, p] of Object.entries<Tensor>(this.params)) grads[n] = numericalGradient(lossW, p, options);
    return grads as NamedTensors<P>;
  }

  describe(): NetDescription {
    const paramNames = invert(this.paramSlots);
    const stateNames = invert(this.stateSlots);
    return {
      kind: this.kind,
      config: { ...this.config },
      dtype: this.dtype,
      weightDecayLambda: this.weightDecayLambda,
      layers: [...this.layers].map(([name, layer]) =>
        describeLayer(name, layer, paramNames.get(name), stateNames.get(name), this.layerTable),
      ),
      lastLayer: { type: lossLayerTypeOf(this.lastLayer) },
      paramShapes: Object.fromEntries(Object.entries<Tensor>(this.params).map(([n, p]) => [n, [...p.shape]])),
    };
  }

  /** A copy on `backend` (always a copy, even on the same backend): the same layers rebuilt through
   * the layer table around copies of the parameters and state; Dropout layers share this net's
   * `rng`. */
  to(backend: Backend): LayerNet<P> {
    const d = this.describe();
    const tensors = copyTensors({ ...this.params, ...this.state }, backend);
    const layers = buildLayers(d, tensors, this.rng, `${this.kind}.to`, this.layerTable);
    return new LayerNet<P>(layers, buildLossLayer(d.lastLayer.type), {
      weightDecayLambda: this.weightDecayLambda,
      firstLayerDx: this.firstLayerDx,
      kind: this.kind,
      config: this.config,
      dtype: this.dtype,
      backend,
      rng: this.rng,
      layerTypes: this.layerTypes,
    });
  }

  /** ½λΣW² over every layer parameter named `W` (the book's `weight_decay`). */
  private weightDecay(): number {
    if (this.weightDecayLambda === 0) return 0;
    let decay = 0;
    for (const [n, slot] of this.paramSlots) {
      if (slot.key !== "W") continue;
      const W = this.params[n as P] as Tensor;
      decay += 0.5 * this.weightDecayLambda * scoped(() => W.square().sum().item());
    }
    return decay;
  }
}

function invert(slots: ReadonlyMap<string, Slot>): Map<string, Record<string, string>> {
  const byLayer = new Map<string, Record<string, string>>();
  for (const [n, { layer, key }] of slots) {
    const r = byLayer.get(layer) ?? {};
    r[key] = n;
    byLayer.set(layer, r);
  }
  return byLayer;
}

/** Copies of tensors on `backend` (always copies, even on the same backend). */
export function copyTensors(tensors: Record<string, Tensor>, backend: Backend): Record<string, Tensor> {
  if (typeof backend?.alloc !== "function")
    throw new ValueError("to", `backend must be a Backend (cpu, new CpuBackend(), ...), got ${String(backend)}`);
  return Object.fromEntries(
    Object.entries(tensors).map(([n, p]) => [n, p.backend === backend ? p.clone() : p.to(backend)]),
  );
}

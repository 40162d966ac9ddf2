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
  /** Outputs of the last forward pass that nobody outside the net was given: the layers' outputs
   * between the input and the scores (held only by the layers' caches), and the scores when
   * `loss` or `accuracy` ran the pass. The next pass disposes them (Tensor.dispose), as it replaces
   * the caches that hold them. */
  private passOutputs: Tensor[] = [];
  /** The layers' own weight gradients that the last `lossAndGradient` returned with weight decay
   * added (so nobody outside was given them): the next `lossAndGradient` disposes them. */
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
    const firstLayer = this.layers.values().next().value;
    if (!this.firstLayerDx && firstLayer !== undefined && "computeDx" in firstLayer) firstLayer.computeDx = false;
  }

  /** Scores; `train` (default false) is the book's `train_flg`, read by Dropout and BatchNorm. */
  predict(x: Tensor, train = false): Tensor {
    return this.forwardPass(x, train, false);
  }

  /**
   * The layers' forward pass. The previous pass's outputs that only the layers' caches hold are
   * disposed first (a layer reading its cache after a later pass gets a ValueError, never reused
   * data); this pass's are kept for the next. `internal`: the scores stay inside the net (loss,
   * accuracy), so they count among them; predict() gives them to its caller and never disposes them.
   */
  private forwardPass(x: Tensor, train: boolean, internal: boolean): Tensor {
    for (const t of this.passOutputs) t.dispose();
    this.passOutputs = [];
    const produced = new Set<Tensor>();
    let out = x;
    for (const layer of this.layers.values()) {
      out = layer.forward(out, train);
      produced.add(out);
    }
    produced.delete(x);
    if (!internal) produced.delete(out);
    this.passOutputs = [...produced];
    return out;
  }

  /** The loss with weight decay; `train` defaults to false, as in the book's
   * `MultiLayerNetExtend.loss` (`gradient` and `numericalGradient` pass true). */
  loss(x: Tensor, t: Tensor, train = false): number {
    checkTensor(`${this.kind}.loss`, "x", x);
    checkTensor(`${this.kind}.loss`, "t", t);
    const rows = x.rank === 0 ? 1 : x.shape[0]!;
    if (rows === 0) throw new ValueError(`${this.kind}.loss`, `x has 0 rows (shape ${formatShape(x.shape)})`);
    return this.lastLayer.forward(this.forwardPass(x, train, true), t) + this.weightDecay();
  }

  accuracy(x: Tensor, t: Tensor): number {
    const op = `${this.kind}.accuracy`;
    checkTensor(op, "x", x);
    checkTensor(op, "t", t);
    const rows = x.rank === 0 ? 1 : x.shape[0]!;
    if (rows === 0) throw new ValueError(op, `x has 0 rows (shape ${formatShape(x.shape)})`);
    const y = x.rank > 2 ? this.predictClassesInBatches(x) : this.forwardPass(x, false, true).argmax(1);
    const labels = t.dtype === "int32" ? t : t.argmax(1);
    try {
      if (labels.size !== y.size)
        throw new ShapeError(op, `${y.size} predictions but labels t have shape ${formatShape(t.shape)}`);
      let correct = 0;
      for (let i = 0; i < y.size; i++) if (y.data[i] === labels.data[i]) correct++;
      return correct / y.size;
    } finally {
      y.dispose();
      if (labels !== t) labels.dispose();
    }
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
      const batch = x.gather(idx);
      const y = this.forwardPass(batch, false, true).argmax(1);
      classes.set(y.data, start);
      y.dispose();
      batch.dispose();
    }
    return tensor(classes, { dtype: "int32", backend: x.backend });
  }

  gradient(x: Tensor, t: Tensor): NamedTensors<P> {
    return this.lossAndGradient(x, t).grads;
  }

  lossAndGradient(x: Tensor, t: Tensor): { loss: number; grads: NamedTensors<P> } {
    const loss = this.loss(x, t, true);
    for (const g of this.decayedGrads) g.dispose();
    this.decayedGrads = [];
    let dout: Tensor | null = this.lastLayer.backward(1);
    for (const layer of [...this.layers.values()].reverse()) {
      if (dout === null) break;
      const next: Tensor | null = layer.backward(dout);
      // This loop's own intermediate gradient, read by the layer and handed on by nobody: its
      // storage serves a later op (Tensor.dispose; a layer never keeps the dout it was given).
      if (next !== dout) dout.dispose();
      dout = next;
    }
    const grads: Record<string, Tensor> = {};
    for (const [n, slot] of this.paramSlots) {
      const layer = this.layers.get(slot.layer);
      if (layer === undefined || !hasParams(layer))
        throw new ValueError(`${this.kind}.gradient`, `no layer ${slot.layer}`);
      const g = layer.grads[slot.key]!;
      if (slot.key === "W" && this.weightDecayLambda > 0) {
        const decay = layer.params.W!.mul(this.weightDecayLambda);
        grads[n] = g.add(decay);
        decay.dispose();
        this.decayedGrads.push(g);
      } else grads[n] = g;
    }
    return { loss, grads: grads as NamedTensors<P> };
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
      const squares = (this.params[n as P] as Tensor).square();
      const sum = squares.sum();
      decay += 0.5 * this.weightDecayLambda * sum.item();
      squares.dispose();
      sum.dispose();
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

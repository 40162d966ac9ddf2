// TwoLayerNet's own computational graph (figure 5-28's layers: Affine1 → Relu1 → Affine2 →
// SoftmaxWithLoss), stepped one layer at a time on a minibatch of real MNIST images by the layers of
// a real TwoLayerNet built by createNet: four forward steps, then four backward steps from
// dout = 1. After each step the values the view draws are copied out of the layers (their caches
// and outputs belong to the layers, which may reuse them on the next pass).
import type { Affine, Relu, SoftmaxWithLoss } from "@bp/layers";
import { createNet, type LayerNet } from "@bp/nets";
import { type Tensor, tensor } from "@bp/tensor";

export const INPUT = 784;
export const CLASSES = 10;

/** A copied tensor: its values and shape. */
export interface Snapshot {
  data: Float64Array;
  rows: number;
  cols: number;
}

function snap(t: Tensor): Snapshot {
  const cols = t.shape.at(-1) ?? 1;
  return { data: Float64Array.from(t.data), rows: t.size / cols, cols };
}

export const NET_STEPS = [
  { phase: "forward", layer: "Affine1" },
  { phase: "forward", layer: "Relu1" },
  { phase: "forward", layer: "Affine2" },
  { phase: "forward", layer: "SoftmaxWithLoss" },
  { phase: "backward", layer: "SoftmaxWithLoss" },
  { phase: "backward", layer: "Affine2" },
  { phase: "backward", layer: "Relu1" },
  { phase: "backward", layer: "Affine1" },
] as const;

export interface NetGraphOptions {
  hidden: number;
  seed: number;
  /** N images of the minibatch, as rows of 784 values in [0, 1]. */
  images: Float64Array;
  labels: readonly number[];
}

/** The values on the graph after some steps. Forward: x, a1 (Affine1's out), z1 (Relu1's out), a2
 * (scores), y (softmax); backward: the gradient of the loss with respect to each of them. */
export class NetGraphRun {
  readonly net: LayerNet;
  readonly n: number;
  position = 0;
  readonly fwd = new Map<string, Snapshot>();
  readonly bwd = new Map<string, Snapshot>();
  /** Relu1's mask (its output, > 0 where the input passed), the labels t, dW1 … db2. */
  readonly kept = new Map<string, Snapshot>();
  loss: number | null = null;
  private readonly x: Tensor;
  private readonly t: Tensor;
  private out: Tensor | null = null;
  private dout: Tensor | null = null;

  constructor(options: NetGraphOptions) {
    this.n = options.labels.length;
    this.net = createNet({
      net: "two-layer",
      inputSize: INPUT,
      outputSize: CLASSES,
      hidden: [options.hidden],
      seed: options.seed,
    });
    this.x = tensor(options.images, { shape: [this.n, INPUT] });
    this.t = tensor(Int32Array.from(options.labels), { shape: [this.n] });
    this.fwd.set("x", snap(this.x));
  }

  get done(): boolean {
    return this.position >= NET_STEPS.length;
  }

  private layer<T>(name: string): T {
    return this.net.layers.get(name) as T;
  }

  step(): void {
    if (this.done) return;
    const { phase, layer } = NET_STEPS[this.position]!;
    if (phase === "forward") this.forward(layer);
    else this.backward(layer);
    this.position++;
  }

  private forward(layer: (typeof NET_STEPS)[number]["layer"]): void {
    if (layer === "Affine1") this.out = this.layer<Affine>("Affine1").forward(this.x);
    if (layer === "Relu1") this.out = this.layer<Relu>("Relu1").forward(this.out!);
    if (layer === "Affine2") this.out = this.layer<Affine>("Affine2").forward(this.out!);
    const names = { Affine1: "a1", Relu1: "z1", Affine2: "a2" } as const;
    if (layer !== "SoftmaxWithLoss") {
      this.fwd.set(names[layer], snap(this.out!));
      if (layer === "Relu1") this.kept.set("mask", snap(this.layer<Relu>("Relu1").mask!));
      return;
    }
    const last = this.net.lastLayer as SoftmaxWithLoss;
    this.loss = last.forward(this.out!, this.t);
    this.fwd.set("y", snap(last.y!));
  }

  private backward(layer: (typeof NET_STEPS)[number]["layer"]): void {
    if (layer === "SoftmaxWithLoss") {
      this.dout = (this.net.lastLayer as SoftmaxWithLoss).backward(1);
      this.bwd.set("a2", snap(this.dout));
      return;
    }
    const index = layer === "Affine1" ? "1" : "2";
    if (layer === "Relu1") this.dout = this.layer<Relu>("Relu1").backward(this.dout!);
    else {
      const affine = this.layer<Affine>(layer);
      this.dout = affine.backward(this.dout!);
      this.kept.set(`dW${index}`, snap(affine.dW!));
      this.kept.set(`db${index}`, snap(affine.db!));
    }
    // The net's first Affine skips dL/dx (computeDx off: nothing uses it), so x has no gradient.
    const names = { Affine2: "z1", Relu1: "a1", Affine1: "x" } as const;
    if (this.dout !== null) this.bwd.set(names[layer], snap(this.dout));
  }
}

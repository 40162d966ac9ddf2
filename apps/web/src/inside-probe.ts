// Inside the net while it trains (worker side). A copy of the training net on the cpu backend,
// refreshed from its parameters and BatchNorm state, runs one test image through every layer and a
// few test images through predict, so the training net's caches and buffers are never touched;
// the last step's dW and db are copied from the training net's Affine layers (theirs until the next
// step), and the minibatch accuracy is read from SoftmaxWithLoss's y and t after each step.
import type { Affine, SoftmaxWithLoss } from "@bp/layers";
import { createNet, type LayerNet, type Net } from "@bp/nets";
import { cpu, type Tensor, tensor } from "@bp/tensor";
import type { InsideMessage, Matrix } from "./messages.js";

const GRID = 12;
const WINDOW = 50;

const matrix = (name: string, t: Tensor): Matrix => {
  const cols = t.rank === 1 ? t.size : t.shape.at(-1)!;
  return { name, rows: t.size / cols, cols, values: Float64Array.from(t.data) };
};

export class InsideProbe {
  private readonly copy: LayerNet;
  private readonly recent: number[] = [];

  constructor(private readonly net: Net) {
    this.copy = createNet({ ...net.describe(), dtype: "float64" }, { backend: cpu });
  }

  /** After each training step: the minibatch's accuracy from the loss layer's caches. */
  afterStep(): void {
    const last = (this.net as LayerNet).lastLayer as SoftmaxWithLoss;
    const y = last.y;
    const t = last.t;
    if (y === null || t === null || y.isDisposed || t.isDisposed) return;
    const c = y.shape.at(-1)!;
    const rows = y.size / c;
    let correct = 0;
    for (let r = 0; r < rows; r++) {
      const label = t.dtype === "int32" ? t.data[r]! : argmax(t.data, r * c, c);
      if (argmax(y.data, r * c, c) === label) correct++;
    }
    this.recent.push(correct / rows);
    if (this.recent.length > WINDOW) this.recent.shift();
  }

  /** The mean minibatch accuracy of the last (up to) 50 steps. */
  get batchAccuracy(): number | null {
    return this.recent.length === 0 ? null : this.recent.reduce((s, v) => s + v, 0) / this.recent.length;
  }

  /** Accuracy of the net as it is now on the first (up to) `rows` test rows. */
  subsetAccuracy(xTest: Tensor, tTest: Tensor, rows: number): number {
    this.refresh();
    const n = Math.min(rows, xTest.shape[0]!);
    const x = tensor(Float64Array.from(xTest.data.subarray(0, n * 784)), { shape: [n, 784] });
    const t = tensor(Int32Array.from(tTest.data.subarray(0, n)), { shape: [n] });
    return this.copy.accuracy(x, t);
  }

  /** The copy takes the training net's parameters and BatchNorm state. */
  private refresh(): void {
    for (const [source, target] of [
      [this.net.params, this.copy.params],
      [(this.net as LayerNet).state ?? {}, this.copy.state],
    ] as const) {
      for (const [k, v] of Object.entries(source)) (target as Record<string, Tensor>)[k]!.data.set(v.data);
    }
  }

  snapshot(iteration: number, image: number, xTest: Tensor, tTest: Tensor): InsideMessage {
    this.refresh();
    const count = xTest.shape[0]!;
    const at = Math.max(0, Math.min(image, count - 1));
    const rowOf = (i: number) => Float64Array.from(xTest.data.subarray(i * 784, (i + 1) * 784));
    const pixels = rowOf(at);
    let out = tensor(pixels, { shape: [1, 784] });
    const layers: Matrix[] = [];
    for (const [name, layer] of this.copy.layers) {
      out = layer.forward(out, false);
      layers.push(matrix(name, out));
    }
    const probs = softmaxRow(out.data, 0, out.size);
    const n = Math.min(GRID, count - at);
    const idx = Array.from({ length: n }, (_, i) => at + i);
    const gridX = tensor(Float64Array.from(idx.flatMap((i) => Array.from(rowOf(i)))), { shape: [n, 784] });
    const scores = this.copy.predict(gridX);
    const grid = idx.map((i, r) => {
      const p = softmaxRow(scores.data, r * 10, 10);
      const order = p.map((v, c) => [c, v] as [number, number]).sort((a, b) => b[1] - a[1]);
      return { index: i, label: tTest.data[i]!, pixels: rowOf(i), top: order.slice(0, 2) };
    });
    const grads: Matrix[] = [];
    for (const [name, layer] of (this.net as LayerNet).layers) {
      const a = layer as Partial<Affine>;
      if (a.dW instanceof Object && a.dW !== null && a.db !== null && a.db !== undefined && !a.dW.isDisposed) {
        const k = name.replace(/^Affine/, "");
        grads.push(matrix(`dW${k}`, a.dW), matrix(`db${k}`, a.db));
      }
    }
    const batchAccuracy = this.batchAccuracy;
    return {
      type: "inside",
      iteration,
      image: at,
      label: tTest.data[at]!,
      pixels,
      layers,
      probs,
      grads,
      grid,
      batchAccuracy,
    };
  }
}

function argmax(d: ArrayLike<number>, from: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (d[from + i]! > d[from + best]!) best = i;
  return best;
}

function softmaxRow(d: ArrayLike<number>, from: number, n: number): number[] {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, d[from + i]!);
  const e = Array.from({ length: n }, (_, i) => Math.exp(d[from + i]! - max));
  const sum = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / sum);
}

// The playground's state: a MultiLayerNet or MultiLayerNetExtend built by createNet (2 inputs, 2
// classes), its optimizer, the toy data, and one epoch of minibatch training at a time. It also
// evaluates the net on a grid over [-1, 1]² for the decision boundary and every hidden neuron's
// output (read from the activation layers of one forward pass through the net's own layers).
import {
  type Activation,
  createNet,
  createOptimizer,
  type LayerNet,
  type OptimizerName,
  type WeightInitStd,
} from "@bp/nets";
import { Rng, type Tensor, tensor } from "@bp/tensor";
import { type DatasetName, type ToyData, toyData } from "./toy-data.js";

export interface PlaygroundConfig {
  dataset: DatasetName;
  noise: number;
  trainRatio: number;
  points: number;
  hidden: number[];
  activation: Activation;
  init: WeightInitStd;
  optimizer: OptimizerName;
  lr: number;
  batch: number;
  weightDecay: number;
  dropout: number;
  batchnorm: boolean;
  seed: number;
}

/** Grid cells per side for the boundary and the neurons' images. */
export const GRID = 40;

export interface Evaluation {
  trainLoss: number;
  testLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
}

export class Playground {
  readonly config: PlaygroundConfig;
  readonly data: ToyData;
  readonly net: LayerNet;
  epoch = 0;
  /** Milliseconds spent in training epochs (not drawing). */
  trainMs = 0;
  private readonly optimizer;
  private readonly x: Tensor;
  private readonly t: Tensor;
  private readonly xTest: Tensor;
  private readonly tTest: Tensor;
  private readonly grid: Tensor;
  private readonly rng: Rng;

  constructor(config: PlaygroundConfig) {
    this.config = config;
    this.data = toyData(config.dataset, {
      n: config.points,
      noise: config.noise,
      trainRatio: config.trainRatio,
      seed: config.seed,
    });
    const extend = config.batchnorm || config.dropout > 0;
    this.net = createNet({
      net: extend ? "multi-extend" : "multi",
      inputSize: 2,
      outputSize: 2,
      hidden: config.hidden,
      activation: config.activation,
      init: config.init,
      weightDecay: config.weightDecay,
      seed: config.seed,
      ...(extend ? { batchnorm: config.batchnorm } : {}),
      ...(config.dropout > 0 ? { dropout: config.dropout } : {}),
    });
    this.optimizer = createOptimizer(config.optimizer, { lr: config.lr });
    this.x = tensor(this.data.xTrain, { shape: [this.data.tTrain.length, 2] });
    this.t = tensor(this.data.tTrain, { shape: [this.data.tTrain.length] });
    this.xTest = tensor(this.data.xTest, { shape: [this.data.tTest.length, 2] });
    this.tTest = tensor(this.data.tTest, { shape: [this.data.tTest.length] });
    const cells = new Float64Array(GRID * GRID * 2);
    for (let r = 0; r < GRID; r++) {
      for (let c = 0; c < GRID; c++) {
        cells[(r * GRID + c) * 2] = -1 + (2 * (c + 0.5)) / GRID;
        cells[(r * GRID + c) * 2 + 1] = 1 - (2 * (r + 0.5)) / GRID;
      }
    }
    this.grid = tensor(cells, { shape: [GRID * GRID, 2] });
    this.rng = new Rng(config.seed + 1);
  }

  /** One pass over the training rows in shuffled minibatches; throws the net's errors. */
  trainEpoch(): void {
    const start = performance.now();
    const n = this.data.tTrain.length;
    const order = this.rng.permutation(n);
    const batch = Math.min(this.config.batch, n);
    for (let i = 0; i < n; i += batch) {
      const idx = order.subarray(i, Math.min(n, i + batch));
      const xb = this.x.gather(idx);
      const tb = this.t.gather(idx);
      this.optimizer.update(this.net.params, this.net.gradient(xb, tb));
      xb.dispose();
      tb.dispose();
    }
    this.epoch++;
    this.trainMs += performance.now() - start;
  }

  evaluate(): Evaluation {
    return {
      trainLoss: this.net.loss(this.x, this.t),
      testLoss: this.net.loss(this.xTest, this.tTest),
      trainAccuracy: this.net.accuracy(this.x, this.t),
      testAccuracy: this.net.accuracy(this.xTest, this.tTest),
    };
  }

  /** P(class 1) per grid cell (row-major, top row first), and each hidden activation layer's
   * outputs per neuron: neurons[layer][unit] is GRID² values. */
  gridOutputs(): { p1: Float64Array; neurons: Float64Array[][] } {
    // A copy: the layers keep their inputs and outputs as caches, which the net may dispose later.
    let out = this.grid.clone();
    const neurons: Float64Array[][] = [];
    for (const [name, layer] of this.net.layers) {
      out = layer.forward(out, false);
      if (/^(Activation_function|Relu|Sigmoid)\d+$/.test(name)) {
        const units = out.shape[1]!;
        const d = out.data;
        neurons.push(
          Array.from({ length: units }, (_, u) =>
            Float64Array.from({ length: GRID * GRID }, (_, i) => d[i * units + u]!),
          ),
        );
      }
    }
    const s = out.data;
    const p1 = Float64Array.from({ length: GRID * GRID }, (_, i) => 1 / (1 + Math.exp(s[i * 2]! - s[i * 2 + 1]!)));
    return { p1, neurons };
  }
}

// The net a TrainConfig describes, built by the library's constructors (the book's names): the
// training worker and the gradient check build their nets here.
import { MultiLayerNetExtend, SimpleConvNet, TwoLayerNet, type Net } from "@bp/nets";
import type { Backend } from "@bp/tensor";
import type { TrainConfig } from "./messages.js";

export const MNIST_INPUT = 784;
export const MNIST_CLASSES = 10;

export function buildNet(config: TrainConfig, backend: Backend): Net {
  const { seed, dtype } = config;
  if (config.net === "conv") {
    if (config.hidden.length !== 1 || typeof config.init !== "number") {
      throw new Error("SimpleConvNet takes one hidden size and a numeric weight init std (checked by the form)");
    }
    // The book's filters: 30 of 5×5, stride 1, no padding, then 2×2 max pooling.
    return new SimpleConvNet({ hiddenSize: config.hidden[0]!, weightInitStd: config.init, seed, dtype, backend });
  }
  if (config.net === "two") {
    if (config.hidden.length !== 1 || typeof config.init !== "number") {
      throw new Error("TwoLayerNet takes one hidden size and a numeric weight init std (checked by the form)");
    }
    return new TwoLayerNet(MNIST_INPUT, config.hidden[0]!, MNIST_CLASSES, {
      seed,
      dtype,
      backend,
      weightInitStd: config.init,
    });
  }
  return new MultiLayerNetExtend(MNIST_INPUT, config.hidden, MNIST_CLASSES, {
    seed,
    dtype,
    backend,
    weightInitStd: config.init,
    useBatchnorm: config.batchnorm,
    useDropout: config.dropout > 0,
    dropoutRatio: config.dropout > 0 ? config.dropout : 0.5,
    weightDecayLambda: config.weightDecay,
  });
}

/** "TwoLayerNet 784-50-10", "MultiLayerNetExtend 784-100-100-10 (BatchNorm, Dropout 0.2)" or
 * "SimpleConvNet 1×28×28 → 30 filters 5×5 → pool 2×2 → 100 → 10". */
export function netTitle(config: TrainConfig): string {
  if (config.net === "conv") return `SimpleConvNet 1×28×28 → 30 filters 5×5 → pool 2×2 → ${config.hidden[0]} → 10`;
  const sizes = [MNIST_INPUT, ...config.hidden, MNIST_CLASSES].join("-");
  if (config.net === "two") return `TwoLayerNet ${sizes}`;
  const extras = [
    config.batchnorm ? "BatchNorm" : "",
    config.dropout > 0 ? `Dropout ${config.dropout}` : "",
    config.weightDecay > 0 ? `weight decay ${config.weightDecay}` : "",
  ].filter((e) => e !== "");
  return `MultiLayerNetExtend ${sizes}${extras.length > 0 ? ` (${extras.join(", ")})` : ""}`;
}

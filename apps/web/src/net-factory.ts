// The net a TrainConfig describes, built by the library's `createNet` from the spec that `bp train
// --net` builds too (`NETS` of @bp/nets): the training worker and the gradient check build their
// nets here.
import { NETS, createNet, netTitle as titleOf, type Net, type NetSpec } from "@bp/nets";
import type { Backend } from "@bp/tensor";
import type { TrainConfig } from "./messages.js";

export const MNIST_INPUT = 784;
export const MNIST_CLASSES = 10;

/** The NetSpec of a configuration: the settings its net takes (dropout 0: no Dropout layers). */
export function netSpecOf(config: TrainConfig): NetSpec {
  const takes = NETS[config.net].settings;
  return {
    net: config.net,
    inputSize: MNIST_INPUT,
    outputSize: MNIST_CLASSES,
    hidden: config.hidden,
    init: config.init,
    seed: config.seed,
    dtype: config.dtype,
    ...(takes.includes("weightDecay") ? { weightDecay: config.weightDecay } : {}),
    ...(takes.includes("batchnorm") ? { batchnorm: config.batchnorm } : {}),
    ...(takes.includes("dropout") && config.dropout > 0 ? { dropout: config.dropout } : {}),
  };
}

export function buildNet(config: TrainConfig, backend: Backend): Net {
  return createNet(netSpecOf(config), { backend });
}

/** "TwoLayerNet 784-50-10", "MultiLayerNetExtend 784-100-100-10 (ReLU, std 0.01 init, BatchNorm,
 * Dropout 0.2)" or "SimpleConvNet 1x28x28-conv30x5x5-pool2x2-100-10": the title `bp train` prints. */
export function netTitle(config: TrainConfig): string {
  return titleOf(netSpecOf(config));
}

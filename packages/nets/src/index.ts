export type { Net, NamedTensors, NetDescription, LayerDescription, NetKind } from "./Net.js";
export { LayerNet, copyTensors, type LayerNetOptions } from "./LayerNet.js";
export { TwoLayerNet, type TwoLayerNetOptions, type TwoLayerParams } from "./TwoLayerNet.js";
export {
  MultiLayerNet,
  weightScale,
  type MultiLayerNetOptions,
  type Activation,
  type WeightInitStd,
} from "./MultiLayerNet.js";
export { MultiLayerNetExtend, type MultiLayerNetExtendOptions } from "./MultiLayerNetExtend.js";
export { SimpleConvNet, DEFAULT_CONV_PARAM, type SimpleConvNetOptions, type ConvParam } from "./SimpleConvNet.js";
export {
  LAYER_TYPES,
  LOSS_LAYER_TYPES,
  buildLayers,
  layerTypeOf,
  layerTypeNamed,
  layerTable,
  type LayerType,
  type LayerBuildContext,
} from "./layerTypes.js";
export type { Optimizer } from "./Optimizer.js";
export { SGD, type SGDOptions } from "./SGD.js";
export { Momentum, type MomentumOptions } from "./Momentum.js";
export { Nesterov } from "./Nesterov.js";
export { AdaGrad, OPTIMIZER_EPS, type AdaGradOptions } from "./AdaGrad.js";
export { RMSprop, type RMSpropOptions } from "./RMSprop.js";
export { Adam, type AdamOptions } from "./Adam.js";
export {
  createOptimizer,
  OPTIMIZER_NAMES,
  OPTIMIZER_CLASS_NAMES,
  DEFAULT_LR,
  RUN_LR,
  type OptimizerName,
  type OptimizerParams,
} from "./optimizers.js";
export {
  Trainer,
  iterationsPerEpoch,
  type TrainerOptions,
  type TrainerResult,
  type TrainerEvents,
  type IterationEvent,
  type TrainData,
  type Batch,
  type EpochRow,
} from "./Trainer.js";
export { DivergenceError, type Divergence } from "./DivergenceError.js";
export { batchRng, dropoutSeed, minibatchSampler, type Sampling } from "./seededTraining.js";
export { firstRows } from "./firstRows.js";
export {
  encodeNet,
  decodeNet,
  netFromDescription,
  NET_FORMAT,
  LEGACY_TWO_LAYER_FORMAT,
  MAX_LAYERS,
  type DecodeNetOptions,
  type DecodedNet,
} from "./saveNet.js";
export { createNet } from "./createNet.js";
export {
  NETS,
  NET_NAMES,
  netNamed,
  netsTaking,
  netTitle,
  initText,
  squareImage,
  specDescription,
  type NetName,
  type NetRow,
  type NetSetting,
  type NetChoice,
  type NetSpec,
} from "./netSpec.js";
export {
  netLayout,
  hasLayout,
  estimateMemory,
  evaluationRows,
  optimizerSlots,
  layoutOutputSize,
  formatBytes,
  type NetLayout,
  type MemoryRun,
  type MemoryEstimate,
} from "./memoryEstimate.js";
export { checkTrainerOptions, TRAINER_OPTION_NAMES } from "./trainerOptions.js";

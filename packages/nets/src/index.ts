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
export { SimpleConvNet, type SimpleConvNetOptions, type ConvParam } from "./SimpleConvNet.js";
export {
  LAYER_TYPES,
  LOSS_LAYER_TYPES,
  buildLayers,
  layerTypeOf,
  layerTypeNamed,
  type LayerType,
  type LayerBuildContext,
} from "./layerTypes.js";
export { SGD, type SGDOptions, type Optimizer } from "./SGD.js";
export { Momentum, type MomentumOptions } from "./Momentum.js";
export { Nesterov } from "./Nesterov.js";
export { AdaGrad, OPTIMIZER_EPS, type AdaGradOptions } from "./AdaGrad.js";
export { RMSprop, type RMSpropOptions } from "./RMSprop.js";
export { Adam, type AdamOptions } from "./Adam.js";
export {
  createOptimizer,
  OPTIMIZER_NAMES,
  DEFAULT_LR,
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
export { trainNet, type TrainNetOptions, type TrainNetResult } from "./trainNet.js";
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
export { checkTrainerOptions, checkOptionKeys, closestName, TRAINER_OPTION_NAMES } from "./trainerOptions.js";

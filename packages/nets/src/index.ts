export { TwoLayerNet, type TwoLayerNetOptions, type TwoLayerParams } from "./TwoLayerNet.js";
export { SGD, type SGDOptions, type Optimizer } from "./SGD.js";
export { Momentum, type MomentumOptions } from "./Momentum.js";
export {
  trainNet,
  iterationsPerEpoch,
  type TrainData,
  type Batch,
  type EpochRow,
  type TrainNetOptions,
  type TrainNetResult,
} from "./trainNet.js";

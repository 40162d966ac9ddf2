export { TwoLayerNet, type TwoLayerNetOptions, type TwoLayerParams } from "./TwoLayerNet.js";
export { SGD, type SGDOptions, type Optimizer } from "./SGD.js";
export { Momentum, type MomentumOptions } from "./Momentum.js";

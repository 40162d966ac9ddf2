export type { Layer, ParameterLayer, StatefulLayer, LossLayer } from "./Layer.js";
export { hasParams, hasState } from "./Layer.js";
export { MulLayer } from "./MulLayer.js";
export { AddLayer } from "./AddLayer.js";
export { TwoInputLayer } from "./TwoInputLayer.js";
export { Relu } from "./Relu.js";
export { Sigmoid } from "./Sigmoid.js";
export { Affine, type AffineOptions } from "./Affine.js";
export { BatchNormalization, BATCH_NORM_EPS, type BatchNormalizationOptions } from "./BatchNormalization.js";
export { Dropout, type DropoutOptions } from "./Dropout.js";
export { SoftmaxWithLoss } from "./SoftmaxWithLoss.js";
export { Convolution } from "./Convolution.js";
export { Pooling } from "./Pooling.js";
export { im2col, col2im } from "./im2col.js";
export { softmax, crossEntropyError, CROSS_ENTROPY_DELTA } from "./functions.js";
export { numericalGradient, type ScalarFunction, type NumericalGradientOptions } from "./numericalGradient.js";
export { sumToShape, type Value } from "./gradientShape.js";
export { checkTensor } from "./arguments.js";
export {
  buyApples,
  buyApplesAndOranges,
  type ApplesResult,
  type ApplesAndOrangesResult,
} from "./buyApplesAndOranges.js";

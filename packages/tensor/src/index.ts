export { Tensor, type TensorOrNumber, type MatmulOptions, type NestedArray } from "./tensor.js";
export { track } from "./track.js";
export { fused, fusedFunction, FusedValue, FUSED_OPS, type FusedReturn, type FusedTensors } from "./fused.js";
export type { FusedBinaryOp, FusedUnaryOp, FusedProgram } from "./kernels/fused.js";
export { tensor, zeros, ones, full, arange, randn, rand, type CreateOptions, type RandomOptions } from "./create.js";
export { type Backend, type TensorData, type ResidentBackend, isResidentBackend } from "./backend.js";
export { CpuBackend, cpu } from "./cpu.js";
export { BufferPool } from "./pool.js";
export { Rng } from "./random.js";
export {
  type DType,
  type FloatDType,
  type TypedArray,
  type FloatArray,
  DEFAULT_DTYPE,
  DTYPES,
  isDType,
  isFloatDType,
  typedArrayOn,
  bytesPerElement,
} from "./dtype.js";
export {
  BpError,
  ShapeError,
  DTypeError,
  IndexError,
  ValueError,
  BackendError,
  MAX_ERROR_MESSAGE,
} from "./errors.js";
export {
  type Shape,
  formatShape,
  sizeOf,
  broadcastShapes,
  describeValue,
  checkOptions,
  MAX_TENSOR_SIZE,
} from "./shape.js";
export { formatTable, type Align, type TableOptions } from "./table.js";
export { UNARY_OPS, BINARY_OPS, type UnaryOp, type BinaryOp, type ReduceOp } from "./kernels/index.js";

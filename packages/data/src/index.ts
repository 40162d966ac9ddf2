// The browser entry of @bp/data (export conditions "browser" and "default"): pure parsers and
// samplers on bytes, strings and tensors, no node: imports. In Node, "@bp/data" resolves to
// node.ts, which re-exports all of this and adds the functions that read and write files.
export { DataError, type DataLocation, shortText, shortJson } from "./errors.js";
export {
  parseIdx,
  readIdxHeader,
  encodeIdx,
  isGzip,
  IDX_MAX_BYTES,
  type IdxArray,
  type IdxDType,
  type IdxHeader,
  type IdxTypedArray,
} from "./idx.js";
export {
  mnistFromIdx,
  mnistTestFromIdx,
  MNIST_CLASSES,
  type MnistOptions,
  type MnistData,
  type MnistTestData,
  type MnistIdx,
  type NamedIdx,
} from "./mnist.js";
export { parseCsv, CSV_MAX_CLASSES, type CsvOptions, type CsvData } from "./csv.js";
export { sampleMinibatch, shuffledMinibatches, type Minibatch, type EpochOptions } from "./minibatch.js";
export {
  encodeSafetensors,
  decodeSafetensors,
  SAFETENSORS_MAX_HEADER,
  SAFETENSORS_MAX_TENSORS,
  type NamedTensors,
  type Safetensors,
  type DecodeOptions,
} from "./safetensors.js";

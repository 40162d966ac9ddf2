// @bp/data: pure parsers and samplers (no node: imports), safe to bundle for a browser.
// File-reading functions (loadMnist, readIdxFile, loadCsv, saveSafetensors, loadSafetensors) are
// in "@bp/data/node", which also re-exports everything here.
export { DataError, type DataLocation } from "./errors.js";
export { parseIdx, encodeIdx, isGzip, type IdxArray, type IdxDType, type IdxTypedArray } from "./idx.js";
export { mnistFromIdx, MNIST_CLASSES, type MnistOptions, type MnistData, type MnistIdx, type NamedIdx } from "./mnist.js";
export { parseCsv, type CsvOptions, type CsvData } from "./csv.js";
export { sampleMinibatch, shuffledMinibatches, type Minibatch, type EpochOptions } from "./minibatch.js";
export {
  encodeSafetensors,
  decodeSafetensors,
  SAFETENSORS_MAX_HEADER,
  type NamedTensors,
  type Safetensors,
  type DecodeOptions,
} from "./safetensors.js";

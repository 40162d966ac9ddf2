export { main, version, COMMANDS } from "./main.js";
export type { Io, Output } from "./io.js";
export { EXIT, UsageError } from "./errors.js";
export { saveModel, loadModel, type LoadedModel, type ModelInfo } from "./model.js";
export { train, buildNet, iterationsPerEpoch, type TrainConfig, type TrainResult, type EpochRow } from "./training.js";

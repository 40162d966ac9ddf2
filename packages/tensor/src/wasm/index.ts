// "@bp/tensor/wasm": the wasm backend (matrix products in WebAssembly SIMD, bitwise equal to cpu).
export { WasmBackend, createWasmBackend, type WasmBackendOptions } from "./backend.js";
export { missingWasmFeature } from "./module.js";
export type { ResidentHeap } from "./heap.js";

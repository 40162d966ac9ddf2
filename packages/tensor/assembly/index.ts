// The WebAssembly kernels of @bp/tensor (compiled by scripts/build-wasm.mjs). Each has the meaning of
// the TypeScript kernel of the same name in src/kernels/, bit for bit.
export { matmul, matmulScratchBytes } from "./matmul";
export { matmul32ScratchBytes } from "./matmul32";
export { binary, binaryCols, binaryRows } from "./elementwise";
export { argmaxRows, extremeOfRows, unary, where } from "./unary";
export { col2im, im2col, transposeBatched } from "./window";
export { firstNonFinite, sumRows } from "./reduce";
export { gatherRows, zero } from "./copy";
export { putAlongRows } from "./along";
export { fused } from "./fused";
export { liveStepsBytes, prepareLiveSteps, useLiveSteps } from "./steps";

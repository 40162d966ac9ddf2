// The math of every kernel, written once as pure functions on typed arrays over an index range.
// The CPU backend calls each on the whole range; the worker backend calls the same function on a
// slice in each thread.
export * from "./elementwise.js";
export * from "./reduce.js";
export * from "./matmul.js";
export * from "./matmul32.js";
export * from "./layout.js";
export * from "./im2col.js";
export * from "./alongAxis.js";
// bp's own pow (fdlibm's, the same bits on every engine), for callers outside the kernels (Adam).
export { pow } from "./libm.js";
export * from "./fused.js";

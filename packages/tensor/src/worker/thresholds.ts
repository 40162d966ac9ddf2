// When an op is split between threads. Below these sizes handing out work costs more than it saves,
// and the op runs inline on the calling thread. Measured with test/worker-thresholds.bench.ts
// (see the numbers there); TODO: fill in.

/** Matmul: m * n * k multiply-adds. */
export const MATMUL_SPLIT_WORK = 1 << 16;
/** Cheap element-wise ops (arithmetic, comparisons, where, cast, transpose, gather): output elements. */
export const ELEMENTWISE_SPLIT_SIZE = 1 << 18;
/** Element-wise ops that call Math.exp/log/tanh/pow...: output elements. */
export const TRANSCENDENTAL_SPLIT_SIZE = 1 << 14;
/** Reductions and argmax: input elements read. */
export const REDUCE_SPLIT_SIZE = 1 << 18;

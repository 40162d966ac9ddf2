// When an op is split between threads. Below these sizes handing the work out (a postMessage, a
// wake-up, an Atomics.wait: about 20-30 us in all) costs more than the second thread saves, and the
// op runs inline on the calling thread.
//
// Measured (before split ops were staged through shared memory) with
// `node --import tsx test/worker-thresholds.bench.ts` (Node 20.20, 2-core AMD EPYC VM,
// load average 1.7-1.9 with the bench itself running): time inline on one thread vs split on two.
//   matmul m*n*k:   32768 x0.73   64000 x0.93   110592 x1.13   262144 x1.42   3.9M (100x784x50) x1.72
//   add, elements:   4096 x0.49   16384 x0.92    65536 x1.19   262144 x1.26   (memory-bound)
//   exp, elements:   1024 x0.48    4096 x1.44    16384 x1.85
//   sum(axis 0):     4096 x0.38   16384 x0.89    65536 x1.39   262144 x1.73
//   transpose:      16384 x0.61   65536 x1.23   262144 x1.49
// Each threshold sits a little above the measured break-even, so a split is a clear win. On a busy
// machine (other processes on both cores) splitting gains nothing at any size, and costs little.

/** Matmul: m * n * k multiply-adds. The book's x @ W1 (100x784x50) and dW1 split; z1 @ W2 does not. */
export const MATMUL_SPLIT_WORK = 1 << 17;
/**
 * Matmul on the wasm kernel: m * n * k multiply-adds, about a millisecond of one thread's work on the
 * dense kernel (and less on a mostly-zero A, which the kernel skips). Smaller products run inline:
 * measured on the 2-core VM with nothing else running (`/tmp` script, 1000 SGD steps of the book's net
 * plus a 60 000-image pass, threads: 2), splitting the book's x @ W1 and dW1 (3.9M each, about 0.2 ms
 * on MNIST rows) made the steps slower than inline (1114-1157 ms against 1051-1061) while the
 * 60 000-image pass gained 1.4x (137-143 ms against 197-204 on one thread). Measured again with
 * tensors resident in the shared memory (no copies for a split; `/tmp` script, 3000 steps, load
 * about 2.5): splitting from 2^21 gave 0.813-0.834 ms per step against 0.852-0.859 from 2^23, at
 * 1.55-1.60 ms of CPU per step against 0.93, and 2 ms per step with another process on the second
 * core; so the threshold stays, and the 60 000-image pass runs 108-110 ms against wasm's 191-193.
 * Logged split by split in a training loop with nothing else running, the worker often had not
 * started its half by the time the calling thread finished its own (the calling thread took it
 * back), and now and then finished 0.8-4.8 ms late (its virtual CPU descheduled): pausing small
 * splits after such a wait paused them at nearly every try, so there is no adaptive rule either.
 */
export const WASM_MATMUL_SPLIT_WORK = 1 << 23;
/**
 * Cheap element-wise ops (arithmetic, comparisons, where, cast, transpose, gather, im2col, col2im):
 * never split. A split op's inputs are copied into shared memory and its result copied out (tensors
 * live in ordinary memory), which moves at least as many bytes as these memory-bound ops themselves;
 * the measured gains above (x1.2-1.5) were without those copies. A gather would even copy its whole
 * source (the training set) to pick 100 rows. `split: "always"` still splits them (tests).
 */
export const ELEMENTWISE_SPLIT_SIZE = Number.POSITIVE_INFINITY;
/** Element-wise ops that call Math.exp/log/tanh/pow...: output elements. */
export const TRANSCENDENTAL_SPLIT_SIZE = 1 << 12;
/** im2col and col2im: output elements (im2col) or input elements (col2im). Each element costs several
 * index computations besides its copy, so they still split when large (the book's conv layer). */
export const WINDOW_SPLIT_SIZE = 1 << 16;
/** Reductions and argmax: input elements read. Never split, for the same reason: copying the input
 * into shared memory costs as much as reading it once. */
export const REDUCE_SPLIT_SIZE = Number.POSITIVE_INFINITY;

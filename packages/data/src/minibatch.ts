import { ShapeError, ValueError, type Rng, type Tensor, checkOptions } from "@bp/tensor";

/** One minibatch: rows of x and t, and which rows of the full set they are. */
export interface Minibatch {
  xBatch: Tensor;
  tBatch: Tensor;
  /** Row indices into the full set (the book's `batch_mask`). */
  batchMask: Int32Array;
}

function check(op: string, x: Tensor, t: Tensor, batchSize: number): number {
  const n = x.shape[0];
  if (x.rank === 0 || n === undefined || t.rank === 0 || t.shape[0] !== n) {
    throw new ShapeError(
      op,
      `x has shape [${x.shape.join(", ")}] and t has shape [${t.shape.join(", ")}]; expected the same number of rows`,
    );
  }
  if (n === 0) throw new ValueError(op, "the data set has no rows");
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ValueError(op, `batchSize must be a positive integer, got ${batchSize}`);
  }
  return n;
}

/**
 * The book's minibatch: `batchSize` rows drawn at random with replacement
 * (`np.random.choice(train_size, batch_size)`), from a seeded `Rng`, which it advances.
 */
export function sampleMinibatch(x: Tensor, t: Tensor, batchSize: number, rng: Rng): Minibatch {
  const n = check("sampleMinibatch", x, t, batchSize);
  const batchMask = rng.choice(n, batchSize);
  return { xBatch: x.gather(batchMask), tBatch: t.gather(batchMask), batchMask };
}

/** Options of `shuffledMinibatches`. */
export interface EpochOptions {
  /** Leave out the last batch when it is smaller than `batchSize` (default false). */
  dropLast?: boolean;
}

/**
 * One epoch of minibatches without replacement: the rows in a random order from a seeded `Rng`
 * (a permutation drawn when the generator starts), cut into consecutive batches of `batchSize`.
 * Every row appears exactly once per epoch (unless `dropLast` leaves out a short last batch).
 */
export function* shuffledMinibatches(
  x: Tensor,
  t: Tensor,
  batchSize: number,
  rng: Rng,
  options: EpochOptions = {},
): Generator<Minibatch> {
  checkOptions("shuffledMinibatches", options, "options");
  const n = check("shuffledMinibatches", x, t, batchSize);
  const order = rng.permutation(n);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    if (end - start < batchSize && options.dropLast) return;
    const batchMask = order.slice(start, end);
    yield { xBatch: x.gather(batchMask), tBatch: t.gather(batchMask), batchMask };
  }
}

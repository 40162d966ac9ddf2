import { sampleMinibatch, shuffledMinibatches, type Minibatch } from "@bp/data";
import { checkTensor } from "@bp/layers";
import { Rng, ValueError, type Tensor } from "@bp/tensor";

/**
 * bp's seeded training setup, written once (the book seeds one global NumPy generator; bp keeps
 * one `Rng` per purpose, so that changing one part of a run does not move the others):
 *
 * - the net's initial weights: `Rng(seed)` (the `seed` option of every net constructor);
 * - the minibatches: `Rng(seed + 1)` (`batchRng(seed)`, used by `minibatchSampler` and `Trainer`);
 * - Dropout masks: `Rng(seed + 2)` (`dropoutSeed(seed)`, used by `MultiLayerNetExtend`).
 *
 * The same seed gives the same run, bit for bit, on every backend.
 */
export function batchRng(seed: number): Rng {
  return new Rng(seed + 1);
}

/** The seed of the generator that draws Dropout masks for a net built with `seed`. */
export function dropoutSeed(seed: number): number {
  return seed + 2;
}

/** How minibatches are drawn: "choice", the book's random rows with replacement
 * (`np.random.choice(train_size, batch_size)`); "epoch", shuffled epochs without replacement. */
export type Sampling = "choice" | "epoch";

/**
 * The minibatch source of a seeded run: one call per iteration, drawing from `rng` (by default
 * `batchRng(seed)`), the book's way (`"choice"`) or as shuffled epochs (`"epoch"`).
 */
export function minibatchSampler(
  x: Tensor,
  t: Tensor,
  batchSize: number,
  rng: Rng,
  sampling: Sampling = "choice",
): () => Minibatch {
  checkTensor("minibatchSampler", "x", x);
  checkTensor("minibatchSampler", "t", t);
  if (!(rng instanceof Rng)) throw new ValueError("minibatchSampler", `rng must be an Rng, got ${String(rng)}`);
  if (sampling === "choice") return () => sampleMinibatch(x, t, batchSize, rng);
  let epoch: Iterator<Minibatch> | null = null;
  return () => {
    for (;;) {
      epoch ??= shuffledMinibatches(x, t, batchSize, rng);
      const r = epoch.next();
      if (!r.done) return r.value;
      epoch = null;
    }
  };
}

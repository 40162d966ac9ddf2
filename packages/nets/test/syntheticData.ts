// A small seeded classification problem: `classes` Gaussian blobs in `dims` dimensions, centres
// drawn at distance ~3 from the origin, unit spread. Linearly separable enough that the book's
// TwoLayerNet with SGD should reach high accuracy within a few hundred steps.
import { Rng, randn, tensor, type Tensor } from "@bp/tensor";

export function blobs(n: number, dims: number, classes: number, seed: number, spread = 1): { x: Tensor; t: Tensor } {
  const rng = new Rng(seed);
  const centres = randn([classes, dims], { rng, std: 3 / Math.sqrt(dims) });
  const labels = rng.choice(classes, n);
  const noise = randn([n, dims], { rng, std: spread });
  const x = centres.gather(labels).add(noise);
  return { x, t: tensor(labels, { dtype: "int32" }) };
}

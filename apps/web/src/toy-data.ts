// The 2-D toy data sets of the playground (as in TensorFlow Playground): two classes of points in
// [-1, 1]², drawn from a seeded Rng, with noise, shuffled and split into train and test rows.
import { Rng } from "@bp/tensor";

export const DATASETS = ["circles", "xor", "gaussians", "spiral"] as const;
export type DatasetName = (typeof DATASETS)[number];

export interface ToyData {
  /** Rows of (x, y), in [-1, 1] before noise. */
  xTrain: Float64Array;
  tTrain: Int32Array;
  xTest: Float64Array;
  tTest: Int32Array;
}

type Point = [number, number, number];

function generate(name: DatasetName, n: number, noise: number, rng: Rng): Point[] {
  const u = (a: number, b: number) => a + (b - a) * rng.uniform();
  const points: Point[] = [];
  for (let i = 0; i < n; i++) {
    const label = i % 2;
    let x: number;
    let y: number;
    if (name === "circles") {
      // Class 0 inside radius 0.4, class 1 on a ring from 0.6 to 0.9.
      const r = label === 0 ? u(0, 0.4) : u(0.6, 0.9);
      const a = u(0, 2 * Math.PI);
      [x, y] = [r * Math.sin(a), r * Math.cos(a)];
    } else if (name === "xor") {
      const sx = rng.uniform() < 0.5 ? -1 : 1;
      const sy = label === 0 ? sx : -sx;
      [x, y] = [sx * u(0.05, 0.9), sy * u(0.05, 0.9)];
    } else if (name === "gaussians") {
      const c = label === 0 ? 0.45 : -0.45;
      [x, y] = [c + 0.18 * rng.normal(), c + 0.18 * rng.normal()];
    } else {
      // Two interleaved arms of a spiral.
      const r = (i / n) * 0.9;
      const a = (i / n) * 1.75 * 2 * Math.PI + label * Math.PI;
      [x, y] = [r * Math.sin(a), r * Math.cos(a)];
    }
    points.push([x + noise * rng.normal() * 0.5, y + noise * rng.normal() * 0.5, label]);
  }
  return points;
}

/** `n` points of `name` with noise (0 … 0.5, the standard deviation in units of half the square),
 * the first `trainRatio` of a shuffle for training, the rest for testing. */
export function toyData(
  name: DatasetName,
  options: { n: number; noise: number; trainRatio: number; seed: number },
): ToyData {
  const rng = new Rng(options.seed);
  const points = generate(name, options.n, options.noise, rng);
  const order = rng.permutation(points.length);
  const nTrain = Math.max(1, Math.min(points.length - 1, Math.round(points.length * options.trainRatio)));
  const take = (from: number, to: number) => {
    const x = new Float64Array((to - from) * 2);
    const t = new Int32Array(to - from);
    for (let i = from; i < to; i++) {
      const p = points[order[i]!]!;
      x[(i - from) * 2] = p[0];
      x[(i - from) * 2 + 1] = p[1];
      t[i - from] = p[2];
    }
    return { x, t };
  };
  const train = take(0, nTrain);
  const test = take(nTrain, points.length);
  return { xTrain: train.x, tTrain: train.t, xTest: test.x, tTest: test.t };
}

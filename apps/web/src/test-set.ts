// The 10 000 MNIST test images in the page (for browsing and for a model's test accuracy), loaded
// once (its four chunks) through the same Cache Storage as the training worker, and a model's predictions on all of
// them, computed in chunks so that the page keeps drawing.
import { classify, takesImages, type Model } from "./model-store.js";
import { fetchRows } from "./mnist-files.js";

export interface TestSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
}

let loading: Promise<TestSet> | null = null;

export function loadTestSet(): Promise<TestSet> {
  loading ??= Promise.all([
    fetchRows("testImages", 10_000, location.href),
    fetchRows("testLabels", 10_000, location.href),
  ]).then(([img, lab]) => ({
    images: img.idx.array.data as Uint8Array,
    labels: lab.idx.array.data as Uint8Array,
    count: img.idx.array.shape[0]!,
  }));
  loading.catch(() => {
    loading = null;
  });
  return loading;
}

/** Test image `i` as 784 inputs in [0, 1], as mnistFromIdx normalizes them. */
export function testImage(set: TestSet, i: number): Float64Array {
  const out = new Float64Array(784);
  for (let p = 0; p < 784; p++) out[p] = set.images[i * 784 + p]! / 255;
  return out;
}

export interface Predictions {
  model: Model;
  /** Class with the highest score, per image. */
  predicted: Uint8Array;
  /** 10 probabilities per image. */
  probs: Float64Array;
  correct: number;
}

/** Rows per forward pass between two yields to the page (conv nets cost ~20 times more per image). */
const CHUNK = 500;
const CONV_CHUNK = 25;

/** The model's predictions on every test image. */
export async function predictAll(model: Model, set: TestSet): Promise<Predictions> {
  const predicted = new Uint8Array(set.count);
  const probs = new Float64Array(set.count * 10);
  let correct = 0;
  const chunk = takesImages(model) ? CONV_CHUNK : CHUNK;
  for (let start = 0; start < set.count; start += chunk) {
    const rows = Math.min(chunk, set.count - start);
    const x = new Float64Array(rows * 784);
    for (let i = 0; i < rows * 784; i++) x[i] = set.images[start * 784 + i]! / 255;
    const { classes, probs: p } = classify(model, x, rows);
    probs.set(p, start * 10);
    for (let r = 0; r < rows; r++) {
      predicted[start + r] = classes[r]!;
      if (classes[r] === set.labels[start + r]) correct++;
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return { model, predicted, probs, correct };
}

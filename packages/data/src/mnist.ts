import { Tensor, cpu, isFloatDType, type Backend, type FloatDType, checkOptions } from "@bp/tensor";
import { DataError } from "./errors.js";
import type { IdxArray } from "./idx.js";

/** Options of `loadMnist`, named as in the book's `load_mnist`. */
export interface MnistOptions {
  /** Divide pixel values by 255 so they lie in [0, 1] (default true); otherwise keep 0..255. */
  normalize?: boolean;
  /** Images as rows of 784 values (default true); otherwise shape [N, 1, 28, 28]. */
  flatten?: boolean;
  /** Labels as one-hot rows of 10 in `dtype` (default false); otherwise int32 class indices. */
  oneHotLabel?: boolean;
  /** Element type of the images (and one-hot labels): "float64" (default) or "float32". */
  dtype?: FloatDType;
  /** Backend the tensors are made on; default the shared `cpu`. */
  backend?: Backend;
}

/** The book's `(x_train, t_train), (x_test, t_test)`. */
export interface MnistData {
  xTrain: Tensor;
  tTrain: Tensor;
  xTest: Tensor;
  tTest: Tensor;
}

/** A decoded IDX file and the name it came from (for error messages). */
export interface NamedIdx {
  name: string;
  array: IdxArray;
}

/** The four IDX files of an MNIST-layout data set (MNIST, Fashion-MNIST, ...). */
export interface MnistIdx {
  trainImages: NamedIdx;
  trainLabels: NamedIdx;
  testImages: NamedIdx;
  testLabels: NamedIdx;
}

/** Number of classes in MNIST-layout data sets; labels must be 0..9. */
export const MNIST_CLASSES = 10;

/**
 * Builds the book's four tensors from decoded IDX files: checks that images are uint8 [N, rows,
 * cols], labels uint8 [N] with values below 10, counts match, and train and test images have the
 * same size. This is the pure part of `loadMnist` (which reads the files) and works in a browser.
 */
export function mnistFromIdx(files: MnistIdx, options: MnistOptions = {}): MnistData {
  checkOptions("mnistFromIdx", options, "options");
  const opts = resolveOptions(options);
  const xTrain = imagesTensor(files.trainImages, opts);
  const xTest = imagesTensor(files.testImages, opts);
  const trainDims = files.trainImages.array.shape.slice(1).join("x");
  const testDims = files.testImages.array.shape.slice(1).join("x");
  if (trainDims !== testDims) {
    throw new DataError(
      "loadMnist",
      { file: files.testImages.name },
      `test images are ${testDims} pixels but training images (${files.trainImages.name}) are ${trainDims}`,
    );
  }
  const tTrain = labelsTensor(files.trainLabels, files.trainImages, opts);
  const tTest = labelsTensor(files.testLabels, files.testImages, opts);
  return { xTrain, tTrain, xTest, tTest };
}

/** The book's `(x_test, t_test)` alone. */
export interface MnistTestData {
  xTest: Tensor;
  tTest: Tensor;
}

/**
 * The test half of `mnistFromIdx`: `xTest` and `tTest` from the two test files, with the same checks
 * and options. For evaluating a trained model without decoding 60 000 training images.
 */
export function mnistTestFromIdx(
  files: Pick<MnistIdx, "testImages" | "testLabels">,
  options: MnistOptions = {},
): MnistTestData {
  checkOptions("mnistTestFromIdx", options, "options");
  const opts = resolveOptions(options);
  const xTest = imagesTensor(files.testImages, opts);
  return { xTest, tTest: labelsTensor(files.testLabels, files.testImages, opts) };
}

type Resolved = Required<MnistOptions>;

function resolveOptions(options: MnistOptions): Resolved {
  const dtype = options.dtype ?? "float64";
  if (!isFloatDType(dtype)) {
    throw new DataError(
      "loadMnist",
      { file: "<options>" },
      `dtype must be "float64" or "float32", got ${JSON.stringify(dtype)}`,
    );
  }
  return {
    normalize: options.normalize ?? true,
    flatten: options.flatten ?? true,
    oneHotLabel: options.oneHotLabel ?? false,
    dtype,
    backend: options.backend ?? cpu,
  };
}

function imagesTensor(file: NamedIdx, opts: Resolved): Tensor {
  const { array, name } = file;
  if (array.dtype !== "uint8" || array.shape.length !== 3) {
    throw new DataError(
      "loadMnist",
      { file: name },
      `expected uint8 images of shape [count, rows, cols], got ${array.dtype} of shape [${array.shape.join(", ")}]`,
    );
  }
  const [n, rows, cols] = array.shape as [number, number, number];
  if (rows * cols === 0) {
    throw new DataError(
      "loadMnist",
      { file: name },
      `images are ${rows}x${cols} pixels; expected at least one pixel per image`,
    );
  }
  const src = array.data;
  const data = opts.backend.alloc(opts.dtype, src.length);
  if (opts.normalize) {
    for (let i = 0; i < src.length; i++) data[i] = src[i]! / 255;
  } else {
    data.set(src);
  }
  const shape = opts.flatten ? [n, rows * cols] : [n, 1, rows, cols];
  return new Tensor(data, shape, opts.dtype, opts.backend);
}

function labelsTensor(file: NamedIdx, images: NamedIdx, opts: Resolved): Tensor {
  const { array, name } = file;
  if (array.dtype !== "uint8" || array.shape.length !== 1) {
    throw new DataError(
      "loadMnist",
      { file: name },
      `expected uint8 labels of shape [count], got ${array.dtype} of shape [${array.shape.join(", ")}]`,
    );
  }
  const n = array.shape[0]!;
  const count = images.array.shape[0]!;
  if (n !== count) {
    throw new DataError("loadMnist", { file: name }, `has ${n} labels but ${images.name} has ${count} images`);
  }
  const labels = opts.backend.alloc("int32", n);
  for (let i = 0; i < n; i++) {
    const v = array.data[i]!;
    if (v >= MNIST_CLASSES) {
      throw new DataError("loadMnist", { file: name }, `label ${i} is ${v}, expected a class 0..${MNIST_CLASSES - 1}`);
    }
    labels[i] = v;
  }
  const t = new Tensor(labels, [n], "int32", opts.backend);
  return opts.oneHotLabel ? t.oneHot(MNIST_CLASSES, opts.dtype) : t;
}

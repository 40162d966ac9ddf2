// The messages between the page and the training worker (train.worker.ts).
import type { EpochRow, NetName, OptimizerName } from "@bp/nets";
import type { FloatDType } from "@bp/tensor";
import type { BackendName } from "@bp/tensor/backends";
import type { Lang } from "./i18n/index.js";

export type { EpochRow };

/** Backends the page knows of (the library's `BACKEND_NAMES`); backends.ts says which this build
 * and this page can use. */
export type { BackendName };

/** A training run: the options of `bp train` that the page offers. */
export interface TrainConfig {
  /** Which of the book's nets, by the name `bp train --net` takes (`NETS` of @bp/nets). */
  net: NetName;
  /** Hidden layer sizes (TwoLayerNet: exactly one). */
  hidden: number[];
  /** A standard deviation, or "he"/"relu" (√(2/n)) or "xavier"/"sigmoid" (√(1/n)). */
  init: number | "he" | "relu" | "xavier" | "sigmoid";
  optimizer: OptimizerName;
  iterations: number;
  batch: number;
  lr: number;
  seed: number;
  /** multi-extend only. */
  batchnorm: boolean;
  /** Dropout ratio after each hidden activation; 0 = no Dropout layers (multi-extend only). */
  dropout: number;
  /** λ of the weight decay (multi and multi-extend). */
  weightDecay: number;
  dtype: FloatDType;
  backend: BackendName;
  /** Threads of the worker backend, counting the training worker itself. */
  threads: number;
  /** Train on the first N of the 60 000 training images (the book's x_train[:N]). */
  trainSize: number;
  /** Measure the accuracies on the first N of the 10 000 test images. */
  testSize: number;
  /** The chart's accuracy curve: every N iterations, or "auto" (max(10, iterations per epoch / 10)). */
  curveEvery: number | "auto";
  /** ... on the first N of the run's test images (all of them when it has fewer). */
  curveRows: number;
}

export interface GradCheckRequest {
  type: "gradcheck";
  config: TrainConfig;
  /** How many training images (the book: 3). */
  samples: number;
}

export type PageMessage =
  | { type: "start"; config: TrainConfig; paused: boolean }
  | { type: "pause" }
  | { type: "resume" }
  /** Run this many iterations, then pause. */
  | { type: "step"; count: number }
  /** End the run where it is: evaluate, report, keep the net. */
  | { type: "stop" }
  /** Drop the run (its results stay on the page only). */
  | { type: "reset" }
  /** The page's language, for the worker's status lines and messages (sent before a request
   * whenever it changed). */
  | { type: "lang"; lang: Lang }
  /** Which test image the "inside the net" readout follows (index into the run's test rows). */
  | { type: "probe"; image: number }
  | GradCheckRequest;

export type RunState = "loading" | "running" | "paused" | "finished" | "stopped" | "diverged";

export interface GradCheckRow {
  name: string;
  shape: number[];
  meanAbsDiff: number;
  maxAbsDiff: number;
  maxRelError: number;
  failures: number;
  passed: boolean;
}

export type WorkerMessage =
  | { type: "status"; text: string }
  | {
      type: "ready";
      trainSize: number;
      testSize: number;
      backend: string;
      threads: number;
      loadSeconds: number;
      /** Where the IDX files came from: the browser's Cache Storage, the network, or this worker's memory. */
      source: "cache" | "network" | "memory";
      iterationsPerEpoch: number;
      /** "TwoLayerNet 784-50-10". */
      net: string;
      /** The accuracy curve: every `curveEvery` iterations on `curveRows` test images (0: none). */
      curveEvery: number;
      curveRows: number;
    }
  | { type: "state"; state: RunState; iteration: number }
  /** Minibatch losses since the last message (iterations are consecutive from `first`). */
  | { type: "progress"; first: number; losses: number[]; seconds: number }
  | { type: "epoch"; row: EpochRow }
  /** W1 as [side × side, hidden] in storage order, for the hidden units' images (side 28), or
   * SimpleConvNet's filters, one column per filter (side 5). */
  | { type: "weights"; iteration: number; hidden: number; side: number; w1: Float64Array }
  | {
      type: "result";
      state: "finished" | "stopped";
      final: EpochRow;
      /** Seconds spent in training iterations (not loading, not pauses). */
      seconds: number;
      /** The trained net as `encodeNet` bytes (what Download saves). */
      model: Uint8Array;
      /** The first 8 values of W2, for comparing runs. */
      w2: number[];
      config: TrainConfig;
    }
  | InsideMessage
  /** Accuracy on the first `curveRows` test rows, measured every `curveEvery` iterations (not for
   * SimpleConvNet), and the mean minibatch accuracy of the last 50 steps. */
  | { type: "curve"; iteration: number; testAccuracy: number; batchAccuracy: number | null }
  | { type: "diverged"; iteration: number; message: string }
  | { type: "gradcheck"; rows: GradCheckRow[]; seconds: number; passed: boolean }
  /** `about`: what failed, so that only the view that asked shows it. */
  | { type: "error"; about: "train" | "gradcheck"; message: string };

/** A matrix of values copied out of the net (row-major). */
export interface Matrix {
  name: string;
  rows: number;
  cols: number;
  values: Float64Array;
}

/** Inside the net while it trains (inside-probe.ts): one test image through every layer, the last
 * step's gradients, a grid of test predictions and the running minibatch accuracy. */
export interface InsideMessage {
  type: "inside";
  iteration: number;
  image: number;
  label: number;
  pixels: Float64Array;
  /** Each layer's output for the image (1 × units), in order; a Relu's output > 0 is its mask. */
  layers: Matrix[];
  /** Softmax of the scores. */
  probs: number[];
  /** Each Affine's dW and db from the last step's backward (before weight decay). */
  grads: Matrix[];
  /** Test images from `image` on: true label and the two top guesses with probabilities. */
  grid: { index: number; label: number; pixels: Float64Array; top: [number, number][] }[];
  /** Mean accuracy of the last (up to 50) minibatches, from SoftmaxWithLoss's y and t. */
  batchAccuracy: number | null;
}

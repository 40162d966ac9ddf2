// The messages between the page and the training worker (train.worker.ts).
import type { EpochRow } from "@bp/nets";
import type { FloatDType } from "@bp/tensor";

export type { EpochRow };

/** Backends the page knows of; backends.ts says which this build and this page can use. */
export type BackendName = "cpu" | "worker";

/** A training run: the options of `bp train` that the page offers. */
export interface TrainConfig {
  iterations: number;
  batch: number;
  lr: number;
  hidden: number;
  seed: number;
  weightInitStd: number;
  dtype: FloatDType;
  backend: BackendName;
  /** Threads of the worker backend, counting the training worker itself. */
  threads: number;
}

/** A parameter tensor as plain data (what crosses postMessage and goes into a safetensors file). */
export interface ParamData {
  shape: number[];
  data: Float64Array | Float32Array;
}

export type NetParams = Record<"W1" | "b1" | "W2" | "b2", ParamData>;

export interface GradCheckRequest {
  type: "gradcheck";
  hidden: number;
  seed: number;
  dtype: FloatDType;
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
    }
  | { type: "state"; state: RunState; iteration: number }
  /** Minibatch losses since the last message (iterations are consecutive from `first`). */
  | { type: "progress"; first: number; losses: number[]; seconds: number }
  | { type: "epoch"; row: EpochRow }
  /** W1 [784, hidden] in storage order, for the hidden units' images. */
  | { type: "weights"; iteration: number; hidden: number; w1: Float64Array }
  | {
      type: "result";
      state: "finished" | "stopped";
      final: EpochRow;
      /** Seconds spent in training iterations (not loading, not pauses). */
      seconds: number;
      params: NetParams;
      config: TrainConfig;
    }
  | { type: "diverged"; iteration: number; loss: number; message: string }
  | { type: "gradcheck"; rows: GradCheckRow[]; seconds: number; passed: boolean }
  | { type: "error"; message: string };

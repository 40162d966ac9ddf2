// The messages between the page (main.ts) and the training worker (train.worker.ts).
import type { EpochRow } from "@bp/nets";
import type { FloatDType } from "@bp/tensor";

export type { EpochRow };

export type BackendName = "cpu" | "worker";

/** What the page asks for: the CLI's `bp train` options that matter here. */
export interface TrainRequest {
  type: "start";
  iterations: number;
  batch: number;
  lr: number;
  hidden: number;
  seed: number;
  dtype: FloatDType;
  backend: BackendName;
  /** Threads of the worker backend, counting the training worker itself. */
  threads: number;
  /** Post a progress message every this many iterations. */
  reportEvery: number;
}

export type WorkerMessage =
  | { type: "status"; text: string; crossOriginIsolated: boolean }
  | { type: "ready"; trainSize: number; testSize: number; backend: string; threads: number; loadSeconds: number }
  | { type: "progress"; iteration: number; loss: number }
  | { type: "epoch"; row: EpochRow }
  | {
      type: "done";
      trainAccuracy: number;
      testAccuracy: number;
      loss: number;
      /** The first 8 values of W2's data, in storage order. */
      w2: number[];
      seconds: number;
    }
  | { type: "error"; message: string };

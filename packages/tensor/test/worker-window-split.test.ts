// The wasm window, layout and row kernels that Pooling and the conv layer use, run by the worker
// backend with every op split between 3 threads (splitEveryOp): each kernel then starts and ends
// inside a row of windows, a plane or a block of rows, and its results must still equal the cpu
// backend's bit for bit (the 2x2 pooling paths of assembly/window.ts, the rows of four of
// assembly/unary.ts, the blocked transposes).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng, rand, tensor, type FloatDType, type Tensor } from "../src/index.js";
import { splitEveryOp } from "../src/worker/internals.js";
import { type WorkerBackend, createWorkerBackend } from "../src/worker/node.js";
import { firstDifference } from "./conformance/suite.js";

let worker: WorkerBackend;

beforeAll(async () => {
  worker = await createWorkerBackend({ threads: 3 }).then(splitEveryOp);
});

afterAll(() => {
  worker.dispose();
});

function same(label: string, onCpu: Tensor, op: (x: Tensor) => Tensor): void {
  const want = op(onCpu);
  const got = op(onCpu.to(worker));
  expect(got.shape, label).toEqual(want.shape);
  expect(firstDifference(got.data, want.data), label).toBeNull();
}

describe("window and layout kernels split between worker threads", () => {
  for (const dtype of ["float64", "float32"] as FloatDType[]) {
    it(`${dtype}: Pooling's im2col, argmax, max, putAlongLastAxis and col2im; the conv layer's ops`, () => {
      // Uniform values minus 0.5, so rows have negative, positive and (after relu) zero values.
      const x = rand([37, 1, 24, 24], { seed: 3, dtype }).sub(0.5);
      same("im2col 2x2 s2", x, (t) => t.im2col(2, 2, 2, 0));
      const col = x.im2col(2, 2, 2, 0);
      same("argmax rows of 4", col, (t) => t.argmax(1));
      same("max rows of 4", col, (t) => t.max(1));
      same("col2im 2x2 s2", col, (t) => t.col2im([37, 1, 24, 24], 2, 2, 2, 0));
      const idx = tensor(Int32Array.from(new Rng(4).choice(4, col.shape[0]!)), { dtype: "int32" });
      same("putAlongLastAxis", col.max(1), (t) => t.putAlongLastAxis(idx.to(t.backend), 4));
      // 13 planes of 5x5 windows: 325 rows, whose split points fall inside window rows.
      const small = rand([13, 1, 10, 10], { seed: 7, dtype });
      same("im2col 2x2 s2 of 13 planes", small, (t) => t.im2col(2, 2, 2, 0));
      same("col2im 2x2 s2 of 13 planes", small.im2col(2, 2, 2, 0), (t) => t.col2im([13, 1, 10, 10], 2, 2, 2, 0));
      // Lines of whole vectors (24 values) take the one-loop path (assembly/window.ts, im2colPool2):
      // 120 rows of 12 windows in chunks of 40, which start and end inside window rows.
      const lines = rand([5, 1, 4, 24], { seed: 8, dtype });
      same("im2col 2x2 s2 of 5 planes of 24 columns", lines, (t) => t.im2col(2, 2, 2, 0));
      same("col2im 2x2 s2 of 5 planes of 24 columns", lines.im2col(2, 2, 2, 0), (t) =>
        t.col2im([5, 1, 4, 24], 2, 2, 2, 0),
      );
      const img = rand([9, 1, 28, 28], { seed: 5, dtype });
      same("im2col 5x5", img, (t) => t.im2col(5, 5, 1, 0));
      const nhwc = rand([9, 24, 24, 30], { seed: 6, dtype });
      same("transpose (0,3,1,2)", nhwc, (t) => t.transpose([0, 3, 1, 2]));
      same("transpose (0,2,3,1)", nhwc.transpose([0, 3, 1, 2]), (t) => t.transpose([0, 2, 3, 1]));
      const flat = nhwc.reshape([9 * 576, 30]);
      same("bias add", flat, (t) => t.add(t.sum(0)));
      same("relu backward", flat, (t) => t.where(t.relu(), 0));
    });
  }
});

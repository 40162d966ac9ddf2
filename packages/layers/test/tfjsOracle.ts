// TensorFlow.js (float32, CPU backend) as the oracle for the layers' outputs and gradients.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-core/dist/register_all_gradients.js";
import { expect } from "vitest";
import type { Tensor } from "@bp/tensor";

export { tf };

export async function setupTfjs(): Promise<void> {
  tf.env().set("IS_TEST", true);
  await tf.setBackend("cpu");
}

/** A tfjs tensor with the values of a bp tensor (float32, or int32 for labels). */
export function toTf(t: Tensor): tf.Tensor {
  return t.dtype === "int32"
    ? tf.tensor(Int32Array.from(t.data), [...t.shape], "int32")
    : tf.tensor(Float32Array.from(t.data), [...t.shape], "float32");
}

/** Every element within atol + rtol * |expected| (expected = tfjs), shapes equal. */
export function expectCloseToTf(
  actual: Tensor | number,
  expected: tf.Tensor,
  atol: number,
  rtol: number,
  what: string,
): void {
  const want = expected.dataSync();
  const got = typeof actual === "number" ? [actual] : actual.data;
  if (typeof actual !== "number") expect(actual.shape, `${what}: shape`).toEqual(expected.shape);
  expect(got.length, `${what}: size`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const diff = Math.abs(got[i]! - want[i]!);
    if (diff > atol + rtol * Math.abs(want[i]!)) {
      expect.fail(
        `${what}[${i}]: bp ${got[i]} vs tfjs ${want[i]} (|diff| ${diff} > atol ${atol} + rtol ${rtol} * |tfjs|)`,
      );
    }
  }
}

// Bad calls into @bp/layers and @bp/nets, as a new user might make them: each throws a typed
// error (ShapeError, DTypeError, ValueError, ...) that names the op, what was wrong and what was
// expected, never a TypeError from inside the code or a silent NaN.
import { describe, expect, it } from "vitest";
import { SoftmaxWithLoss, crossEntropyError } from "@bp/layers";
import { type BpError, ValueError, zeros } from "@bp/tensor";

interface BadCall {
  name: string;
  fn: () => unknown;
  type: new (...args: never[]) => BpError;
  /** A fragment of the message (which starts with the op). */
  message: string | RegExp;
}

const noScores = zeros([0, 3]);
const noLabels = zeros([0], { dtype: "int32" });

const cases: BadCall[] = [
  // 0 rows: the batch mean would be 0 / 0 = NaN.
  {
    name: "SoftmaxWithLoss.forward on 0 rows",
    fn: () => new SoftmaxWithLoss().forward(noScores, noLabels),
    type: ValueError,
    message: "SoftmaxWithLoss.forward: x has 0 rows (shape [0, 3]); expected at least one",
  },
  {
    name: "crossEntropyError on 0 rows",
    fn: () => crossEntropyError(noScores, noLabels),
    type: ValueError,
    message: "crossEntropyError: y has 0 rows (shape [0, 3]); expected at least one",
  },
];

describe("bad arguments get typed errors naming the op", () => {
  it.each(cases)("$name", ({ fn, type, message }) => {
    let error: unknown;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(type);
    if (typeof message === "string") expect((error as Error).message).toContain(message);
    else expect((error as Error).message).toMatch(message);
  });
});

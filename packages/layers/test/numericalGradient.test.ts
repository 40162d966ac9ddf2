import { describe, expect, it } from "vitest";
import { ValueError, tensor, type Tensor } from "@bp/tensor";
import { numericalGradient } from "@bp/layers";

// The book's function_2 (section 4.3.3): f(x0, x1) = x0^2 + x1^2, gradient (2 x0, 2 x1).
const function2 = (x: Tensor): number => x.square().sum().item();

describe("numericalGradient", () => {
  it("gives the book's gradients of x0^2 + x1^2 (section 4.4)", () => {
    // book: numerical_gradient(function_2, [3.0, 4.0]) -> [6., 8.]; [0.0, 2.0] -> [0., 4.];
    // [3.0, 0.0] -> [6., 0.]. For a quadratic the central difference is exact up to rounding.
    for (const [p, g] of [
      [
        [3, 4],
        [6, 8],
      ],
      [
        [0, 2],
        [0, 4],
      ],
      [
        [3, 0],
        [6, 0],
      ],
    ] as const) {
      const grad = numericalGradient(function2, tensor([...p]));
      expect(grad.get(0)).toBeCloseTo(g[0], 9);
      expect(grad.get(1)).toBeCloseTo(g[1], 9);
      expect(grad.dtype).toBe("float64");
    }
  });

  it("uses the step h: (f(x+h) - f(x-h)) / 2h of x^3 is 3x^2 + h^2", () => {
    const cube = (x: Tensor): number => x.pow(3).sum().item();
    // ((x+h)^3 - (x-h)^3) / 2h = 3x^2 + h^2; at x = 1, h = 0.1: 3.01
    expect(numericalGradient(cube, tensor([1]), { h: 0.1 }).item()).toBeCloseTo(3.01, 12);
  });

  it("keeps the shape of x and accepts a one-element tensor from f", () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    const g = numericalGradient((v) => v.mul(v).sum(), x);
    expect(g.shape).toEqual([2, 2]);
    for (const [i, v] of (g.toArray() as number[][]).flat().entries()) expect(v).toBeCloseTo(2 * (i + 1), 8);
  });

  it("restores every element, also when f throws", () => {
    const x = tensor([1.5, -2.5, 3.25]);
    numericalGradient(function2, x);
    expect(x.toArray()).toEqual([1.5, -2.5, 3.25]);
    let calls = 0;
    const failing = (v: Tensor): number => {
      if (++calls === 3) throw new Error("boom");
      return function2(v);
    };
    expect(() => numericalGradient(failing, x)).toThrow("boom");
    expect(x.toArray()).toEqual([1.5, -2.5, 3.25]);
  });

  it("refuses a bad step, an int32 x and a non-scalar f", () => {
    expect(() => numericalGradient(function2, tensor([1]), { h: 0 })).toThrow(ValueError);
    expect(() => numericalGradient(function2, tensor([1], { dtype: "int32" }))).toThrow(
      "numericalGradient: x must be float32 or float64, got int32 [1]",
    );
    expect(() => numericalGradient((v) => v, tensor([1, 2]))).toThrow(
      "f must return a number or a one-element tensor, got shape [2]",
    );
  });
});

import { ValueError, Tensor, describeValue } from "@bp/tensor";
import { fromForward } from "./cache.js";
import { checkDout, gradientLike, type Value } from "./gradientShape.js";

/**
 * What `MulLayer` and `AddLayer` share: two inputs that are numbers or tensors, cached by
 * `forward`, and a `backward(dout)` that returns `[dx, dy]`, each summed back to its input's shape
 * when the inputs were broadcast. A subclass gives only the operation and its local derivative.
 */
export abstract class TwoInputLayer {
  x: Value | null = null;
  y: Value | null = null;
  /** The forward output, kept to check that `dout` has its kind and shape. */
  out: Value | null = null;

  /** The layer's name in error messages. */
  protected abstract readonly layerName: string;
  /** The forward operation. */
  protected abstract compute(x: Value, y: Value): Value;
  /** The gradients `[dx, dy]` before they are summed back to the inputs' shapes. */
  protected abstract localGradients(dout: Value, x: Value, y: Value): [Value, Value];

  forward(x: number, y: number): number;
  forward(x: Tensor, y: Value): Tensor;
  forward(x: Value, y: Tensor): Tensor;
  forward(x: Value, y: Value): Value;
  forward(x: Value, y: Value): Value {
    for (const [name, v] of [
      ["x", x],
      ["y", y],
    ] as const) {
      if (typeof v !== "number" && !(v instanceof Tensor))
        throw new ValueError(
          `${this.layerName}.forward`,
          `${name} must be a number or a Tensor, got ${describeValue(v)}`,
        );
    }
    this.x = x;
    this.y = y;
    this.out = this.compute(x, y);
    return this.out;
  }

  /** Returns `[dx, dy]`. */
  backward(dout: number): [number, number];
  backward(dout: Value): [Value, Value];
  backward(dout: Value): [Value, Value] {
    const op = `${this.layerName}.backward`;
    const x = fromForward(this.x, op, "x");
    const y = fromForward(this.y, op, "y");
    checkDout(op, dout, fromForward(this.out, op, "out"));
    const [dx, dy] = this.localGradients(dout, x, y);
    return [gradientLike(dx, x, dout), gradientLike(dy, y, dout)];
  }
}

import { plus, type Value } from "./gradientShape.js";
import { TwoInputLayer } from "./TwoInputLayer.js";

/**
 * The addition node of the book's section 5.4: `out = x + y`; backward passes `dout` on to both
 * inputs. Works on plain numbers and on tensors (with broadcasting). The returned gradients are
 * new tensors, never the `dout` that was passed in. (The book's AddLayer caches nothing; this one
 * keeps the inputs to sum a broadcast gradient back to their shapes.)
 */
export class AddLayer extends TwoInputLayer {
  protected readonly layerName = "AddLayer";

  protected compute(x: Value, y: Value): Value {
    return plus(x, y);
  }

  protected localGradients(dout: Value): [Value, Value] {
    return [dout, dout];
  }
}

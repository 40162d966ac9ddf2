import { BpError } from "@bp/tensor";

/** What went non-finite, at which iteration (1-based), and the value. */
export interface Divergence {
  iteration: number;
  /** "loss", "gradient of W1" (a gradient), or the name of a parameter (`W1`, `gamma2`, ...). */
  what: string;
  /** Which of the three went non-finite. */
  kind: "loss" | "gradient" | "parameter";
  /** The loss, or the first non-finite element of the gradient or parameter (NaN or ±Infinity). */
  value: number;
  /** For a gradient or parameter: the flat index of that element. */
  index?: number;
  /**
   * false: the loss or a gradient was non-finite, found before the update, which was not applied
   * (unless training continues past divergences), so the net keeps the parameters of the previous
   * iteration. true: the loss and gradients were finite but a parameter (or, with
   * `lossAfterUpdate`, the loss) became non-finite through the update itself (an overflow).
   */
  afterUpdate: boolean;
}

/**
 * Thrown by `Trainer` when the loss, a gradient or a parameter becomes NaN or ±Infinity (training
 * diverged: usually too large a learning rate or weight scale). Names the iteration, the value, and
 * whether it was found before the update (not applied) or after it (an overflow).
 */
export class DivergenceError extends BpError {
  override name = "DivergenceError";
  readonly divergence: Divergence;

  constructor(divergence: Divergence, op = "Trainer.trainStep") {
    const { iteration, what, value, index, afterUpdate } = divergence;
    const where = index === undefined ? "" : ` at flat index ${index}`;
    const when = afterUpdate
      ? " after the update (finite values and gradients overflowed in the update)"
      : `; the update was not applied, so the net keeps ${iteration === 1 ? "its initial parameters" : `the parameters of iteration ${iteration - 1}`}`;
    super(
      op,
      `training diverged at iteration ${iteration}: ${what} is ${value}${where}${when} (try a smaller learning rate or weight scale)`,
    );
    this.divergence = divergence;
  }
}

import { BpError } from "@bp/tensor";

/** What went non-finite, at which iteration (1-based), and the value. */
export interface Divergence {
  iteration: number;
  /** "loss", or the name of the parameter (`W1`, `gamma2`, ...). */
  what: string;
  /** The loss, or the first non-finite element of the parameter (NaN, Infinity or -Infinity). */
  value: number;
  /** For a parameter: the flat index of that element. */
  index?: number;
}

/**
 * Thrown by `Trainer` when the loss or a parameter becomes NaN or ±Infinity (training diverged:
 * usually too large a learning rate or weight scale). Names the iteration and the value.
 */
export class DivergenceError extends BpError {
  override name = "DivergenceError";
  readonly divergence: Divergence;

  constructor(divergence: Divergence, op = "Trainer.trainStep") {
    const where = divergence.index === undefined ? "" : ` at flat index ${divergence.index}`;
    super(
      op,
      `training diverged at iteration ${divergence.iteration}: ${divergence.what} is ${divergence.value}${where} (try a smaller learning rate or weight scale)`,
    );
    this.divergence = divergence;
  }
}

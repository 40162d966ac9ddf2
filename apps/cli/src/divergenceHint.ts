import type { Tensor } from "@bp/tensor";
import type { NetSpec } from "./netOptions.js";

/** What a diverged run was given, as far as the hint needs it. */
export interface DivergedRun {
  spec: NetSpec;
  lr: number;
  /** The training inputs (their largest magnitude points at --scale). */
  xTrain: Tensor;
  /** --scale, for CSV data. */
  scale?: number | undefined;
}

/** Largest |x| of a tensor. */
function largest(x: Tensor): number {
  let m = 0;
  const d = x.data;
  for (let i = 0; i < d.length; i++) {
    const v = Math.abs(d[i]!);
    if (v > m) m = v;
  }
  return m;
}

/**
 * The likely causes of a divergence, from the options in use, most likely first: a weight decay
 * that multiplies the weights by 1 - lr·λ < -1 every step, initial weights of a huge standard
 * deviation, input features far from the unit range (--scale), else the learning rate. Used to
 * say "try a smaller --lr" whatever the cause (issue 20, defect 9).
 */
export function divergenceHint(run: DivergedRun): string {
  const { spec, lr } = run;
  const causes: string[] = [];
  if (spec.weightDecay > 0 && lr * spec.weightDecay >= 1)
    causes.push(
      `--weight-decay ${spec.weightDecay} with lr ${lr} scales the weights by 1 - lr x lambda = ${1 - lr * spec.weightDecay} every step; try a --weight-decay below ${1 / lr} (the book uses 0.1 or less)`,
    );
  if (typeof spec.init === "number" && spec.init > 1)
    causes.push(
      `initial weights of standard deviation ${spec.init} (--init/--weight-init-std) give scores that overflow; try 0.01${spec.net === "multi" || spec.net === "multi-extend" ? ", he or xavier" : ""}`,
    );
  const big = largest(run.xTrain);
  if (big > 1e3)
    causes.push(
      `input features reach ${big.toPrecision(3)}${run.scale !== undefined ? ` after --scale ${run.scale}` : ""}; scale them to about 0..1${run.scale !== undefined ? " with a larger --scale" : ""}`,
    );
  if (causes.length === 0) causes.push(`try a smaller --lr than ${lr}`);
  return causes.join("; or ");
}

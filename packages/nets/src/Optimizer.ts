import { ValueError, zeros, type Tensor } from "@bp/tensor";

/** An optimizer: updates parameters in place from their gradients (book section 6.1). */
export interface Optimizer {
  /** The learning rate. */
  readonly lr: number;
  update(params: Readonly<Record<string, Tensor>>, grads: Readonly<Record<string, Tensor>>): void;
}

// What every optimizer of common/optimizer.py does besides its own update rule: find the gradient of
// each parameter, keep a per-parameter buffer, check its settings, free the tensors an update
// replaced.

/** The gradient of parameter `key`, or a ValueError naming the gradients there are. */
export function gradOf(op: string, grads: Readonly<Record<string, Tensor>>, key: string): Tensor {
  const g = grads[key];
  if (g === undefined)
    throw new ValueError(
      op,
      `no gradient for parameter '${key}' (grads has ${Object.keys(grads).join(", ") || "nothing"})`,
    );
  return g;
}

/** A per-parameter buffer (velocity, squared-gradient sum, ...), zeros of the parameter's shape on
 * the first update. */
export function slot(buffers: Map<string, Tensor>, key: string, p: Tensor): Tensor {
  return buffers.get(key) ?? zeros(p.shape, { dtype: p.dtype, backend: p.backend });
}

/** A decay rate in [0, 1): Adam's beta1 and beta2 (1 would divide by 1 - 1^iter = 0), RMSprop's
 * decayRate (above 1 the squared-gradient average turns negative). */
export function checkDecay(op: string, name: string, v: number): number {
  if (!(v >= 0 && v < 1)) throw new ValueError(op, `${name} must be a number in [0, 1), got ${v}`);
  return v;
}

/** A learning rate or momentum: a finite number >= 0. */
export function checkRate(op: string, name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new ValueError(op, `${name} must be a finite number >= 0, got ${v}`);
  return v;
}

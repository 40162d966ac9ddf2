import type { Tensor } from "./tensor.js";

/** The tensors made under the innermost running `track` (null when none runs): the `Tensor`
 * constructor appends every tensor it builds here, one branch per tensor when nothing is tracked. */
export const tracking: { made: Tensor[] | null } = { made: null };

/**
 * Runs `f` and returns its result with every tensor made while it ran (op results, reshape views,
 * factory results), in order. Nothing is disposed: the caller decides what each tensor is, as a
 * net's forward loop does with what a layer made (its output, the caches it keeps in its fields,
 * and temporaries it can dispose at once). Calls nest: a tensor is listed by the innermost `track`
 * only, so an inner loop's decisions are its own.
 */
export function track<T>(f: () => T): { result: T; made: Tensor[] } {
  const outer = tracking.made;
  const made: Tensor[] = [];
  tracking.made = made;
  try {
    return { result: f(), made };
  } finally {
    tracking.made = outer;
  }
}

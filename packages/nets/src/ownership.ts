import { Tensor, track } from "@bp/tensor";

/**
 * What a net's loops own of the tensors its layers make. Layers compute and cache, as in the book,
 * and never dispose: the net runs each `forward` and `backward` under `track` and sorts what the
 * call made. The tensors the layer now holds in its fields (its caches: Affine's `x`, `dW`, `db`)
 * and, for a forward, its output are kept; every other tensor the call made is a temporary and is
 * disposed at once, so its storage serves the next op (small ones too: a scalar operand, a column
 * sum; one the layer disposed itself stays disposed). The kept tensors
 * of a layer's previous call in the same direction are disposed when this call has replaced them;
 * one the layer still holds afterwards (a Dropout mask made its `fixedMask`) is left to the garbage
 * collector, and so is a tensor given to the net's caller (`predict`'s result).
 */
export class Ownership {
  /** The kept tensors of each layer's last forward, and of its last backward. */
  private readonly forwards = new Map<object, Tensor[]>();
  private readonly backwards = new Map<object, Tensor[]>();
  /** Tensors given to a caller: never disposed by the net. */
  private readonly given = new WeakSet<Tensor>();
  /** The tensors a layer holds, refilled by each call (heldTensors). */
  private readonly held: Tensor[] = [];

  /** `layer.forward` under `call`: its output is kept with the caches until its next forward. */
  forward<T>(layer: object, call: () => T): T {
    return this.run(this.forwards, layer, call, true).result;
  }

  /** `layer.backward` under `call`: the returned gradient, unless the layer holds it, is the
   * caller's (`handOff`: the loop disposes it once the next layer has read it). */
  backward<T>(layer: object, call: () => T): { result: T; handOff: boolean } {
    return this.run(this.backwards, layer, call, false);
  }

  /** Marks `t` as the caller's: the net never disposes it. */
  give(t: Tensor): void {
    this.given.add(t);
  }

  private run<T>(
    calls: Map<object, Tensor[]>,
    layer: object,
    call: () => T,
    keepResult: boolean,
  ): { result: T; handOff: boolean } {
    const { result, made } = track(call);
    const previous = calls.get(layer);
    if (made.length === 0 && previous === undefined) return { result, handOff: false };
    const held = heldTensors(layer, this.held);
    const kept: Tensor[] = [];
    let handOff = false;
    for (const t of made) {
      if (held.includes(t) || (keepResult && t === result)) kept.push(t);
      else if (t === result) handOff = true;
      else t.dispose(); // does nothing when the layer disposed it itself
    }
    if (previous !== undefined)
      for (const t of previous) if (t !== result && !held.includes(t) && !this.given.has(t)) t.dispose();
    calls.set(layer, kept);
    return { result, handOff };
  }
}

/**
 * Runs `f` and disposes every tensor it made except its result (the net's own temporaries: an
 * argmax read into numbers, a minibatch of an evaluation). Tensors that layers made under a nested
 * `track` of the net's loops are not listed here, so their caches stay.
 */
export function scoped<T>(f: () => T): T {
  const { result, made } = track(f);
  for (const t of made) if (t !== result) t.dispose();
  return result;
}

/** The tensors in an object's own enumerable fields, and one level into arrays, Maps and plain
 * records held there (where a layer keeps its caches), written into `held` (emptied first). */
function heldTensors(owner: object, held: Tensor[]): Tensor[] {
  held.length = 0;
  for (const value of Object.values(owner)) {
    if (typeof value !== "object" || value === null) continue;
    if (value instanceof Tensor) held.push(value);
    else if (Array.isArray(value)) addTensors(held, value);
    else if (value instanceof Map) addTensors(held, value.values());
    else if (Object.getPrototypeOf(value) === Object.prototype) addTensors(held, Object.values(value));
  }
  return held;
}

function addTensors(held: Tensor[], values: Iterable<unknown>): void {
  for (const v of values) if (v instanceof Tensor) held.push(v);
}

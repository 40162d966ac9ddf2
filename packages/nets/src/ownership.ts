import { Tensor, track } from "@bp/tensor";

/**
 * What a net's loops own of the tensors its layers make. Layers compute and cache, as in the book,
 * and never dispose: the net runs each `forward` and `backward` under `track` and sorts what the
 * call made. The tensors the layer now holds in its fields (its caches: Affine's `x`, `dW`, `db`)
 * and, for a forward, its output are kept; every other tensor the call made is a temporary and is
 * disposed at once, so its storage serves the next op (small ones too: a scalar operand, a column
 * sum; one the layer disposed itself stays disposed).
 *
 * The kept tensors of a layer's previous forward are disposed as its next forward begins, before
 * it runs, when the layer still holds each of them where that forward left it (or not at all, as
 * its output): the new forward replaces them, and their storage, touched during the last backward
 * and so likely still in cache, serves its new caches. (In the float32 SimpleConvNet step on wasm,
 * disposing them after the forward instead, as before, was 2-4 % slower at the best step and 2-5 %
 * at the median, four alternated rounds in one process: each forward's new caches then took other
 * storage, and a step touched 60 MB where it now touches 47.) One the layer has since put in
 * another field (a Dropout mask made its `fixedMask`), the forward's own input, and a tensor given to
 * the net's caller (`predict`'s result) are not disposed then; the first is left to the garbage
 * collector if the layer still holds it after the forward, as is any such tensor. The kept tensors
 * of a layer's previous backward are disposed when its next backward has replaced them.
 */
export class Ownership {
  /** The kept tensors of each layer's last forward, and of its last backward. */
  private readonly forwards = new Map<object, Tensor[]>();
  private readonly backwards = new Map<object, Tensor[]>();
  /** For each kept tensor of a layer's last forward (same order), the fields that held it then. */
  private readonly fields = new Map<object, string[]>();
  /** Tensors given to a caller: never disposed by the net. */
  private readonly given = new WeakSet<Tensor>();
  /** The tensors a layer holds, refilled by each call (heldTensors). */
  private readonly held: Tensor[] = [];

  /** `layer.forward` under `call` (whose input is `input`): its output is kept with the caches until
   * its next forward. */
  forward<T>(layer: object, call: () => T, input?: unknown): T {
    const previous = this.forwards.get(layer);
    if (previous !== undefined) this.forwards.set(layer, this.disposeReplaced(layer, previous, input));
    const run = this.run(this.forwards, layer, call, true);
    const kept = this.forwards.get(layer);
    if (kept !== undefined) {
      const now = fieldsHolding(layer);
      this.fields.set(
        layer,
        kept.map((t) => now.get(t) ?? ""),
      );
    }
    return run.result;
  }

  /** `layer.backward` under `call`: the returned gradient, unless the layer holds it, is the
   * caller's (`handOff`: the loop disposes it once the next layer has read it). */
  backward<T>(layer: object, call: () => T): { result: T; handOff: boolean } {
    return this.run(this.backwards, layer, call, false);
  }

  /** Disposes the kept tensors of the layer's previous forward that it still holds where that forward
   * left them; returns the others, for `run` to dispose after the call unless the layer holds them. */
  private disposeReplaced(layer: object, previous: Tensor[], input: unknown): Tensor[] {
    const then = this.fields.get(layer);
    const now = fieldsHolding(layer);
    const later: Tensor[] = [];
    for (const [i, t] of previous.entries()) {
      if (this.given.has(t) || t === input) continue;
      if (then !== undefined && (now.get(t) ?? "") === then[i]) t.dispose();
      else later.push(t);
    }
    return later;
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

/** Calls `f` with each tensor in an object's own enumerable fields, and one level into arrays, Maps
 * and plain records held there (where a layer keeps its caches), and the field's name. */
function forEachHeld(owner: object, f: (t: Tensor, field: string) => void): void {
  for (const [field, value] of Object.entries(owner)) {
    if (typeof value !== "object" || value === null) continue;
    if (value instanceof Tensor) f(value, field);
    else if (Array.isArray(value)) forEachTensor(value, field, f);
    else if (value instanceof Map) forEachTensor(value.values(), field, f);
    else if (Object.getPrototypeOf(value) === Object.prototype) forEachTensor(Object.values(value), field, f);
  }
}

function forEachTensor(values: Iterable<unknown>, field: string, f: (t: Tensor, field: string) => void): void {
  for (const v of values) if (v instanceof Tensor) f(v, field);
}

/** The tensors an object holds (see forEachHeld), written into `held` (emptied first). */
function heldTensors(owner: object, held: Tensor[]): Tensor[] {
  held.length = 0;
  forEachHeld(owner, (t) => held.push(t));
  return held;
}

/** Each tensor an object holds (see forEachHeld) with the names of the fields that hold it. */
function fieldsHolding(owner: object): Map<Tensor, string> {
  const fields = new Map<Tensor, string>();
  forEachHeld(owner, (t, field) => {
    const before = fields.get(t);
    fields.set(t, before === undefined ? field : `${before},${field}`);
  });
  return fields;
}

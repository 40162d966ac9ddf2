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
  /** Per layer: the kept tensors of its last forward and the fields that held each of them then
   * (same order), and the kept tensors of its last backward. */
  private readonly layers = new Map<object, LayerCalls>();
  /** Tensors given to a caller: never disposed by the net. */
  private readonly given = new WeakSet<Tensor>();
  /** What a layer holds, refilled by each walk of its fields (see `Holdings`). */
  private readonly held = new Holdings();

  /** `layer.forward` under `call` (whose input is `input`): its output is kept with the caches until
   * its next forward. */
  forward<T>(layer: object, call: () => T, input?: unknown): T {
    const calls = this.callsOf(layer);
    if (calls.forward !== null && calls.forward.length > 0) calls.forward = this.disposeReplaced(layer, calls, input);
    const run = this.run(calls, layer, call, true);
    // The walk of `run` still says what the layer holds: disposing what it did not hold changed no field.
    calls.fields = calls.forward!.map((t) => this.held.fieldsOf(t));
    return run.result;
  }

  /** `layer.backward` under `call`: the returned gradient, unless the layer holds it, is the
   * caller's (`handOff`: the loop disposes it once the next layer has read it). */
  backward<T>(layer: object, call: () => T): { result: T; handOff: boolean } {
    return this.run(this.callsOf(layer), layer, call, false);
  }

  private callsOf(layer: object): LayerCalls {
    let calls = this.layers.get(layer);
    if (calls === undefined) {
      calls = { forward: null, fields: [], backward: null };
      this.layers.set(layer, calls);
    }
    return calls;
  }

  /** Disposes the kept tensors of the layer's previous forward that it still holds where that forward
   * left them; returns the others, for `run` to dispose after the call unless the layer holds them. */
  private disposeReplaced(layer: object, calls: LayerCalls, input: unknown): Tensor[] {
    const previous = calls.forward!;
    const then = calls.fields;
    const held = this.held.walk(layer);
    const later: Tensor[] = [];
    for (let i = 0; i < previous.length; i++) {
      const t = previous[i]!;
      if (this.given.has(t) || t === input) continue;
      if (held.fieldsOf(t) === then[i]) t.dispose();
      else later.push(t);
    }
    return later;
  }

  /** Marks `t` as the caller's: the net never disposes it. */
  give(t: Tensor): void {
    this.given.add(t);
  }

  private run<T>(calls: LayerCalls, layer: object, call: () => T, forward: boolean): { result: T; handOff: boolean } {
    const { result, made } = track(call);
    const previous = forward ? calls.forward : calls.backward;
    if (made.length === 0 && previous === null) return { result, handOff: false };
    const held = this.held.walk(layer);
    const kept: Tensor[] = [];
    let handOff = false;
    for (const t of made) {
      if (held.holds(t) || (forward && t === result)) kept.push(t);
      else if (t === result) handOff = true;
      else t.dispose(); // does nothing when the layer disposed it itself
    }
    if (previous !== null)
      for (const t of previous) if (t !== result && !held.holds(t) && !this.given.has(t)) t.dispose();
    if (forward) calls.forward = kept;
    else calls.backward = kept;
    return { result, handOff };
  }
}

/** What the loops keep of one layer's calls (see `Ownership`). */
interface LayerCalls {
  /** The kept tensors of the last forward; null until a forward has run under the net (a list,
   * even empty, is then the previous call's, to compare with). */
  forward: Tensor[] | null;
  fields: string[];
  /** The same for the last backward. */
  backward: Tensor[] | null;
}

/**
 * The tensors an object holds, in its own enumerable fields and one level into arrays, Maps and
 * plain records held there (where a layer keeps its caches), with the name of the field holding
 * each (parallel lists, refilled by each `walk`). A net walks each layer once per call: the lists are
 * reused (kept at their size) and the fields read by name from `Object.keys` (in the float32 SimpleConvNet step,
 * `Object.entries` and a callback per tensor made 13 KB of garbage a step, the walk about a tenth of
 * the JavaScript between the ops).
 */
class Holdings {
  /** Entries [0, count) are the last walk's; later ones are empty (the lists keep their room, as
   * emptying them would have them allocate again as they refill). */
  readonly tensors: (Tensor | null)[] = [];
  readonly fields: string[] = [];
  count = 0;

  walk(owner: object): this {
    const before = this.count;
    this.count = 0;
    const record = owner as Record<string, unknown>;
    const keys = Object.keys(owner);
    for (let i = 0; i < keys.length; i++) {
      const field = keys[i]!;
      const value = record[field];
      if (typeof value !== "object" || value === null) continue;
      if (value instanceof Tensor) this.add(value, field);
      else if (Array.isArray(value)) this.addAll(value, field);
      else if (value instanceof Map) this.addAll(value.values(), field);
      else if (Object.getPrototypeOf(value) === Object.prototype) this.addAll(Object.values(value), field);
    }
    for (let i = this.count; i < before; i++) this.tensors[i] = null; // no longer held here
    return this;
  }

  private add(t: Tensor, field: string): void {
    this.tensors[this.count] = t;
    this.fields[this.count] = field;
    this.count++;
  }

  private addAll(values: Iterable<unknown>, field: string): void {
    for (const v of values) if (v instanceof Tensor) this.add(v, field);
  }

  /** Whether the last walk found `t`. */
  holds(t: Tensor): boolean {
    for (let i = 0; i < this.count; i++) if (this.tensors[i] === t) return true;
    return false;
  }

  /** The fields holding `t`, joined by commas in the order of the walk ("" when none does). */
  fieldsOf(t: Tensor): string {
    let names = "";
    for (let i = 0; i < this.count; i++) {
      if (this.tensors[i] !== t) continue;
      names = names === "" ? this.fields[i]! : `${names},${this.fields[i]!}`;
    }
    return names;
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

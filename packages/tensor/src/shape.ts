import { ShapeError, ValueError } from "./errors.js";

export type Shape = readonly number[];

export function formatShape(shape: Shape): string {
  return `[${shape.join(", ")}]`;
}

// Indexed loops over shapes, not for-of: shapes are frozen arrays, whose iteration the optimizing
// compiler leaves to the engine's iterator, one result object per dimension (about 4 KB of garbage a
// float32 SimpleConvNet step in sizeOf and checkShape alone).
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i]!;
  return n;
}

/** Row-major strides of a contiguous tensor. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/**
 * Most elements a tensor may hold: the longest typed array JavaScript engines allow (V8 on 64-bit
 * platforms: 2^32). Larger shapes are refused with a ShapeError before anything is allocated.
 */
export const MAX_TENSOR_SIZE = 2 ** 32;

export function checkShape(op: string, shape: Shape): void {
  if (!Array.isArray(shape)) {
    throw new ShapeError(op, `shape must be an array of non-negative integers, got ${describeValue(shape)}`);
  }
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (!Number.isInteger(d) || d! < 0) {
      throw new ShapeError(op, `shape ${formatShape(shape)} must hold non-negative integers`);
    }
  }
  checkSize(op, shape);
}

/** Refuses a shape with more elements than a typed array can hold, naming the op and the shape. */
export function checkSize(op: string, shape: Shape): void {
  const size = sizeOf(shape);
  if (size > MAX_TENSOR_SIZE) {
    throw new ShapeError(
      op,
      `shape ${formatShape(shape)} has ${size} elements, more than a tensor can hold (at most 2^32 = ${MAX_TENSOR_SIZE})`,
    );
  }
}

/** A short description of an argument of the wrong kind, for error messages. */
export function describeValue(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (Array.isArray(x)) return "an array (wrap it with tensor(...))";
  if (typeof x === "object") return x.constructor?.name ?? "an object";
  const shown = typeof x === "string" ? JSON.stringify(x) : String(x);
  return `${typeof x} ${shown.length > 40 ? `${shown.slice(0, 40)}...` : shown}`;
}

/**
 * Throws a ValueError unless `value` is an options object or undefined (a parameter default `= {}`
 * does not apply to null, which would otherwise fail later as a TypeError reading a property).
 * With `known`, a key that is not one of them is refused too, by name, with the known name it
 * probably meant (`{ epoch: 3 }`: "unknown option epoch (did you mean epochs?); expected one of ...").
 */
export function checkOptions(op: string, value: unknown, name = "options", known?: readonly string[]): void {
  if (value === undefined) return;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const got = value === null ? "null" : Array.isArray(value) ? "an array" : describeValue(value);
    throw new ValueError(op, `${name} must be an object (or left out), got ${got}`);
  }
  if (known === undefined) return;
  for (const key of Object.keys(value)) {
    if (known.includes(key)) continue;
    const guess = closestName(key, known);
    const shown = key.length > 40 ? `${key.slice(0, 40)}...` : key;
    throw new ValueError(
      op,
      `unknown ${name === "options" ? "option" : `${name} key`} ${shown}${guess === undefined ? "" : ` (did you mean ${guess}?)`}; expected one of ${known.join(", ")}`,
    );
  }
}

/** Edit distance (insertions, deletions, substitutions) between two short names. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

/** The known name closest to `name` (case-insensitive edit distance at most a third of it, or a
 * prefix either way), or undefined. */
function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    const prefix = k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase());
    const score = prefix ? Math.min(d, 1) : d;
    if (score < bestDistance && (prefix || d <= Math.max(1, Math.floor(k.length / 3)))) {
      best = k;
      bestDistance = score;
    }
  }
  return best;
}

/** NumPy broadcasting: align from the right; each pair of dims must match or one must be 1. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(
        op,
        `shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast: dimension ${i} of the result is ${da} in one and ${db} in the other (they must match or one must be 1)`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  checkSize(op, out);
  return out;
}

/** Resolves a possibly negative axis against `rank`, or throws naming the op and shape. */
export function normalizeAxis(op: string, axis: number, shape: Shape): number {
  const rank = shape.length;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new ShapeError(
      op,
      `axis ${axis} is out of range for shape ${formatShape(shape)} (expected an integer in [${-rank}, ${rank - 1}])`,
    );
  }
  return axis < 0 ? axis + rank : axis;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

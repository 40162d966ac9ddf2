import type { TypedArray } from "./dtype.js";
import { isFloatDType } from "./dtype.js";
import { BackendError, DTypeError, ShapeError, ValueError } from "./errors.js";
import {
  FUSED_BINARY,
  FUSED_UNARY,
  type FusedBinaryOp,
  type FusedProgram,
  type FusedUnaryOp,
} from "./kernels/fused.js";
import type { BinaryOp, UnaryOp } from "./kernels/index.js";
import { describeValue, formatShape, sameShape, type Shape } from "./shape.js";
import { ownedTensor, Tensor } from "./tensor.js";

/** The unary and binary ops a fused function may call on its values (each as the Tensor method of
 * the same name); every other Tensor method throws a ValueError there. */
export const FUSED_OPS: readonly (FusedBinaryOp | FusedUnaryOp)[] = [
  ...Object.values(FUSED_BINARY),
  ...Object.values(FUSED_UNARY),
];

const CODE = new Map<UnaryOp | BinaryOp, number>(
  [...Object.entries(FUSED_BINARY), ...Object.entries(FUSED_UNARY)].map(([c, op]) => [op, Number(c)]),
);

/** One op of a trace: its code, operand a's value id, operand b's (a value id, or a constant's index
 * when `constant`; -1 for a unary op). */
interface Node {
  op: number;
  a: number;
  b: number;
  constant: boolean;
}

/** What a traced function built: its inputs are values 0..inputs-1, node k is value inputs + k. */
class Trace {
  readonly nodes: Node[] = [];
  readonly constants: number[] = [];
  /** Input index -> the value assigned into it (last assign wins). */
  readonly assigns = new Map<number, number>();
  open = true;

  constructor(readonly inputs: number) {}

  constant(v: number): number {
    const i = this.constants.findIndex((c) => Object.is(c, v));
    return i >= 0 ? i : this.constants.push(v) - 1;
  }
}

/** A value's trace and id, read by this file's functions (the fields are private to FusedValue). */
let makeValue: (trace: Trace, id: number, like: { shape: Shape; dtype: "float32" | "float64" }) => FusedValue;
let idIn: (trace: Trace, v: FusedValue, op: string) => number;

/**
 * A tensor inside a function that `fused` traces: it has the inputs' shape and dtype, and the
 * element-wise methods of `Tensor` that a fused program runs (add, sub, mul, div with a value or a
 * number; neg, abs, square, sqrt, reciprocal, relu, step, sign), each recording one op instead of
 * computing; `assign` on an input writes a result into that input's tensor in place. Any other
 * Tensor method throws a ValueError. Values are valid only while their function runs.
 */
export class FusedValue {
  readonly #trace: Trace;
  /** The value's id in its trace (an input's starts as its index; `assign` changes it). */
  #id: number;
  /** The input this value was made for, or -1 (a value computed in the function). */
  readonly #input: number;

  static {
    makeValue = (trace, id, like) => new FusedValue(trace, id, like.shape, like.dtype);
    idIn = (trace, v, op) => {
      if (v.#trace !== trace) throw new ValueError("fused", `${op}: a value of another fused function`);
      return v.#id;
    };
  }

  private constructor(
    trace: Trace,
    id: number,
    /** The inputs' shape. */
    readonly shape: Shape,
    /** The inputs' dtype. */
    readonly dtype: "float32" | "float64",
  ) {
    this.#trace = trace;
    this.#id = id;
    this.#input = id < trace.inputs ? id : -1;
  }

  #open(op: string): Trace {
    if (!this.#trace.open) {
      throw new ValueError(
        "fused",
        `${op}() on a value of a fused function that has returned (values live only while it runs)`,
      );
    }
    return this.#trace;
  }

  #record(op: UnaryOp | BinaryOp, other?: FusedValue | number, binary = false): FusedValue {
    const trace = this.#open(op);
    const node: Node = { op: CODE.get(op)!, a: this.#id, b: -1, constant: false };
    if (typeof other === "number") {
      node.b = trace.constant(other);
      node.constant = true;
    } else if (other instanceof FusedValue) {
      node.b = idIn(trace, other, op);
    } else if (binary) {
      throw new ValueError(
        "fused",
        `${op}'s operand must be a value of the fused function or a number, got ${describeValue(other)}${(other as unknown) instanceof Tensor ? " (pass a tensor to fused as an input to use it)" : ""}`,
      );
    }
    trace.nodes.push(node);
    return makeValue(trace, trace.inputs + trace.nodes.length - 1, this);
  }

  /** `this + other` element-wise (Tensor.add without broadcasting; a number is a scalar). */
  add(other: FusedValue | number): FusedValue {
    return this.#record("add", other, true);
  }
  /** `this - other` element-wise. */
  sub(other: FusedValue | number): FusedValue {
    return this.#record("sub", other, true);
  }
  /** `this * other` element-wise. */
  mul(other: FusedValue | number): FusedValue {
    return this.#record("mul", other, true);
  }
  /** `this / other` element-wise. */
  div(other: FusedValue | number): FusedValue {
    return this.#record("div", other, true);
  }
  /** `-this` (Tensor.neg). */
  neg(): FusedValue {
    return this.#record("neg");
  }
  /** `|this|` (Tensor.abs). */
  abs(): FusedValue {
    return this.#record("abs");
  }
  /** `this * this` (Tensor.square). */
  square(): FusedValue {
    return this.#record("square");
  }
  /** The square root (Tensor.sqrt). */
  sqrt(): FusedValue {
    return this.#record("sqrt");
  }
  /** `1 / this` (Tensor.reciprocal). */
  reciprocal(): FusedValue {
    return this.#record("reciprocal");
  }
  /** `this` where positive, else 0 (Tensor.relu). */
  relu(): FusedValue {
    return this.#record("relu");
  }
  /** 1 where positive, else 0 (Tensor.step). */
  step(): FusedValue {
    return this.#record("step");
  }
  /** 1, -1, or the value itself for ±0 and NaN (Tensor.sign). */
  sign(): FusedValue {
    return this.#record("sign");
  }

  /**
   * Writes `source` into this input's tensor, in place, as `Tensor.assign` does (an optimizer's
   * `params[key] -= ...`); afterwards this value stands for `source` in the function. Every input
   * is read as it was when `fused` was called.
   */
  assign(source: FusedValue): this {
    const trace = this.#open("assign");
    if (!(source instanceof FusedValue)) {
      throw new ValueError(
        "fused",
        `assign's source must be a value of the fused function, got ${describeValue(source)}`,
      );
    }
    const id = idIn(trace, source, "assign");
    if (this.#input < 0) {
      throw new ValueError(
        "fused",
        "assign() writes into an input of the fused function; this value is computed inside it",
      );
    }
    trace.assigns.set(this.#input, id);
    this.#id = id;
    return this;
  }

  /** `FusedValue(float64 [4320, 100])`: what the value is, as it has no numbers yet. */
  toString(): string {
    return `FusedValue(${this.dtype} ${formatShape(this.shape)})`;
  }
}

// The storage getters say why they cannot be read (values are not computed yet); defined first, so
// the loop below, which skips names FusedValue already has, leaves them (Tensor.prototype has a
// `data` getter too, for disposed tensors).
for (const name of ["data", "size", "backend"]) {
  Object.defineProperty(FusedValue.prototype, name, {
    get(): never {
      throw new ValueError("fused", `${name} cannot be read inside a fused function: its values are not computed yet`);
    },
  });
}
// Every other Tensor method or getter throws a typed error inside a traced function.
for (const name of Object.getOwnPropertyNames(Tensor.prototype)) {
  if (name === "constructor" || name in FusedValue.prototype) continue;
  const refuse = (): never => {
    throw new ValueError(
      "fused",
      `${name} is not supported inside a fused function; its values take ${FUSED_OPS.join(", ")} (numbers as the second operand of ${Object.values(FUSED_BINARY).join(", ")}) and assign`,
    );
  };
  const getter = Object.getOwnPropertyDescriptor(Tensor.prototype, name)?.get !== undefined;
  Object.defineProperty(FusedValue.prototype, name, getter ? { get: refuse } : { value: refuse });
}

/** What a fused function returns: one value, a list of them, or nothing (when it only assigns). */
// biome-ignore lint/suspicious/noConfusingVoidType: a function that only assigns has no return statement, and its return type is void
export type FusedReturn = FusedValue | readonly FusedValue[] | undefined | void;

/** The tensors `fused` returns for a function returning `R`. */
export type FusedTensors<R> = R extends FusedValue
  ? Tensor
  : R extends readonly FusedValue[]
    ? { -readonly [K in keyof R]: Tensor }
    : undefined;

/**
 * Runs an element-wise function of tensors in one pass over memory: `f` is called once with a
 * `FusedValue` per input, and the ops it calls on them (add, sub, mul, div with a value or a
 * number, neg, abs, square, sqrt, reciprocal, relu, step, sign) are recorded as a program that the
 * backend runs in one pass, keeping intermediate values in registers (wasm: the program compiled to
 * a small module, src/wasm/fused-compile.ts) or a small scratch area (block by block) instead of full
 * tensors (numexpr's idea). The results are bit for bit those of the same Tensor ops run one by one,
 * on every backend and dtype.
 *
 * `f` returns the values wanted as new tensors (one value: a Tensor; a list: a list of Tensors;
 * nothing: undefined), and may write a value into an input's tensor in place with `assign`, as an
 * optimizer updates a parameter. The inputs must share one shape, float dtype and backend.
 *
 * ```ts
 * // Momentum: v = momentum * v - lr * grad; param += v
 * const v = fused((p, g, v) => {
 *   const next = v.mul(0.9).sub(g.mul(0.01));
 *   p.assign(p.add(next));
 *   return next;
 * }, param, grad, v0);
 * ```
 *
 * Errors: a ValueError for a function that is not one, a missing, non-tensor or disposed input, an
 * unsupported op, a tensor or foreign value used inside `f`, a return that is not values, or an
 * `assign` to storage that another input overlaps at another offset; a ShapeError, DTypeError or
 * BackendError for inputs of different shapes, dtypes (or int32) or backends.
 */
export function fused<const I extends readonly Tensor[], const R extends FusedReturn>(
  f: (...values: { [K in keyof I]: FusedValue }) => R,
  ...inputs: I
): FusedTensors<R> {
  if (typeof f !== "function") throw new ValueError("fused", `expected a function first, got ${describeValue(f)}`);
  const first = checkInputs(inputs);
  return runTraced(traceCall(f as (...v: FusedValue[]) => unknown, inputs), inputs, first) as FusedTensors<R>;
}

/**
 * `fused` for a function run on many sets of inputs, traced once: the returned function traces `f`
 * at its first call, as `fused` does, and every later call runs the same program on its own inputs
 * (the same number of them; each call's inputs share one shape, float dtype and backend, as for
 * `fused`, but calls may differ in shape and size). An optimizer's update runs one step on every
 * parameter this way, with one trace per update instead of one per parameter. `f` must record the
 * same ops whatever it is given: its trace is reused as it is, so it may not branch on the values'
 * shape or dtype, nor read state that changes between calls (make a new fused function then).
 *
 * ```ts
 * const sgd = fusedFunction((p, g) => p.assign(p.sub(g.mul(0.01))));
 * sgd(W1, dW1);
 * sgd(b1, db1); // the same program, not traced again
 * ```
 *
 * Errors: those of `fused`, and a ValueError for a call with another number of inputs than the first.
 */
export function fusedFunction<const V extends readonly FusedValue[], const R extends FusedReturn>(
  f: (...values: V) => R,
): (...inputs: { [K in keyof V]: Tensor }) => FusedTensors<R> {
  if (typeof f !== "function") throw new ValueError("fusedFunction", `expected a function, got ${describeValue(f)}`);
  let traced: Traced | null = null;
  return (...inputs) => {
    const first = checkInputs(inputs);
    if (traced === null) traced = traceCall(f as unknown as (...v: FusedValue[]) => unknown, inputs);
    else if (inputs.length !== traced.trace.inputs) {
      throw new ValueError(
        "fused",
        `the function was traced with ${traced.trace.inputs} inputs and is given ${inputs.length}`,
      );
    }
    return runTraced(traced, inputs, first) as FusedTensors<R>;
  };
}

/** A traced function: its trace, the ids it returned, their program, and how it returned them. */
interface Traced {
  trace: Trace;
  returned: number[];
  program: FusedProgram;
  /** The inputs that assigns write into, in the order of the assigns. */
  targets: number[];
  /** One value (one tensor back), a list of them, or nothing. */
  returns: "one" | "list" | "nothing";
}

/** Traces `f` on values like `inputs` (checked by checkInputs) and finds its program. */
function traceCall(f: (...v: FusedValue[]) => unknown, inputs: readonly Tensor[]): Traced {
  const trace = new Trace(inputs.length);
  const values = inputs.map((t, i) => makeValue(trace, i, t as { shape: Shape; dtype: "float32" | "float64" }));
  let result: unknown;
  try {
    result = f(...values);
  } finally {
    trace.open = false;
  }
  const returned = returnedIds(trace, result);
  if (returned.length === 0 && trace.assigns.size === 0) {
    throw new ValueError("fused", "the function returned no value and assigned none: there is nothing to compute");
  }
  const returns = result instanceof FusedValue ? "one" : Array.isArray(result) ? "list" : "nothing";
  return { trace, returned, program: programOf(trace, returned), targets: [...trace.assigns.keys()], returns };
}

/** Runs a traced function's program on `inputs` (checked; `first` is inputs[0]). */
function runTraced(traced: Traced, inputs: readonly Tensor[], first: Tensor): Tensor | Tensor[] | undefined {
  checkAssignTargets(inputs, traced.targets);
  const backend = first.backend;
  const outs: TypedArray[] = backend.fused(traced.program, inputs);
  const made = traced.returned.map((_, k) => ownedTensor(outs[k]!, first.shape, first.dtype, backend));
  if (traced.returns === "one") return made[0];
  return traced.returns === "list" ? made : undefined;
}

function checkInputs(inputs: readonly Tensor[]): Tensor {
  if (inputs.length === 0) throw new ValueError("fused", "needs at least one input tensor after the function");
  // Indexed loops, not forEach with a callback: an optimizer runs this for every parameter.
  for (let i = 0; i < inputs.length; i++) {
    const t = inputs[i];
    if (!(t instanceof Tensor)) throw new ValueError("fused", `input ${i} must be a Tensor, got ${describeValue(t)}`);
    if (t.isDisposed) throw new ValueError("fused", `input ${i} (${t.dtype} ${formatShape(t.shape)}) was disposed`);
  }
  const first = inputs[0]!;
  if (!isFloatDType(first.dtype)) {
    throw new DTypeError(
      "fused",
      `needs float32 or float64 tensors, got ${first.dtype} ${formatShape(first.shape)} (input 0)`,
    );
  }
  if (typeof first.backend.fused !== "function") {
    throw new BackendError("fused", `backend '${first.backend.name}' has no fused kernel`);
  }
  for (let i = 1; i < inputs.length; i++) {
    const t = inputs[i]!;
    if (t.backend !== first.backend) {
      throw new BackendError(
        "fused",
        `input ${i} lives on backend '${t.backend.name}', input 0 on '${first.backend.name}'; move one with .to(backend)`,
      );
    }
    if (t.dtype !== first.dtype) {
      throw new DTypeError(
        "fused",
        `input ${i} has dtype ${t.dtype}, input 0 ${first.dtype}; convert one with .cast(dtype)`,
      );
    }
    if (!sameShape(t.shape, first.shape)) {
      throw new ShapeError(
        "fused",
        `input ${i} has shape ${formatShape(t.shape)}, input 0 ${formatShape(first.shape)}; inputs must have one shape (no broadcasting)`,
      );
    }
  }
  return first;
}

/** The value ids `f` returned, in order. */
function returnedIds(trace: Trace, result: unknown): number[] {
  if (result === undefined) return [];
  const list = result instanceof FusedValue ? [result] : Array.isArray(result) ? (result as unknown[]) : null;
  if (list === null) {
    throw new ValueError(
      "fused",
      `the function must return a value of it, a list of them or nothing, got ${describeValue(result)}`,
    );
  }
  return list.map((v, i) => {
    if (!(v instanceof FusedValue)) {
      throw new ValueError(
        "fused",
        `the function returned ${describeValue(v)} at position ${i}; expected values of the function`,
      );
    }
    return idIn(trace, v, "return");
  });
}

/** An assign's target must not share storage with another input at another offset (the block order
 * would then show), nor with another assigned input. */
function checkAssignTargets(inputs: readonly Tensor[], targets: readonly number[]): void {
  for (const j of targets) {
    const target = inputs[j]!.data;
    for (let i = 0; i < inputs.length; i++) {
      if (i === j) continue;
      const d = inputs[i]!.data;
      if (d.buffer !== target.buffer) continue;
      const overlap =
        d.byteOffset < target.byteOffset + target.byteLength && target.byteOffset < d.byteOffset + d.byteLength;
      if (!overlap) continue;
      if (d.byteOffset !== target.byteOffset) {
        throw new ValueError(
          "fused",
          `input ${i} overlaps the storage of input ${j}, which assign writes, at another offset`,
        );
      }
      if (targets.includes(i))
        throw new ValueError("fused", `inputs ${i} and ${j} share storage and both are assigned`);
    }
  }
}

/** Programs compiled so far, by the structure of their trace (traceKey); at most MAX_PROGRAMS. */
const programs = new Map<string, FusedProgram>();
const MAX_PROGRAMS = 256;

/**
 * Everything `compile` reads of a trace but the constants' values: the number of inputs and of
 * constants, each node (op, operands, whether b is a constant's index), the returned values and the
 * assigns in order. Equal keys compile to equal programs (a program does not depend on the inputs'
 * dtype or size, which the backend reads from the arrays).
 */
function traceKey(trace: Trace, returned: readonly number[]): string {
  let key = `${trace.inputs} ${trace.constants.length} ${returned.join(",")} `;
  for (const [input, id] of trace.assigns) key += `${input}=${id},`;
  for (const n of trace.nodes) key += ` ${n.op} ${n.a} ${n.b}${n.constant ? "c" : ""}`;
  return key;
}

/**
 * The program of a trace, compiled once per structure: an optimizer's update traces its step anew
 * (`fusedFunction`) with new constants (its step size) at every update, and compiling was a third of
 * a small fused call's time. The cached program is used with this trace's constants.
 */
function programOf(trace: Trace, returned: readonly number[]): FusedProgram {
  const key = traceKey(trace, returned);
  const cached = programs.get(key);
  if (cached !== undefined) return { ...cached, constants: trace.constants };
  const program = compile(trace, returned);
  if (programs.size >= MAX_PROGRAMS) programs.clear();
  programs.set(key, program);
  return program;
}

/**
 * The program of a trace: the ops its outputs need (returned values first, then assigns), each
 * value in a register from the op that makes it to its last reader (registers are reused after
 * that; an op may write the register of an operand it reads last, as lanes are computed in place).
 */
function compile(trace: Trace, returned: readonly number[]): FusedProgram {
  const { inputs, nodes } = trace;
  const outputIds = [...returned, ...trace.assigns.values()];
  const into = [...returned.map(() => -1), ...trace.assigns.keys()];
  // The nodes the outputs need, and where each value is read last (outputs: after every op).
  const needed = new Uint8Array(nodes.length);
  const lastUse = new Int32Array(nodes.length).fill(-1);
  for (const id of outputIds) {
    if (id < inputs) continue;
    needed[id - inputs] = 1;
    lastUse[id - inputs] = nodes.length;
  }
  for (let k = nodes.length - 1; k >= 0; k--) {
    if (needed[k] === 0) continue;
    const { a, b, constant } = nodes[k]!;
    for (const id of constant || b < 0 ? [a] : [a, b]) {
      if (id < inputs) continue;
      needed[id - inputs] = 1;
      lastUse[id - inputs] = Math.max(lastUse[id - inputs]!, k);
    }
  }
  // A value returned as a new tensor is written straight into that tensor's array (its slot after
  // the registers) by the op that makes it, the first time it is returned; a value assigned into an
  // input (which the block may still read) or returned again is copied after each block.
  const directOf = new Int32Array(nodes.length).fill(-1);
  for (let k = returned.length - 1; k >= 0; k--) if (returned[k]! >= inputs) directOf[returned[k]! - inputs] = k;
  const first = inputs + trace.constants.length; // the first register's slot
  const slotOf = new Int32Array(nodes.length);
  const free: number[] = [];
  let registers = 0;
  const code: number[] = [];
  const slot = (id: number): number => (id < inputs ? id : slotOf[id - inputs]!);
  for (let k = 0; k < nodes.length; k++) {
    if (needed[k] === 0) continue;
    const { op, a, b, constant } = nodes[k]!;
    const sa = slot(a);
    const sb = b < 0 ? -1 : constant ? inputs + b : slot(b);
    for (const id of constant || b < 0 ? [a] : [a, b]) {
      if (id >= inputs && lastUse[id - inputs] === k && !free.includes(slotOf[id - inputs]!))
        free.push(slotOf[id - inputs]!);
    }
    const direct = directOf[k]!;
    const dst = direct >= 0 ? -2 - direct : (free.pop() ?? first + registers++); // -2 - k: output k's own slot
    slotOf[k] = dst;
    code.push(op, dst, sa, sb);
  }
  const own = (s: number): number => (s <= -2 ? first + registers - 2 - s : s); // output slots follow the registers
  const outputs: number[] = [];
  for (let k = 0; k < outputIds.length; k++) outputs.push(own(slot(outputIds[k]!)), into[k]!);
  return {
    inputs,
    constants: trace.constants,
    registers,
    code: Int32Array.from(code, own),
    outputs: Int32Array.from(outputs),
  };
}

import type { TypedArray } from "../dtype.js";
import { stridedBinaryLoop, unaryImpl, type BinaryOp, type UnaryOp } from "./elementwise.js";
import * as code from "../wasm/opcodes.js";

/** The binary ops of a fused program. */
export type FusedBinaryOp = Extract<BinaryOp, "add" | "sub" | "mul" | "div">;
/** The unary ops of a fused program (those whose wasm kernel has no transcendental function). */
export type FusedUnaryOp = Extract<
  UnaryOp,
  "neg" | "abs" | "square" | "sqrt" | "reciprocal" | "relu" | "step" | "sign"
>;

/** The binary ops a fused program can run, by their code in `FusedProgram.code`. */
export const FUSED_BINARY: Readonly<Record<number, FusedBinaryOp>> = {
  [code.ADD]: "add",
  [code.SUB]: "sub",
  [code.MUL]: "mul",
  [code.DIV]: "div",
};

/** The unary ops a fused program can run, by their code (FUSED_UNARY + the `unary` kernel's code). */
export const FUSED_UNARY: Readonly<Record<number, FusedUnaryOp>> = {
  [code.FUSED_UNARY + code.NEG]: "neg",
  [code.FUSED_UNARY + code.ABS]: "abs",
  [code.FUSED_UNARY + code.SQUARE]: "square",
  [code.FUSED_UNARY + code.SQRT]: "sqrt",
  [code.FUSED_UNARY + code.RECIPROCAL]: "reciprocal",
  [code.FUSED_UNARY + code.RELU]: "relu",
  [code.FUSED_UNARY + code.STEP]: "step",
  [code.FUSED_UNARY + code.SIGN]: "sign",
};

/**
 * A straight-line element-wise program over equal-sized arrays (made by `fused`, src/fused.ts):
 * plain data, so a worker thread can receive it.
 *
 * Values live in numbered slots: the inputs first (`inputs` of them), then the constants (one value
 * each, broadcast), then `registers` slots of scratch that hold one block of values, then one slot
 * per output, its own array. Each instruction is four int32 of `code`: an op code (FUSED_BINARY,
 * FUSED_UNARY), the destination slot (a register, or an output's own slot), operand a's slot,
 * operand b's slot (-1 for a unary op; b may be a constant, a never is). `outputs` holds two int32
 * per output: the slot whose values it receives (copied after each block unless it is the output's
 * own slot), and the input it is written into (its `assign`), or -1 for fresh storage.
 */
export interface FusedProgram {
  /** How many input arrays (slots 0 to inputs - 1). */
  readonly inputs: number;
  /** The numbers the program uses, one slot each after the inputs (rounded to the element type). */
  readonly constants: readonly number[];
  /** Scratch slots after the constants, each one block of values (then one slot per output). */
  readonly registers: number;
  /** Four int32 per instruction: op code, destination slot, operand a's slot, operand b's (or -1). */
  readonly code: Int32Array;
  /** Two int32 per output: the slot it receives, and the input it is written into (or -1). */
  readonly outputs: Int32Array;
}

/** Elements per block of the TypeScript kernel (registers hold one block each). */
const TS_BLOCK = 1024;

/** Scratch registers of the TypeScript kernel by element type, grown as programs need (one thread
 * runs one kernel at a time). */
const scratch = new Map<unknown, TypedArray>();

function registersFor(like: TypedArray, length: number): TypedArray {
  const have = scratch.get(like.constructor);
  if (have !== undefined && have.length >= length) return have;
  const Type = like.constructor as new (length: number) => TypedArray;
  const made = new Type(length);
  scratch.set(like.constructor, made);
  return made;
}

/**
 * Runs `program` over elements [start, end) of its input arrays `xs` into `outs` (one array per
 * output; an output written into input j is `xs[j]`'s storage), block by block: each instruction is
 * the unfused op's own loop (`unaryImpl`, `stridedBinaryLoop`) over the block, into a register of
 * the inputs' element type (float32 rounds every step, as the unfused op's result does), and the
 * outputs are stored once the block's instructions have all run, so an output written into an input
 * never changes a value that the block still reads. Bit for bit the results of the same ops run
 * one by one over whole tensors.
 */
export function fusedImpl(
  program: FusedProgram,
  xs: readonly TypedArray[],
  outs: readonly TypedArray[],
  start: number,
  end: number,
): void {
  if (end <= start) return;
  const like = xs[0]!;
  const block = Math.min(TS_BLOCK, end - start);
  const first = program.inputs + program.constants.length;
  const regs = registersFor(like, program.registers * block);
  const Type = like.constructor as new (values: readonly number[]) => TypedArray;
  const constants = new Type(program.constants); // rounded to the element type, as Tensor's scalars
  const own = first + program.registers; // output k's own slot: own + k
  const slots: TypedArray[] = new Array(own + outs.length);
  for (let c = 0; c < program.constants.length; c++) slots[program.inputs + c] = constants.subarray(c, c + 1);
  for (let r = 0; r < program.registers; r++) slots[first + r] = regs.subarray(r * block, (r + 1) * block);
  const { code, outputs } = program;
  for (let s = start; s < end; s += block) {
    const n = Math.min(block, end - s);
    for (let j = 0; j < program.inputs; j++) slots[j] = xs[j]!.subarray(s, s + n);
    for (let k = 0; k < outs.length; k++) slots[own + k] = outs[k]!.subarray(s, s + n);
    for (let i = 0; i < code.length; i += 4) {
      const dst = slots[code[i + 1]!]!;
      const a = slots[code[i + 2]!]!;
      const b = code[i + 3]!;
      const unary = FUSED_UNARY[code[i]!];
      if (unary !== undefined) unaryImpl(unary, a, dst, 0, n);
      else stridedBinaryLoop(FUSED_BINARY[code[i]!]!, a, 0, 1, slots[b]!, 0, isConstant(program, b) ? 0 : 1, dst, 0, n);
    }
    for (let k = 0; k < outputs.length; k += 2) {
      if (outputs[k] !== own + k / 2) outs[k / 2]!.set(slots[outputs[k]!]!.subarray(0, n), s);
    }
  }
}

function isConstant(program: FusedProgram, slot: number): boolean {
  return slot >= program.inputs && slot < program.inputs + program.constants.length;
}

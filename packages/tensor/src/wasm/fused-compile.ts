// A fused program (src/kernels/fused.ts) compiled at run time into a small WebAssembly module of its
// own: one loop over the elements whose body is the program as straight-line SIMD, every value in a
// local (a register), so each vector of the inputs is loaded once, the program runs on it, and the
// outputs are stored once, with no round trip through memory between instructions (the interpreter,
// assembly/fused.ts, loads and stores a block of every operand per instruction).
//
// Every instruction is the wasm SIMD instruction (or lane-mask sequence) that the unfused op's own
// kernel runs (assembly/elementwise.ts's binary ops, assembly/unary.ts's unary ops), so the bits are
// those of the ops run one by one; the last elements that fill no vector run the same instructions
// on splats, lane 0 stored, as those kernels' tails do. The module imports the kernels' memory (a
// shared one on the worker backend's threads) and is compiled synchronously, `new
// WebAssembly.Module`, which every runtime allows for a module this small (Adam's: 532 bytes).
// Where compiling fails, `compiledFused` says so with null and the caller runs the interpreter.

import type { FusedProgram } from "../kernels/fused.js";
import { ABS, ADD, DIV, FUSED_UNARY, MUL, NEG, RECIPROCAL, RELU, SIGN, SQRT, SQUARE, STEP, SUB } from "./opcodes.js";

/** A compiled program: `run(constants, ...inputs, ...outputs, n)` over n elements, each array a byte
 * offset in the memory (its first element), `constants` the byte offset of the constants' values
 * (one element each, in the arrays' type). */
export type CompiledFused = (...args: number[]) => void;

/** Programs longer than this stay with the interpreter. Each instruction takes 10-25 bytes of the
 * module (its vector and tail forms; Adam's 12: 532 bytes), and a browser's main thread may refuse
 * to compile a module of more than 4 KB synchronously: such a refusal, like any, is caught and the
 * program interpreted. */
const MAX_INSTRUCTIONS = 256;

// Opcodes of the WebAssembly binary format used here (core and the 0xfd-prefixed SIMD ones).
const OP = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  f32Store: 0x38,
  f64Store: 0x39,
  i32Const: 0x41,
  f32Const: 0x43,
  f64Const: 0x44,
  i32Eqz: 0x45,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32And: 0x71,
  i32Shl: 0x74,
} as const;
const SIMD = 0xfd;
const V = {
  load: 0x00,
  load32Splat: 0x09,
  load64Splat: 0x0a,
  store: 0x0b,
  const: 0x0c,
  f32x4Splat: 0x13,
  f64x2Splat: 0x14,
  f32x4ExtractLane: 0x1f,
  f64x2ExtractLane: 0x21,
  f32x4Lt: 0x43,
  f32x4Gt: 0x44,
  f64x2Lt: 0x49,
  f64x2Gt: 0x4a,
  and: 0x4e,
  bitselect: 0x52,
  f32x4Abs: 0xe0,
  f32x4Neg: 0xe1,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f64x2Abs: 0xec,
  f64x2Neg: 0xed,
  f64x2Sqrt: 0xef,
  f64x2Add: 0xf0,
  f64x2Sub: 0xf1,
  f64x2Mul: 0xf2,
  f64x2Div: 0xf3,
} as const;
const I32 = 0x7f;
const V128 = 0x7b;

/** Bytes of a module being written. */
class Emitter {
  readonly bytes: number[] = [];

  byte(...b: number[]): this {
    this.bytes.push(...b);
    return this;
  }
  /** An unsigned LEB128 number. */
  u32(v: number): this {
    do {
      const b = v & 0x7f;
      v >>>= 7;
      this.bytes.push(v === 0 ? b : b | 0x80);
    } while (v !== 0);
    return this;
  }
  /** A signed LEB128 number. */
  s32(v: number): this {
    for (;;) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) return this.byte(b);
      this.bytes.push(b | 0x80);
    }
  }
  name(s: string): this {
    this.u32(s.length);
    for (let i = 0; i < s.length; i++) this.bytes.push(s.charCodeAt(i));
    return this;
  }
  /** A section: its id, then its contents' length and contents. */
  section(id: number, contents: Emitter): this {
    return this.byte(id)
      .u32(contents.bytes.length)
      .byte(...contents.bytes);
  }
  get(local: number): this {
    return this.byte(OP.localGet).u32(local);
  }
  set(local: number): this {
    return this.byte(OP.localSet).u32(local);
  }
  simd(op: number): this {
    return this.byte(SIMD).u32(op);
  }
  /** A SIMD memory instruction with no alignment hint and offset `offset`. */
  simdMem(op: number, offset = 0): this {
    return this.simd(op).u32(0).u32(offset);
  }
  /** The number v in every lane (its bits as a float32 or float64 constant). */
  splat(v: number, f32: boolean): this {
    const view = new DataView(new ArrayBuffer(8));
    if (f32) view.setFloat32(0, v, true);
    else view.setFloat64(0, v, true);
    this.byte(f32 ? OP.f32Const : OP.f64Const);
    for (let i = 0; i < (f32 ? 4 : 8); i++) this.bytes.push(view.getUint8(i));
    return this.simd(f32 ? V.f32x4Splat : V.f64x2Splat);
  }
  zero(): this {
    this.simd(V.const);
    for (let i = 0; i < 16; i++) this.bytes.push(0);
    return this;
  }
}

/** Passes per turn of the main loop for a program of n instructions: a short program spends as
 * much on the loop as on its work (SGD's two instructions over 432 000 float32: 0.071 ms a pass per
 * turn, 0.055 two, 0.054 four); a long one gains nothing (Adam's 12: 0.275 ms either way). */
function unrollOf(n: number): number {
  return n <= 4 ? 4 : n <= 8 ? 2 : 1;
}

/** The function's body: a loop of `unrollOf` passes over vectors, a loop of one, then the same
 * program on splats for the last elements. */
function body(p: FusedProgram, f32: boolean): Emitter | null {
  const nOut = p.outputs.length / 2;
  const nCode = p.code.length / 4;
  // Locals: the parameters (constants, inputs, outputs, n), then off, vecEnd, bytes, runEnd (i32),
  // then v128: one per constant, one per input, one per instruction's result.
  const pConst = 0;
  const pIn = 1;
  const pOut = pIn + p.inputs;
  const pN = pOut + nOut;
  const off = pN + 1;
  const vecEnd = off + 1;
  const bytes = off + 2;
  const runEnd = off + 3;
  const lConst = off + 4;
  const lIn = lConst + p.constants.length;
  const lCode = lIn + p.inputs;
  const vectors = p.constants.length + p.inputs + nCode;
  const size = f32 ? 4 : 8;
  const firstReg = p.inputs + p.constants.length;

  const e = new Emitter();
  e.byte(2).u32(4).byte(I32).u32(vectors).byte(V128); // local declarations
  // bytes = n << log2(size); vecEnd = bytes rounded down to whole vectors
  e.get(pN)
    .byte(OP.i32Const)
    .s32(f32 ? 2 : 3)
    .byte(OP.i32Shl)
    .set(bytes);
  e.get(bytes).byte(OP.i32Const).s32(-16).byte(OP.i32And).set(vecEnd);
  const unroll = unrollOf(nCode);
  e.get(bytes)
    .byte(OP.i32Const)
    .s32(-16 * unroll)
    .byte(OP.i32And)
    .set(runEnd);
  for (let c = 0; c < p.constants.length; c++) {
    e.get(pConst)
      .simdMem(f32 ? V.load32Splat : V.load64Splat, c * size)
      .set(lConst + c);
  }

  /** One pass of the program at `off` + `at`: over a vector, or (`tail`) over splats of one
   * element. */
  const pass = (tail: boolean, at = 0): boolean => {
    // The local that holds each slot's value in this pass (-1: not computed or loaded yet).
    const held = new Int32Array(firstReg + p.registers + nOut).fill(-1);
    for (let c = 0; c < p.constants.length; c++) held[p.inputs + c] = lConst + c;
    const value = (slot: number): number => {
      if (slot < 0 || slot >= held.length) return -1;
      if (held[slot]! < 0 && slot < p.inputs) {
        // An input's values, loaded at first use (every load of a pass precedes its stores, so an
        // output written into an input never changes what the pass reads).
        e.get(pIn + slot)
          .get(off)
          .byte(OP.i32Add);
        e.simdMem(tail ? (f32 ? V.load32Splat : V.load64Splat) : V.load, at);
        e.set(lIn + slot);
        held[slot] = lIn + slot;
      }
      return held[slot]!;
    };
    for (let i = 0; i < nCode; i++) {
      const op = p.code[4 * i]!;
      const dst = p.code[4 * i + 1]!;
      const a = value(p.code[4 * i + 2]!);
      if (a < 0 || dst < firstReg || dst >= held.length) return false;
      if (op < FUSED_UNARY) {
        const b = value(p.code[4 * i + 3]!);
        if (b < 0) return false;
        const simdOp = [
          [V.f64x2Add, V.f32x4Add],
          [V.f64x2Sub, V.f32x4Sub],
          [V.f64x2Mul, V.f32x4Mul],
          [V.f64x2Div, V.f32x4Div],
        ][[ADD, SUB, MUL, DIV].indexOf(op)];
        if (simdOp === undefined) return false;
        e.get(a)
          .get(b)
          .simd(simdOp[f32 ? 1 : 0]!);
      } else if (!unaryOp(e, op - FUSED_UNARY, a, f32)) return false;
      e.set(lCode + i);
      held[dst] = lCode + i;
    }
    for (let k = 0; k < nOut; k++) {
      const v = value(p.outputs[2 * k]!);
      if (v < 0) return false;
      e.get(pOut + k)
        .get(off)
        .byte(OP.i32Add)
        .get(v);
      if (tail) {
        e.simd(f32 ? V.f32x4ExtractLane : V.f64x2ExtractLane).byte(0);
        e.byte(f32 ? OP.f32Store : OP.f64Store)
          .u32(0)
          .u32(0);
      } else e.simdMem(V.store, at);
    }
    return true;
  };

  // for (off = 0; off < runEnd; off += 16 * unroll) `unroll` passes over vectors
  if (unroll > 1) {
    e.byte(OP.block, 0x40).get(runEnd).byte(OP.i32Eqz).byte(OP.brIf).u32(0);
    e.byte(OP.loop, 0x40);
    for (let u = 0; u < unroll; u++) if (!pass(false, 16 * u)) return null;
    e.get(off)
      .byte(OP.i32Const)
      .s32(16 * unroll)
      .byte(OP.i32Add)
      .byte(OP.localTee)
      .u32(off);
    e.get(runEnd).byte(OP.i32LtU).byte(OP.brIf).u32(0).byte(OP.end).byte(OP.end);
  }
  // for (; off < vecEnd; off += 16) pass over a vector
  e.byte(OP.block, 0x40).get(off).get(vecEnd).byte(OP.i32GeU).byte(OP.brIf).u32(0);
  e.byte(OP.loop, 0x40);
  if (!pass(false)) return null;
  e.get(off).byte(OP.i32Const).s32(16).byte(OP.i32Add).byte(OP.localTee).u32(off);
  e.get(vecEnd).byte(OP.i32LtU).byte(OP.brIf).u32(0).byte(OP.end).byte(OP.end);
  // for (; off < bytes; off += size) pass over one element
  e.byte(OP.block, 0x40).get(off).get(bytes).byte(OP.i32GeU).byte(OP.brIf).u32(0);
  e.byte(OP.loop, 0x40);
  if (!pass(true)) return null;
  e.get(off).byte(OP.i32Const).s32(size).byte(OP.i32Add).byte(OP.localTee).u32(off);
  e.get(bytes).byte(OP.i32LtU).byte(OP.brIf).u32(0).byte(OP.end).byte(OP.end);
  e.byte(OP.end);
  return e;
}

/** Pushes unary op `op` (assembly/unary.ts's code) of local `a`, as assembly/unary.ts computes it;
 * false for an op it does not know. */
function unaryOp(e: Emitter, op: number, a: number, f32: boolean): boolean {
  const gt = f32 ? V.f32x4Gt : V.f64x2Gt;
  switch (op) {
    case NEG:
      e.get(a).simd(f32 ? V.f32x4Neg : V.f64x2Neg);
      return true;
    case ABS:
      e.get(a).simd(f32 ? V.f32x4Abs : V.f64x2Abs);
      return true;
    case SQUARE:
      e.get(a)
        .get(a)
        .simd(f32 ? V.f32x4Mul : V.f64x2Mul);
      return true;
    case SQRT:
      e.get(a).simd(f32 ? V.f32x4Sqrt : V.f64x2Sqrt);
      return true;
    case RECIPROCAL:
      e.splat(1, f32)
        .get(a)
        .simd(f32 ? V.f32x4Div : V.f64x2Div);
      return true;
    case RELU: // x & (x > 0)
      e.get(a).get(a).zero().simd(gt).simd(V.and);
      return true;
    case STEP: // 1 & (x > 0)
      e.splat(1, f32).get(a).zero().simd(gt).simd(V.and);
      return true;
    case SIGN: // x > 0 ? 1 : (x < 0 ? -1 : x)
      e.splat(1, f32)
        .splat(-1, f32)
        .get(a)
        .get(a)
        .zero()
        .simd(f32 ? V.f32x4Lt : V.f64x2Lt)
        .simd(V.bitselect);
      e.get(a).zero().simd(gt).simd(V.bitselect);
      return true;
    default:
      return false;
  }
}

/** The module of `p` for arrays of float32 (`f32`) or float64, importing a memory (shared or not). */
export function fusedModuleBytes(p: FusedProgram, f32: boolean, shared: boolean): Uint8Array<ArrayBuffer> | null {
  if (p.code.length / 4 > MAX_INSTRUCTIONS) return null;
  const code = body(p, f32);
  if (code === null) return null;
  const params = 2 + p.inputs + p.outputs.length / 2;
  const m = new Emitter().byte(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
  const type = new Emitter().u32(1).byte(0x60).u32(params);
  for (let i = 0; i < params; i++) type.byte(I32);
  m.section(1, type.u32(0));
  const memory = new Emitter().u32(1).name("env").name("memory").byte(0x02);
  if (shared) memory.byte(0x03).u32(1).u32(65536);
  else memory.byte(0x00).u32(1);
  m.section(2, memory);
  m.section(3, new Emitter().u32(1).u32(0));
  m.section(7, new Emitter().u32(1).name("run").byte(0x00).u32(0));
  m.section(
    10,
    new Emitter()
      .u32(1)
      .u32(code.bytes.length)
      .byte(...code.bytes),
  );
  return new Uint8Array(m.bytes);
}

/** Compiled programs by memory, then by structure and element type (null: compiling failed). */
const compiled = new WeakMap<WebAssembly.Memory, Map<string, CompiledFused | null>>();
/** The last compiled form of each program, by its code (a program cached by src/fused.ts keeps its
 * code array from call to call): found without building the program's key. */
const last = new WeakMap<Int32Array, { memory: WebAssembly.Memory; f32: boolean; run: CompiledFused | null }>();

/**
 * `p` compiled for arrays of float32 (`f32`) or float64 in `memory` (once per program structure,
 * element type and memory), or null where it cannot be: a program too long, or a runtime that
 * refuses to compile or instantiate the module.
 */
export function compiledFused(p: FusedProgram, memory: WebAssembly.Memory, f32: boolean): CompiledFused | null {
  const hit = last.get(p.code);
  if (hit !== undefined && hit.memory === memory && hit.f32 === f32) return hit.run;
  let byKey = compiled.get(memory);
  if (byKey === undefined) {
    byKey = new Map();
    compiled.set(memory, byKey);
  }
  const key = `${f32 ? "f32" : "f64"} ${p.inputs} ${p.constants.length} ${p.code.join(",")} ${p.outputs.join(",")}`;
  let run = byKey.get(key);
  if (run === undefined) {
    run = null;
    try {
      const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
      const bytes = fusedModuleBytes(p, f32, shared);
      if (bytes !== null) {
        const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
        run = instance.exports.run as CompiledFused;
      }
    } catch {
      run = null; // the interpreter runs it
    }
    if (byKey.size >= 256) byKey.clear();
    byKey.set(key, run);
  }
  last.set(p.code, { memory, f32, run });
  return run;
}

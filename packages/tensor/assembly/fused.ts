// A fused element-wise program (src/kernels/fused.ts, fusedImpl) in WebAssembly: block by block, each
// instruction runs over the block into registers that stay in L1 (a unary op by the unfused op's
// own loop, `unaryInPlace`; a binary op by the loop below, the same IEEE operation per lane as `binary`),
// so the results are those of the ops run one by one, bit for bit, while the operands stream
// through memory once. Pointers are byte offsets. The backends run this interpreter only where a
// program cannot be compiled into a module of its own (src/wasm/fused-compile.ts: a program of more
// than 256 instructions, or a runtime that refuses to compile), which keeps every value in a register.
//
// The table at `table`, written by the caller (src/ops.ts), as int32:
//   slots x [base, kind]     kind 0: a register at base; kind 2: a constant at base (read with
//                            stride 0); kind 1: an array (an input, or an output's own array
//                            that an instruction writes directly), element i at base + i * size
//   instructions x [op, dst, a, b]   op < FUSED_UNARY: binary(op, a, b); else unary(op - FUSED_UNARY, a)
//   outputs x [base, slot]   the array that receives the slot's values after each block (nothing
//                            to copy when the slot is that array)
//   slots x address          room for the slots' addresses in the current block

import { ADD, MUL, SUB } from "../src/wasm/opcodes";
import { FUSED_UNARY } from "../src/wasm/opcodes";
import { unaryInPlace } from "./unary";

// The four binary ops, each one IEEE operation per lane (as assembly/elementwise.ts computes them):
// `blockLoop<Op>` is compiled once per op. A block's operands are contiguous (b may be one constant),
// so its loop takes four vectors per pass with no stride test inside.
class Add {
  v64(x: v128, y: v128): v128 {
    return f64x2.add(x, y);
  }
  v32(x: v128, y: v128): v128 {
    return f32x4.add(x, y);
  }
}
class Sub {
  v64(x: v128, y: v128): v128 {
    return f64x2.sub(x, y);
  }
  v32(x: v128, y: v128): v128 {
    return f32x4.sub(x, y);
  }
}
class Mul {
  v64(x: v128, y: v128): v128 {
    return f64x2.mul(x, y);
  }
  v32(x: v128, y: v128): v128 {
    return f32x4.mul(x, y);
  }
}
class Div {
  v64(x: v128, y: v128): v128 {
    return f64x2.div(x, y);
  }
  v32(x: v128, y: v128): v128 {
    return f32x4.div(x, y);
  }
}

/** out[i] = a[i] op b[i] (b[0] for every i when `splat`) for `bytes` bytes of values: four vectors
 * a pass with the dtype and `splat` decided outside the loop, then one vector a pass, then the last
 * values one at a time (a splat of each: the same lane operation). */
function blockLoop<Op>(op: Op, a: usize, b: usize, splat: bool, out: usize, bytes: usize, f32: bool): void {
  if (f32) lanes<Op, f32>(op, a, b, splat, out, bytes);
  else lanes<Op, f64>(op, a, b, splat, out, bytes);
}

/** blockLoop for one element type T (f32 or f64, a compile-time choice). */
function lanes<Op, T>(op: Op, a: usize, b: usize, splat: bool, out: usize, bytes: usize): void {
  let i: usize = 0;
  if (splat) {
    const y = splatOf<T>(b);
    for (; i + 64 <= bytes; i += 64) {
      v128.store(out + i, apply<Op, T>(op, v128.load(a + i), y));
      v128.store(out + i, apply<Op, T>(op, v128.load(a + i, 16), y), 16);
      v128.store(out + i, apply<Op, T>(op, v128.load(a + i, 32), y), 32);
      v128.store(out + i, apply<Op, T>(op, v128.load(a + i, 48), y), 48);
    }
  } else {
    for (; i + 64 <= bytes; i += 64) {
      v128.store(out + i, apply<Op, T>(op, v128.load(a + i), v128.load(b + i)));
      v128.store(out + i, apply<Op, T>(op, v128.load(a + i, 16), v128.load(b + i, 16)), 16);
      v128.store(out + i, apply<Op, T>(op, v128.load(a + i, 32), v128.load(b + i, 32)), 32);
      v128.store(out + i, apply<Op, T>(op, v128.load(a + i, 48), v128.load(b + i, 48)), 48);
    }
  }
  for (; i + 16 <= bytes; i += 16) {
    const y = splat ? splatOf<T>(b) : v128.load(b + i);
    v128.store(out + i, apply<Op, T>(op, v128.load(a + i), y));
  }
  for (; i < bytes; i += sizeof<T>()) {
    const y = splatOf<T>(splat ? b : b + i);
    const v = apply<Op, T>(op, splatOf<T>(a + i), y);
    if (sizeof<T>() === 4) store<f32>(out + i, f32x4.extract_lane(v, 0));
    else store<f64>(out + i, f64x2.extract_lane(v, 0));
  }
}

/** The T value at p in every lane. */
function splatOf<T>(p: usize): v128 {
  return sizeof<T>() === 4 ? v128.load32_splat(p) : v128.load64_splat(p);
}

/** op on lanes of T. */
function apply<Op, T>(op: Op, x: v128, y: v128): v128 {
  return sizeof<T>() === 4 ? op.v32(x, y) : op.v64(x, y);
}

function binaryBlock(op: i32, a: usize, b: usize, splat: bool, out: usize, bytes: usize, f32: bool): void {
  if (op === ADD) blockLoop<Add>(changetype<Add>(0), a, b, splat, out, bytes, f32);
  else if (op === SUB) blockLoop<Sub>(changetype<Sub>(0), a, b, splat, out, bytes, f32);
  else if (op === MUL) blockLoop<Mul>(changetype<Mul>(0), a, b, splat, out, bytes, f32);
  else blockLoop<Div>(changetype<Div>(0), a, b, splat, out, bytes, f32);
}

const ARRAY = 1;
const CONSTANT = 2;

/** Runs the program over elements [start, start + len) in blocks of `block` elements. */
export function fused(
  table: usize,
  slots: i32,
  instructions: i32,
  outputs: i32,
  start: i32,
  len: i32,
  block: i32,
  f32: bool,
): void {
  const shift: usize = f32 ? 2 : 3;
  const code = table + ((<usize>slots) << 3);
  const outs = code + ((<usize>instructions) << 4);
  const addr = outs + ((<usize>outputs) << 3);
  for (let s = 0; s < len; s += block) {
    const n = min(block, len - s);
    const pos = (<usize>(start + s)) << shift;
    for (let j = 0; j < slots; j++) {
      const entry = table + ((<usize>j) << 3);
      const base = <usize>load<u32>(entry);
      store<u32>(addr + ((<usize>j) << 2), load<i32>(entry, 4) === ARRAY ? base + pos : base);
    }
    for (let i = 0; i < instructions; i++) {
      const p = code + ((<usize>i) << 4);
      const op = load<i32>(p);
      const dst = <usize>load<u32>(addr + ((<usize>load<i32>(p, 4)) << 2));
      const a = <usize>load<u32>(addr + ((<usize>load<i32>(p, 8)) << 2));
      if (op >= FUSED_UNARY) {
        unaryInPlace(op - FUSED_UNARY, a, dst, n, f32);
      } else {
        const b = <usize>load<i32>(p, 12);
        const splat = load<i32>(table + (b << 3), 4) === CONSTANT;
        binaryBlock(op, a, <usize>load<u32>(addr + (b << 2)), splat, dst, (<usize>n) << shift, f32);
      }
    }
    for (let k = 0; k < outputs; k++) {
      const entry = outs + ((<usize>k) << 3);
      const from = <usize>load<u32>(addr + ((<usize>load<i32>(entry, 4)) << 2));
      const to = <usize>load<u32>(entry) + pos;
      if (from !== to) memory.copy(to, from, (<usize>n) << shift); // else its op wrote it in place
    }
  }
}

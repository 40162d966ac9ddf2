// A fused element-wise program (src/kernels/fused.ts, fusedImpl) in WebAssembly: block by block, each
// instruction runs the unfused op's own kernel (`binary`, `unary`) over the block, into registers
// that stay in L1, so the results are those of the ops run one by one, bit for bit, while the
// operands stream through memory once. Pointers are byte offsets.
//
// The table at `table`, written by the caller (src/ops.ts), as int32:
//   slots x [base, kind]     kind 0: a register at base; kind 2: a constant at base (read with
//                            stride 0); kind 1: an array (an input, or an output's own array
//                            that an instruction writes directly), element i at base + i * size
//   instructions x [op, dst, a, b]   op < FUSED_UNARY: binary(op, a, b); else unary(op - FUSED_UNARY, a)
//   outputs x [base, slot]   the array that receives the slot's values after each block (nothing
//                            to copy when the slot is that array)
//   slots x address          room for the slots' addresses in the current block

import { FUSED_UNARY } from "../src/wasm/opcodes";
import { binary } from "./elementwise";
import { unary } from "./unary";

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
        unary(op - FUSED_UNARY, a, dst, n, f32);
      } else {
        const b = <usize>load<i32>(p, 12);
        const stride = load<i32>(table + (b << 3), 4) === CONSTANT ? 0 : 1;
        binary(op, a, 1, <usize>load<u32>(addr + (b << 2)), stride, dst, n, f32);
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

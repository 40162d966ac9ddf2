import type { TypedArray } from "../dtype.js";
import type { FusedProgram } from "../kernels/fused.js";
import { align16 } from "./arena.js";
import { compiledFused } from "./fused-compile.js";
import type { KernelExports } from "./module.js";

/** Bytes of one register of the wasm `fused` kernel: a block of 256 float64 or 512 float32 values,
 * so that a program's registers and its operands' blocks stay in L1. */
export const FUSED_BLOCK_BYTES = 2048;

/** Inputs, constants, registers and one slot per output (its own array). */
function slotCount(p: FusedProgram): number {
  return p.inputs + p.constants.length + p.registers + p.outputs.length / 2;
}

/** Int32 entries of the kernel's table: slots (base, kind), instructions, outputs, slot addresses. */
function tableInts(p: FusedProgram): number {
  return 3 * slotCount(p) + p.code.length + p.outputs.length;
}

/** The scratch bytes one thread needs to run `p` (assembly/fused.ts). */
export function fusedScratchBytes(p: FusedProgram, f32: boolean): number {
  return align16(4 * tableInts(p)) + align16(p.constants.length * (f32 ? 4 : 8)) + p.registers * FUSED_BLOCK_BYTES;
}

/**
 * Writes the table that assembly/fused.ts reads for `p` at `scratch` of `memory` (a thread's own
 * scratch, `fusedScratchBytes` of it), with its constants and registers after it; every array of
 * `xs` and `outs` lives in that memory. Returns the slot count.
 */
export function writeFusedTable(
  p: FusedProgram,
  xs: readonly TypedArray[],
  outs: readonly TypedArray[],
  memory: ArrayBufferLike,
  scratch: number,
): number {
  const f32 = xs[0] instanceof Float32Array;
  const size = f32 ? 4 : 8;
  const table = new Int32Array(memory, scratch, tableInts(p));
  const constants = scratch + align16(4 * tableInts(p));
  const registers = constants + align16(p.constants.length * size);
  (f32
    ? new Float32Array(memory, constants, p.constants.length)
    : new Float64Array(memory, constants, p.constants.length)
  ).set(p.constants);
  let i = 0;
  const slot = (base: number, kind: number): void => {
    table[i++] = base;
    table[i++] = kind;
  };
  for (const x of xs) slot(x.byteOffset, 1);
  for (let c = 0; c < p.constants.length; c++) slot(constants + c * size, 2);
  for (let r = 0; r < p.registers; r++) slot(registers + r * FUSED_BLOCK_BYTES, 0);
  for (const out of outs) slot(out.byteOffset, 1);
  table.set(p.code, i);
  i += p.code.length;
  for (let k = 0; k < p.outputs.length; k += 2) slot(outs[k / 2]!.byteOffset, p.outputs[k]!);
  return slotCount(p);
}

/**
 * Runs `p` over elements [start, end) of `xs` into `outs` (every array in the memory of
 * `kernels`), with `fusedScratchBytes` bytes at `scratch`: the program compiled to a
 * module of its own where the runtime compiles it (src/wasm/fused-compile.ts), else the kernels'
 * interpreter (assembly/fused.ts). Both give the bits of the ops run one by one.
 */
export function runFused(
  p: FusedProgram,
  xs: readonly TypedArray[],
  outs: readonly TypedArray[],
  start: number,
  end: number,
  kernels: KernelExports,
  scratch: number,
): void {
  const f32 = xs[0] instanceof Float32Array;
  const memory = (kernels as { memory?: WebAssembly.Memory }).memory;
  const run = memory === undefined ? null : compiledFused(p, memory, f32);
  const size = f32 ? 4 : 8;
  if (run !== null) {
    (f32
      ? new Float32Array(memory!.buffer, scratch, p.constants.length)
      : new Float64Array(memory!.buffer, scratch, p.constants.length)
    ).set(p.constants);
    const args: number[] = [scratch];
    for (const x of xs) args.push(x.byteOffset + start * size);
    for (const out of outs) args.push(out.byteOffset + start * size);
    args.push(end - start);
    run(...args);
    return;
  }
  const slots = writeFusedTable(p, xs, outs, xs[0]!.buffer, scratch);
  const n = p.outputs.length / 2;
  kernels.fused(scratch, slots, p.code.length / 4, n, start, end - start, FUSED_BLOCK_BYTES / size, f32 ? 1 : 0);
}

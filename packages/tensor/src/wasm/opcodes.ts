// The operation codes of the wasm kernels. This one file is compiled twice: by tsc into the op table
// (src/ops.ts maps op names to these codes) and by asc into the kernels (assembly/elementwise.ts and
// assembly/unary.ts import it), so the two sides cannot disagree about a code.

/** `binary`, `binaryRows`, `binaryCols` (assembly/elementwise.ts). */
export const ADD = 0;
export const SUB = 1;
export const MUL = 2;
export const DIV = 3;

/** `unary` (assembly/unary.ts): the unary ops without a transcendental function. */
export const NEG = 0;
export const ABS = 1;
export const SQUARE = 2;
export const SQRT = 3;
export const RECIPROCAL = 4;
export const RELU = 5;
export const STEP = 6;
export const SIGN = 7;

/** `fused` (assembly/fused.ts): a program's unary instruction is this plus the `unary` code above;
 * its binary instructions use the `binary` codes. */
export const FUSED_UNARY = 16;

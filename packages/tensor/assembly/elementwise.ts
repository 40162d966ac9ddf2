// Element-wise arithmetic of src/kernels/elementwise.ts (stridedBinaryLoop) for add, sub, mul and
// div, in WebAssembly SIMD. Each lane computes one IEEE operation on one pair of elements, as the
// TypeScript loop does, so the results are the same bit for bit: float64 directly; float32 with
// f32x4 operations, which round each exact result once to float32, while TypeScript computes in
// float64 and rounds on store: for +, -, * and / the two agree exactly (float64 has more than twice
// float32's precision plus two bits, so rounding twice never differs from rounding once).
//
// out[i] = a[i * aStride] op b[i * bStride] for i in [0, len); strides are 0 (one broadcast value)
// or 1, in elements. Pointers are byte offsets.

/** Operation codes, in this order: add, sub, mul, div. */
const ADD = 0;
const SUB = 1;
const MUL = 2;

function vop64(op: i32, x: v128, y: v128): v128 {
  if (op === ADD) return f64x2.add(x, y);
  if (op === SUB) return f64x2.sub(x, y);
  if (op === MUL) return f64x2.mul(x, y);
  return f64x2.div(x, y);
}

function vop32(op: i32, x: v128, y: v128): v128 {
  if (op === ADD) return f32x4.add(x, y);
  if (op === SUB) return f32x4.sub(x, y);
  if (op === MUL) return f32x4.mul(x, y);
  return f32x4.div(x, y);
}

function sop64(op: i32, x: f64, y: f64): f64 {
  if (op === ADD) return x + y;
  if (op === SUB) return x - y;
  if (op === MUL) return x * y;
  return x / y;
}

function sop32(op: i32, x: f32, y: f32): f32 {
  if (op === ADD) return x + y;
  if (op === SUB) return x - y;
  if (op === MUL) return x * y;
  return x / y;
}

/** A vector of `a`'s next lanes: loaded (stride 1) or the broadcast value (stride 0). */
function lanes64(p: usize, stride: i32): v128 {
  return stride === 0 ? v128.load64_splat(p) : v128.load(p);
}

function lanes32(p: usize, stride: i32): v128 {
  return stride === 0 ? v128.load32_splat(p) : v128.load(p);
}

export function binary(op: i32, a: usize, aStride: i32, b: usize, bStride: i32, out: usize, len: i32, f32: bool): void {
  let i = 0;
  if (f32) {
    const as = <usize>(aStride << 2);
    const bs = <usize>(bStride << 2);
    for (; i + 4 <= len; i += 4) {
      v128.store(out, vop32(op, lanes32(a, aStride), lanes32(b, bStride)));
      a += as << 2;
      b += bs << 2;
      out += 16;
    }
    for (; i < len; i++) {
      store<f32>(out, sop32(op, load<f32>(a), load<f32>(b)));
      a += as;
      b += bs;
      out += 4;
    }
  } else {
    const as = <usize>(aStride << 3);
    const bs = <usize>(bStride << 3);
    for (; i + 2 <= len; i += 2) {
      v128.store(out, vop64(op, lanes64(a, aStride), lanes64(b, bStride)));
      a += as << 1;
      b += bs << 1;
      out += 16;
    }
    for (; i < len; i++) {
      store<f64>(out, sop64(op, load<f64>(a), load<f64>(b)));
      a += as;
      b += bs;
      out += 8;
    }
  }
}

/** `binary` on each of `rows` rows of `len` values: out row r = a row r op b (one row, read by every
 * row: a bias). One call for all rows, so a caller pays no call per row. */
export function binaryRows(op: i32, a: usize, b: usize, out: usize, rows: i32, len: i32, f32: bool): void {
  const bytes = (<usize>len) << (f32 ? 2 : 3);
  for (let r = 0; r < rows; r++) {
    binary(op, a, 1, b, 1, out, len, f32);
    a += bytes;
    out += bytes;
  }
}

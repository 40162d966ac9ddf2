/**
 * bp's own exp, log, sin, cos, tanh (with expm1) and pow: the same bits on every JavaScript engine.
 *
 * The language leaves `Math.exp` and friends to each engine, and engines differ in the last bit:
 * V8 11.3 (Node 20) ports Sun's fdlibm 5.3, newer V8 (Deno, Chromium) takes log, sin and cos from
 * other libraries, and JavaScriptCore (Bun) calls the system libm. These are fdlibm's algorithms
 * (e_exp.c, e_log.c, e_rem_pio2.c with k_rem_pio2.c, k_sin.c, k_cos.c, s_sin.c, s_cos.c, s_expm1.c,
 * s_tanh.c, e_pow.c), written again in TypeScript with the special cases of V8 11.3's port (its
 * `base::ieee754`), so they give Node 20's `Math.*` results bit for bit (test/libm.test.ts compares
 * millions of inputs) and the same bits everywhere else: they use only +, -, *, / and Math.sqrt
 * (correctly rounded in IEEE 754, and JavaScript never fuses a multiply-add), Math.floor, integer
 * arithmetic, and the 32-bit words of a double read and written through one Float64Array/Int32Array
 * pair. sin and cos reduce every finite argument exactly (Payne-Hanek for |x| >= 2^19·π/2).
 *
 * Constants are fdlibm's; each comment gives its IEEE 754 words (high, low) as fdlibm lists them.
 */

const f64 = new Float64Array(1);
const i32 = new Int32Array(f64.buffer);
/** Index of the high (sign, exponent, top of the fraction) word in `i32`: 1 on little-endian machines. */
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const LO = 1 - HI;

function highWord(x: number): number {
  f64[0] = x;
  return i32[HI]!;
}

function lowWord(x: number): number {
  f64[0] = x;
  return i32[LO]!;
}

function fromWords(hi: number, lo: number): number {
  i32[HI] = hi;
  i32[LO] = lo;
  return f64[0]!;
}

/** x with its low word replaced by `lo` (fdlibm's SET_LOW_WORD). */
function withLowWord(x: number, lo: number): number {
  f64[0] = x;
  i32[LO] = lo;
  return f64[0]!;
}

/** x with its high word replaced by `hi` (fdlibm's SET_HIGH_WORD). */
function withHighWord(x: number, hi: number): number {
  f64[0] = x;
  i32[HI] = hi;
  return f64[0]!;
}

/** 2^n for n in [-1022, 1023], exactly. */
function twoPow(n: number): number {
  return fromWords((0x3ff + n) << 20, 0);
}

/** x·2^n rounded once, as C's scalbn, for n >= -1022-54 (every caller here). */
function scalbn(x: number, n: number): number {
  if (n > 1023) return x * twoPow(1023) * twoPow(n - 1023);
  if (n >= -1022) return x * twoPow(n);
  return x * twoPow(n + 54) * 5.551115123125783e-17; // the first product is exact; 2^-54 rounds once
}

/**
 * The arguments and result of the functions named *Slot (slot[0], and slot[1] for pow's exponent).
 * Each exported function but exp is a three-line wrapper that V8 inlines into any loop; the work is a call
 * that takes and returns no double, so V8 never allocates a heap number for one, whatever it
 * inlines (a kernel's loop over a million elements would otherwise allocate a million).
 */
const slot = new Float64Array(2);

// ---------------------------------------------------------------------------------------------
// exp (e_exp.c)
//
// exp, log, expm1 and tanh are the hot ones (softmax, sigmoid, cross-entropy), written so that V8
// keeps every double unboxed: fdlibm's tests on the high word of |x| are comparisons of |x| with
// the double whose high word is the bound (the high word of |x| is >= H exactly when |x| >= [H, 0]),
// 2^k comes from a table, no double is kept in a module-level variable, and no rarely taken call
// receives or returns a double (V8 would allocate a heap number for it on every element).

const LN2_HI = 0.6931471803691238; // 0x3FE62E42 FEE00000
const LN2_LO = 1.9082149292705877e-10; // 0x3DEA39EF 35793C76
const INV_LN2 = Math.LOG2E; // 0x3FF71547 652B82FE
const P1 = 0.16666666666666602; // 0x3FC55555 5555553E
const P2 = -0.0027777777777015593; // 0xBF66C16C 16BEBD93
const P3 = 0.00006613756321437934; // 0x3F11566A AF25DE2C
const P4 = -0.0000016533902205465252; // 0xBEBBBD41 C5D26BF1
const P5 = 4.1381367970572385e-8; // 0x3E663769 72BEA4D0
const EXP_O_THRESHOLD = 709.782712893384; // 0x40862E42 FEFA39EF
const EXP_U_THRESHOLD = -745.1332191019411; // 0xC0874910 D52D3051
const TWO_M1000 = 9.332636185032189e-302; // 2^-1000
const TWO_1023 = 8.98846567431158e307; // 2^1023

/** |x| at which fdlibm's exp, expm1 and tanh change path (the doubles [high word, 0]). */
const HALF_LN2_UP = fromWords(0x3fd62e43, 0); // |x| > 0.5 ln2: high word > 0x3FD62E42
const THREE_HALF_LN2 = fromWords(0x3ff0a2b2, 0); // |x| < 1.5 ln2
const EXP_BIG = fromWords(0x40862e42, 0); // |x| >= 709.78...
const TWO_M28 = fromWords(0x3e300000, 0); // 2^-28

/** POW2[k + 1022] = 2^k for k in [-1022, 1023]. */
const POW2 = new Float64Array(2046);
for (let k = -1022; k <= 1023; k++) POW2[k + 1022] = twoPow(k);

/** k with x = k·ln2 + r, |r| <= 0.5 ln2, for |x| = ax > 0.5 ln2: +-1 below 1.5 ln2, else x/ln2
 * rounded by C's truncating conversion. Then x - k·LN2_HI is exact and r = hi - lo. */
function multipleOfLn2(x: number, ax: number): number {
  return ax < THREE_HALF_LN2 ? (x < 0 ? -1 : 1) : (INV_LN2 * x + (x < 0 ? -0.5 : 0.5)) | 0;
}

/** e^x, as V8 11.3's fdlibm port (which returns Math.E for x = 1). Small enough for V8 to inline
 * whole into a kernel's loop, which measured faster than the slot's call. */
export function exp(x: number): number {
  const ax = Math.abs(x);
  if (ax < HALF_LN2_UP) {
    if (ax < TWO_M28) return 1 + x;
    const t = x * x;
    const c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    return 1 - ((x * c) / (c - 2.0) - x);
  }
  if (!(ax < EXP_BIG)) {
    if (x !== x) return x;
    if (x > EXP_O_THRESHOLD) return Number.POSITIVE_INFINITY; // and exp(+Infinity)
    if (x < EXP_U_THRESHOLD) return 0; // and exp(-Infinity)
  } else if (x === 1) {
    return Math.E; // V8's special case: the formula is one ulp off here
  }
  const k = multipleOfLn2(x, ax);
  const hi = x - k * LN2_HI;
  const lo = k * LN2_LO;
  const r = hi - lo;
  const t = r * r;
  const c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  const y = 1 - (lo - (r * c) / (2.0 - c) - hi);
  if (k < -1021) return y * POW2[k + 1000 + 1022]! * TWO_M1000;
  return k === 1024 ? y * 2.0 * TWO_1023 : y * POW2[k + 1022]!;
}

// ---------------------------------------------------------------------------------------------
// log (e_log.c)

const TWO54 = 18014398509481984; // 2^54
const LG1 = 0.6666666666666735; // 0x3FE55555 55555593
const LG2 = 0.3999999999940942; // 0x3FD99999 9997FA04
const LG3 = 0.2857142874366239; // 0x3FD24924 94229359
const LG4 = 0.22222198432149784; // 0x3FCC71C5 1D8E78AF
const LG5 = 0.1818357216161805; // 0x3FC74664 96CB03DE
const LG6 = 0.15313837699209373; // 0x3FC39A09 D078C69F
const LG7 = 0.14798198605116586; // 0x3FC2F112 DF3E5244
const MIN_NORMAL = 2.2250738585072014e-308; // 2^-1022

/** The natural logarithm. */
export function log(x: number): number {
  slot[0] = x;
  logSlot();
  return slot[0]!;
}

/** slot[0] = log(slot[0]). */
function logSlot(): void {
  let x = slot[0]!;
  let k = 0;
  if (!(x >= MIN_NORMAL && x < Number.POSITIVE_INFINITY)) {
    if (!(x > 0)) {
      slot[0] = x === 0 ? Number.NEGATIVE_INFINITY : Number.NaN; // log(+-0), log(negative), NaN
      return;
    }
    if (x === Number.POSITIVE_INFINITY) {
      slot[0] = x;
      return;
    }
    k = -54;
    x *= TWO54; // subnormal: scale up
  }
  f64[0] = x;
  let hx = i32[HI]!;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  const i = (hx + 0x95f64) & 0x100000;
  i32[HI] = hx | (i ^ 0x3ff00000); // normalize x or x/2
  k += i >> 20;
  const f = f64[0]! - 1.0;
  const dk = k;
  if ((0x000fffff & (2 + hx)) < 3) {
    // -2^-20 <= f < 2^-20
    if (f === 0) {
      slot[0] = dk * LN2_HI + dk * LN2_LO; // +0 for k = 0
      return;
    }
    const R = f * f * (0.5 - 0.3333333333333333 * f);
    slot[0] = k === 0 ? f - R : dk * LN2_HI - (R - dk * LN2_LO - f);
    return;
  }
  const s = f / (2.0 + f);
  const z = s * s;
  const w = z * z;
  const R = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7))) + w * (LG2 + w * (LG4 + w * LG6));
  if (((hx - 0x6147a) | (0x6b851 - hx)) > 0) {
    const hfsq = 0.5 * f * f;
    if (k === 0) {
      slot[0] = f - (hfsq - s * (hfsq + R));
      return;
    }
    slot[0] = dk * LN2_HI - (hfsq - (s * (hfsq + R) + dk * LN2_LO) - f);
    return;
  }
  if (k === 0) {
    slot[0] = f - s * (f - R);
    return;
  }
  slot[0] = dk * LN2_HI - (s * (f - R) - dk * LN2_LO - f);
}

// ---------------------------------------------------------------------------------------------
// sin and cos (s_sin.c, s_cos.c, k_sin.c, k_cos.c, e_rem_pio2.c, k_rem_pio2.c)

const S1 = -0.16666666666666632; // 0xBFC55555 55555549
const S2 = 0.00833333333332249; // 0x3F811111 1110F8A6
const S3 = -0.0001984126982985795; // 0xBF2A01A0 19C161D5
const S4 = 0.0000027557313707070068; // 0x3EC71DE3 57B1FE7D
const S5 = -2.5050760253406863e-8; // 0xBE5AE5E6 8A2B9CEB
const S6 = 1.58969099521155e-10; // 0x3DE5D93A 5ACFD57C

/** sin(x + y) for |x| <= π/4, y the tail of x; iy = 0 when y is known to be 0. */
function kernelSin(x: number, y: number, iy: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix < 0x3e400000 && (x | 0) === 0) return x; // |x| < 2^-27
  const z = x * x;
  const v = z * x;
  const r = S2 + z * (S3 + z * (S4 + z * (S5 + z * S6)));
  if (iy === 0) return x + v * (S1 + z * r);
  return x - (z * (0.5 * y - v * r) - y - v * S1);
}

const C1 = 0.0416666666666666; // 0x3FA55555 5555554C
const C2 = -0.001388888888887411; // 0xBF56C16C 16C15177
const C3 = 0.00002480158728947673; // 0x3EFA01A0 19CB1590
const C4 = -2.7557314351390663e-7; // 0xBE927E4F 809C52AD
const C5 = 2.087572321298175e-9; // 0x3E21EE9E BDB4B1C4
const C6 = -1.1359647557788195e-11; // 0xBDA8FAE9 BE8838D4

/** cos(x + y) for |x| <= π/4, y the tail of x. */
function kernelCos(x: number, y: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix < 0x3e400000 && (x | 0) === 0) return 1; // |x| < 2^-27
  const z = x * x;
  const r = z * (C1 + z * (C2 + z * (C3 + z * (C4 + z * (C5 + z * C6)))));
  if (ix < 0x3fd33333) return 1 - (0.5 * z - (z * r - x * y)); // |x| < 0.3
  const qx = ix > 0x3fe90000 ? 0.28125 : fromWords(ix - 0x00200000, 0); // x/4, or 0.28125 above 0.78125
  const hz = 0.5 * z - qx;
  const a = 1 - qx;
  return a - (hz - (z * r - x * y));
}

/** The 24-bit words of 2/π (396 hex digits), fdlibm's two_over_pi. */
const TWO_OVER_PI = new Int32Array([
  0xa2f983, 0x6e4e44, 0x1529fc, 0x2757d1, 0xf534dd, 0xc0db62, 0x95993c, 0x439041, 0xfe5163, 0xabdebb, 0xc561b7,
  0x246e3a, 0x424dd2, 0xe00649, 0x2eea09, 0xd1921c, 0xfe1deb, 0x1cb129, 0xa73ee8, 0x8235f5, 0x2ebb44, 0x84e99c,
  0x7026b4, 0x5f7e41, 0x3991d6, 0x398353, 0x39f49c, 0x845f8b, 0xbdf928, 0x3b1ff8, 0x97ffde, 0x05980f, 0xef2f11,
  0x8b5a0a, 0x6d1f6d, 0x367ecf, 0x27cb09, 0xb74f46, 0x3f669e, 0x5fea2d, 0x7527ba, 0xc7ebe5, 0xf17b3d, 0x0739f7,
  0x8a5292, 0xea6bfb, 0x5fb11f, 0x8d5d08, 0x560330, 0x46fc7b, 0x6babf0, 0xcfbc20, 0x9af436, 0x1da9e3, 0x91615e,
  0xe61b08, 0x659985, 0x5f14a0, 0x68408d, 0xffd880, 0x4d7327, 0x310606, 0x1556ca, 0x73a8c9, 0x60e27b, 0xc08c6b,
]);

/** High words of n·π/2 for n = 1..32 (a quick test that no cancellation occurs). */
const NPIO2_HW = new Int32Array([
  0x3ff921fb, 0x400921fb, 0x4012d97c, 0x401921fb, 0x401f6a7a, 0x4022d97c, 0x4025fdbb, 0x402921fb, 0x402c463a,
  0x402f6a7a, 0x4031475c, 0x4032d97c, 0x40346b9c, 0x4035fdbb, 0x40378fdb, 0x403921fb, 0x403ab41b, 0x403c463a,
  0x403dd85a, 0x403f6a7a, 0x40407e4c, 0x4041475c, 0x4042106c, 0x4042d97c, 0x4043a28c, 0x40446b9c, 0x404534ac,
  0x4045fdbb, 0x4046c6cb, 0x40478fdb, 0x404858eb, 0x404921fb,
]);

/** π/2 in 24-bit pieces, fdlibm's PIo2. */
const PIO2 = [
  1.570796251296997, // 0x3FF921FB 40000000
  7.549789415861596e-8, // 0x3E74442D 00000000
  5.390302529957765e-15, // 0x3CF84698 80000000
  3.282003415807913e-22, // 0x3B78CC51 60000000
  1.270655753080676e-29, // 0x39F01B83 80000000
  1.2293330898111133e-36, // 0x387A2520 40000000
  2.7337005381646456e-44, // 0x36E38222 80000000
  2.1674168387780482e-51, // 0x3569F31D 00000000
];

const INV_PIO2 = 0.6366197723675814; // 0x3FE45F30 6DC9C883
const PIO2_1 = 1.5707963267341256; // 0x3FF921FB 54400000, first 33 bits of π/2
const PIO2_1T = 6.077100506506192e-11; // 0x3DD0B461 1A626331, π/2 - PIO2_1
const PIO2_2 = 6.077100506303966e-11; // 0x3DD0B461 1A600000, second 33 bits
const PIO2_2T = 2.0222662487959506e-21; // 0x3BA3198A 2E037073
const PIO2_3 = 2.0222662487111665e-21; // 0x3BA3198A 2E000000, third 33 bits
const PIO2_3T = 8.4784276603689e-32; // 0x397B839A 252049C1
const TWO24 = 16777216;
const TWON24 = 1 / TWO24;

// Results of remPio2 (x - n·π/2 = rem[0] + rem[1]) and the scratch arrays of kernelRemPio2.
const rem = new Float64Array(2);
const tx = new Float64Array(3);
const rf = new Float64Array(20);
const rq = new Float64Array(20);
const rfq = new Float64Array(20);
const riq = new Int32Array(20);

/**
 * Payne-Hanek reduction (k_rem_pio2.c with prec = 2, jk = 4): the last three bits of n with
 * x·2^e0 - n·π/2 = rem[0] + rem[1], x given in `nx` 24-bit pieces in `tx`.
 */
function kernelRemPio2(e0: number, nx: number): number {
  const jk = 4;
  const jp = jk;
  const jx = nx - 1;
  let jv = ((e0 - 3) / 24) | 0;
  if (jv < 0) jv = 0;
  let q0 = e0 - 24 * (jv + 1);

  // f[0..jx+jk] = ipio2[jv-jx .. jv+jk]
  let j = jv - jx;
  const m = jx + jk;
  for (let i = 0; i <= m; i++, j++) rf[i] = j < 0 ? 0 : TWO_OVER_PI[j]!;

  for (let i = 0; i <= jk; i++) {
    let fw = 0.0;
    for (j = 0; j <= jx; j++) fw += tx[j]! * rf[jx + i - j]!;
    rq[i] = fw;
  }

  let jz = jk;
  let z: number;
  let n: number;
  let ih: number;
  for (;;) {
    // distill q[] into iq[] reversingly
    z = rq[jz]!;
    for (let i = 0, jj = jz; jj > 0; i++, jj--) {
      const fw = (TWON24 * z) | 0;
      riq[i] = z - TWO24 * fw;
      z = rq[jj - 1]! + fw;
    }

    // compute n
    z = scalbn(z, q0);
    z -= 8.0 * Math.floor(z * 0.125); // trim off integer >= 8
    n = z | 0;
    z -= n;
    ih = 0;
    if (q0 > 0) {
      // need iq[jz-1] to determine n
      const i = riq[jz - 1]! >> (24 - q0);
      n += i;
      riq[jz - 1] = riq[jz - 1]! - (i << (24 - q0));
      ih = riq[jz - 1]! >> (23 - q0);
    } else if (q0 === 0) {
      ih = riq[jz - 1]! >> 23;
    } else if (z >= 0.5) {
      ih = 2;
    }

    if (ih > 0) {
      // q > 0.5
      n += 1;
      let carry = 0;
      for (let i = 0; i < jz; i++) {
        // compute 1 - q
        const v = riq[i]!;
        if (carry === 0) {
          if (v !== 0) {
            carry = 1;
            riq[i] = 0x1000000 - v;
          }
        } else {
          riq[i] = 0xffffff - v;
        }
      }
      if (q0 === 1) riq[jz - 1] = riq[jz - 1]! & 0x7fffff;
      else if (q0 === 2) riq[jz - 1] = riq[jz - 1]! & 0x3fffff;
      if (ih === 2) {
        z = 1 - z;
        if (carry !== 0) z -= scalbn(1, q0);
      }
    }

    // check if recomputation is needed
    if (z !== 0) break;
    let any = 0;
    for (let i = jz - 1; i >= jk; i--) any |= riq[i]!;
    if (any !== 0) break;
    let k = 1;
    while (riq[jk - k] === 0) k++; // k = number of terms needed
    for (let i = jz + 1; i <= jz + k; i++) {
      // add q[jz+1] to q[jz+k]
      rf[jx + i] = TWO_OVER_PI[jv + i]!;
      let fw = 0.0;
      for (j = 0; j <= jx; j++) fw += tx[j]! * rf[jx + i - j]!;
      rq[i] = fw;
    }
    jz += k;
  }

  // chop off zero terms
  if (z === 0) {
    jz -= 1;
    q0 -= 24;
    while (riq[jz] === 0) {
      jz--;
      q0 -= 24;
    }
  } else {
    // break z into 24-bit pieces if necessary
    z = scalbn(z, -q0);
    if (z >= TWO24) {
      const fw = (TWON24 * z) | 0;
      riq[jz] = z - TWO24 * fw;
      jz += 1;
      q0 += 24;
      riq[jz] = fw;
    } else {
      riq[jz] = z;
    }
  }

  // convert the integer 24-bit chunks to floating-point values
  let fw = scalbn(1, q0);
  for (let i = jz; i >= 0; i--) {
    rq[i] = fw * riq[i]!;
    fw *= TWON24;
  }

  // fq = PIo2[0..jp] * q[jz..0]
  for (let i = jz; i >= 0; i--) {
    fw = 0.0;
    for (let k = 0; k <= jp && k <= jz - i; k++) fw += PIO2[k]! * rq[i + k]!;
    rfq[jz - i] = fw;
  }

  // compress fq[] into head and tail
  fw = 0.0;
  for (let i = jz; i >= 0; i--) fw += rfq[i]!;
  rem[0] = ih === 0 ? fw : -fw;
  fw = rfq[0]! - fw;
  for (let i = 1; i <= jz; i++) fw += rfq[i]!;
  rem[1] = ih === 0 ? fw : -fw;
  return n & 7;
}

/** n with x - n·π/2 = rem[0] + rem[1], |rem[0]| <= π/4 (e_rem_pio2.c), x = slot[0] finite, |x| > π/4. */
function remPio2(): number {
  const x = slot[0]!;
  f64[0] = x;
  const hx = i32[HI]!;
  const ix = hx & 0x7fffffff;

  if (ix < 0x4002d97c) {
    // |x| < 3π/4: n = +-1
    if (hx > 0) {
      let z = x - PIO2_1;
      if (ix !== 0x3ff921fb) {
        rem[0] = z - PIO2_1T;
        rem[1] = z - rem[0]! - PIO2_1T;
      } else {
        // near π/2: 33+33+53 bits of π
        z -= PIO2_2;
        rem[0] = z - PIO2_2T;
        rem[1] = z - rem[0]! - PIO2_2T;
      }
      return 1;
    }
    let z = x + PIO2_1;
    if (ix !== 0x3ff921fb) {
      rem[0] = z + PIO2_1T;
      rem[1] = z - rem[0]! + PIO2_1T;
    } else {
      z += PIO2_2;
      rem[0] = z + PIO2_2T;
      rem[1] = z - rem[0]! + PIO2_2T;
    }
    return -1;
  }

  if (ix <= 0x413921fb) {
    // |x| <= 2^19·π/2: Cody-Waite with up to three pieces of π/2
    const t = Math.abs(x);
    const n = (t * INV_PIO2 + 0.5) | 0;
    const fn = n;
    let r = t - fn * PIO2_1;
    let w = fn * PIO2_1T; // first round, good to 85 bits
    if (n < 32 && ix !== NPIO2_HW[n - 1]) {
      rem[0] = r - w; // quick check: no cancellation
    } else {
      const j = ix >> 20;
      rem[0] = r - w;
      let i = j - ((highWord(rem[0]!) >> 20) & 0x7ff);
      if (i > 16) {
        // second iteration, good to 118 bits
        let tt = r;
        w = fn * PIO2_2;
        r = tt - w;
        w = fn * PIO2_2T - (tt - r - w);
        rem[0] = r - w;
        i = j - ((highWord(rem[0]!) >> 20) & 0x7ff);
        if (i > 49) {
          // third iteration, 151 bits: covers every case
          tt = r;
          w = fn * PIO2_3;
          r = tt - w;
          w = fn * PIO2_3T - (tt - r - w);
          rem[0] = r - w;
        }
      }
    }
    rem[1] = r - rem[0]! - w;
    if (hx < 0) {
      rem[0] = -rem[0]!;
      rem[1] = -rem[1]!;
      return -n;
    }
    return n;
  }

  // large arguments: z = scalbn(|x|, ilogb(x) - 23), cut into three 24-bit pieces
  const e0 = (ix >> 20) - 1046;
  let z = fromWords(ix - (e0 << 20), lowWord(x));
  for (let i = 0; i < 2; i++) {
    tx[i] = z | 0;
    z = (z - tx[i]!) * TWO24;
  }
  tx[2] = z;
  let nx = 3;
  while (tx[nx - 1] === 0) nx--; // skip zero terms
  const n = kernelRemPio2(e0, nx);
  if (hx < 0) {
    rem[0] = -rem[0]!;
    rem[1] = -rem[1]!;
    return -n;
  }
  return n;
}

/** The sine, for every double (exact reduction of large arguments). */
export function sin(x: number): number {
  slot[0] = x;
  sinSlot();
  return slot[0]!;
}

function sinSlot(): void {
  slot[0] = sinOf(slot[0]!);
}

/** sin(x) for x = slot[0] (remPio2 reads it there). */
function sinOf(x: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelSin(x, 0, 0); // |x| <= π/4
  if (ix >= 0x7ff00000) return x - x; // NaN for Inf and NaN
  switch (remPio2() & 3) {
    case 0:
      return kernelSin(rem[0]!, rem[1]!, 1);
    case 1:
      return kernelCos(rem[0]!, rem[1]!);
    case 2:
      return -kernelSin(rem[0]!, rem[1]!, 1);
    default:
      return -kernelCos(rem[0]!, rem[1]!);
  }
}

/** The cosine, for every double (exact reduction of large arguments). */
export function cos(x: number): number {
  slot[0] = x;
  cosSlot();
  return slot[0]!;
}

function cosSlot(): void {
  slot[0] = cosOf(slot[0]!);
}

/** cos(x) for x = slot[0] (remPio2 reads it there). */
function cosOf(x: number): number {
  const ix = highWord(x) & 0x7fffffff;
  if (ix <= 0x3fe921fb) return kernelCos(x, 0); // |x| <= π/4
  if (ix >= 0x7ff00000) return x - x;
  switch (remPio2() & 3) {
    case 0:
      return kernelCos(rem[0]!, rem[1]!);
    case 1:
      return -kernelSin(rem[0]!, rem[1]!, 1);
    case 2:
      return -kernelCos(rem[0]!, rem[1]!);
    default:
      return kernelSin(rem[0]!, rem[1]!, 1);
  }
}

// ---------------------------------------------------------------------------------------------
// expm1 and tanh (s_expm1.c, s_tanh.c)

// fdlibm's Q1..Q5 scaled by 2^n, for R(2z) with z = x·x/2.
const Q1 = -0.03333333333333313; // 0xBFA11111 111110F4
const Q2 = 0.0015873015872548146; // 0x3F5A01A0 19FE5585
const Q3 = -0.0000793650757867488; // 0xBF14CE19 9EAADBB7
const Q4 = 0.000004008217827329362; // 0x3ED0CFCA 86E65239
const Q5 = -2.0109921818362437e-7; // 0xBE8AFDB7 6E09C32D
const EXPM1_BIG = fromWords(0x4043687a, 0); // |x| >= 56·ln2
const TWO_M54 = fromWords(0x3c900000, 0); // 2^-54

/** slot[0] = expm1(slot[0]). */
function expm1Slot(): void {
  let x = slot[0]!;
  const ax = Math.abs(x);
  if (!(ax < EXPM1_BIG)) {
    if (x !== x) return; // NaN
    if (x < 0) {
      slot[0] = -1.0; // x < -56·ln2, and expm1(-Infinity)
      return;
    }
    if (x > EXP_O_THRESHOLD) {
      slot[0] = Number.POSITIVE_INFINITY;
      return;
    }
  }
  let k = 0;
  let c = 0;
  if (!(ax < HALF_LN2_UP)) {
    k = multipleOfLn2(x, ax);
    const hi = x - k * LN2_HI; // exact
    const lo = k * LN2_LO;
    x = hi - lo;
    c = hi - x - lo;
  } else if (ax < TWO_M54) {
    return; // expm1(x) = x
  }
  // x is now in the primary range
  const hfx = 0.5 * x;
  const hxs = x * hfx;
  const r1 = 1 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
  const t = 3.0 - r1 * hfx;
  let e = hxs * ((r1 - t) / (6.0 - x * t));
  if (k === 0) {
    slot[0] = x - (x * e - hxs); // c is 0
    return;
  }
  e = x * (e - c) - c;
  e -= hxs;
  let y: number;
  if (k === -1) y = 0.5 * (x - e) - 0.5;
  else if (k === 1) y = x < -0.25 ? -2.0 * (e - (x + 0.5)) : 1 + 2.0 * (x - e);
  else if (k <= -2 || k > 56) y = (k === 1024 ? (1 - (e - x)) * 2.0 * TWO_1023 : (1 - (e - x)) * POW2[k + 1022]!) - 1;
  else if (k < 20)
    y = (1 - POW2[1022 - k]! - (e - x)) * POW2[k + 1022]!; // 1 - 2^-k is exact
  else y = (x - (e + POW2[1022 - k]!) + 1) * POW2[k + 1022]!;
  slot[0] = y;
}

/** e^x - 1, accurate near 0. */
export function expm1(x: number): number {
  slot[0] = x;
  expm1Slot();
  return slot[0]!;
}

/** The hyperbolic tangent. */
export function tanh(x: number): number {
  slot[0] = x;
  tanhSlot();
  return slot[0]!;
}

function tanhSlot(): void {
  slot[0] = tanhOf(slot[0]!);
}

function tanhOf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 22) {
    if (ax < TWO_M28) return x; // tanh(x) = x, and keeps -0
    let z: number;
    if (ax >= 1) {
      slot[0] = 2 * ax;
      expm1Slot();
      z = 1 - 2 / (slot[0]! + 2);
    } else {
      slot[0] = -2 * ax;
      expm1Slot();
      const t = slot[0]!;
      z = -t / (t + 2);
    }
    return x < 0 ? -z : z;
  }
  if (x !== x) return x;
  return x < 0 ? -1 : 1; // |x| >= 22, and tanh(+-Infinity) = +-1
}

// ---------------------------------------------------------------------------------------------
// pow (e_pow.c, with ECMAScript's special cases: NaN for (+-1) ** (+-Infinity))

const BP = [1.0, 1.5];
const DP_H = [0.0, 0.5849624872207642]; // 0x3FE2B803 40000000
const DP_L = [0.0, 1.350039202129749e-8]; // 0x3E4CFDEB 43CFD006
const TWO53 = 9007199254740992;
const HUGE = 1.0e300;
const TINY = 1.0e-300;
const L1 = 0.5999999999999946; // 0x3FE33333 33333303
const L2 = 0.4285714285785502; // 0x3FDB6DB6 DB6FABFF
const L3 = 0.33333332981837743; // 0x3FD55555 518F264D
const L4 = 0.272728123808534; // 0x3FD17460 A91D4101
const L5 = 0.23066074577556175; // 0x3FCD864A 93C9DB65
const L6 = 0.20697501780033842; // 0x3FCA7E28 4A454EEF
const LG2_ = Math.LN2; // 0x3FE62E42 FEFA39EF
const LG2_H = 0.6931471824645996; // 0x3FE62E43 00000000
const LG2_L = -1.904654299957768e-9; // 0xBE205C61 0CA86C39
const OVT = 8.008566259537294e-17; // -(1024 - log2(ovfl + .5ulp))
const CP = 0.9617966939259756; // 0x3FEEC709 DC3A03FD, 2/(3 ln2)
const CP_H = 0.9617967009544373; // 0x3FEEC709 E0000000
const CP_L = -7.028461650952758e-9; // 0xBE3E2FE0 145B01F5
const IVLN2 = Math.LOG2E; // 0x3FF71547 652B82FE
const IVLN2_H = 1.4426950216293335; // 0x3FF71547 60000000
const IVLN2_L = 1.9259629911266175e-8; // 0x3E54AE0B F85DDF44

/** x ** y as ECMAScript defines it (`1 ** Infinity` is NaN), computed as V8 11.3 does. */
export function pow(x: number, y: number): number {
  slot[0] = x;
  slot[1] = y;
  powSlot();
  return slot[0]!;
}

/** slot[0] = slot[0] ** slot[1]. */
function powSlot(): void {
  const x = slot[0]!;
  const y = slot[1]!;
  f64[0] = x;
  const hx = i32[HI]!;
  const lx = i32[LO]!;
  f64[0] = y;
  const hy = i32[HI]!;
  const ly = i32[LO]!;
  let ix = hx & 0x7fffffff;
  const iy = hy & 0x7fffffff;

  if ((iy | ly) === 0) {
    slot[0] = 1; // x ** 0 = 1, even for NaN

    return;
  }
  if (ix > 0x7ff00000 || (ix === 0x7ff00000 && lx !== 0) || iy > 0x7ff00000 || (iy === 0x7ff00000 && ly !== 0)) {
    slot[0] = x + y; // NaN
    return;
  }

  // yisint: 0 when y is not an integer, 1 for an odd integer, 2 for an even one (only for x < 0)
  let yisint = 0;
  if (hx < 0) {
    if (iy >= 0x43400000) {
      yisint = 2; // |y| >= 2^53: even
    } else if (iy >= 0x3ff00000) {
      const e = (iy >> 20) - 0x3ff;
      if (e > 20) {
        const j = ly >>> (52 - e);
        if (j << (52 - e) === ly) yisint = 2 - (j & 1);
      } else if (ly === 0) {
        const j = iy >> (20 - e);
        if (j << (20 - e) === iy) yisint = 2 - (j & 1);
      }
    }
  }

  if (ly === 0) {
    if (iy === 0x7ff00000) {
      // y is +-Infinity
      if (((ix - 0x3ff00000) | lx) === 0) {
        slot[0] = y - y; // (+-1) ** (+-Infinity) is NaN
        return;
      }
      if (ix >= 0x3ff00000) {
        slot[0] = hy >= 0 ? y : 0; // (|x| > 1) ** +-Infinity = Infinity, 0
        return;
      }
      slot[0] = hy < 0 ? -y : 0; // (|x| < 1) ** -+Infinity = Infinity, 0
      return;
    }
    if (iy === 0x3ff00000) {
      slot[0] = hy < 0 ? 1 / x : x; // y is +-1
      return;
    }
    if (hy === 0x40000000) {
      slot[0] = x * x; // y is 2
      return;
    }
    if (hy === 0x3fe00000 && hx >= 0) {
      slot[0] = Math.sqrt(x); // y is 0.5, x >= +0
      return;
    }
  }

  let ax = Math.abs(x);
  if (lx === 0 && (ix === 0x7ff00000 || ix === 0 || ix === 0x3ff00000)) {
    // x is +-0, +-Infinity or +-1
    let z = ax;
    if (hy < 0) z = 1 / z;
    if (hx < 0) {
      if (((ix - 0x3ff00000) | yisint) === 0)
        z = Number.NaN; // (-1) ** non-integer
      else if (yisint === 1) z = -z; // (x < 0) ** odd = -(|x| ** odd)
    }
    slot[0] = z;
    return;
  }

  let n = (hx >> 31) + 1; // 0 for x < 0, 1 otherwise
  if ((n | yisint) === 0) {
    slot[0] = Number.NaN; // (x < 0) ** non-integer
    return;
  }

  const s = (n | (yisint - 1)) === 0 ? -1 : 1; // sign of the result: -1 for (negative) ** odd

  let t1: number;
  let t2: number;
  if (iy > 0x41e00000) {
    // |y| > 2^31
    if (iy > 0x43f00000) {
      // |y| > 2^64: must over- or underflow
      if (ix <= 0x3fefffff) {
        slot[0] = hy < 0 ? HUGE * HUGE : TINY * TINY;
        return;
      }
      if (ix >= 0x3ff00000) {
        slot[0] = hy > 0 ? HUGE * HUGE : TINY * TINY;
        return;
      }
    }
    // over- or underflow unless x is close to one
    if (ix < 0x3fefffff) {
      slot[0] = hy < 0 ? s * HUGE * HUGE : s * TINY * TINY;
      return;
    }
    if (ix > 0x3ff00000) {
      slot[0] = hy > 0 ? s * HUGE * HUGE : s * TINY * TINY;
      // |1 - x| <= 2^-20: log(x) by x - x^2/2 + x^3/3 - x^4/4
      return;
    }
    const t = ax - 1;
    const w = t * t * (0.5 - t * (0.3333333333333333 - t * 0.25));
    const u = IVLN2_H * t; // IVLN2_H has 21 significant bits
    const v = t * IVLN2_L - w * IVLN2;
    t1 = withLowWord(u + v, 0);
    t2 = v - (t1 - u);
  } else {
    n = 0;
    if (ix < 0x00100000) {
      // subnormal x
      ax *= TWO53;
      n -= 53;
      ix = highWord(ax);
    }
    n += (ix >> 20) - 0x3ff;
    const j = ix & 0x000fffff;
    // determine the interval
    ix = j | 0x3ff00000; // normalize ix
    let k: number;
    if (j <= 0x3988e) {
      k = 0; // |x| < sqrt(3/2)
    } else if (j < 0xbb67a) {
      k = 1; // |x| < sqrt(3)
    } else {
      k = 0;
      n += 1;
      ix -= 0x00100000;
    }
    ax = withHighWord(ax, ix);

    // ss = s_h + s_l = (x - 1)/(x + 1) or (x - 1.5)/(x + 1.5)
    const bp = BP[k]!;
    let u = ax - bp;
    let v = 1 / (ax + bp);
    const ss = u * v;
    const sH = withLowWord(ss, 0);
    // t_h = ax + bp[k], high part
    let tH = fromWords(((ix >> 1) | 0x20000000) + 0x00080000 + (k << 18), 0);
    let tL = ax - (tH - bp);
    const sL = v * (u - sH * tH - sH * tL);
    // log(ax)
    let s2 = ss * ss;
    let r = s2 * s2 * (L1 + s2 * (L2 + s2 * (L3 + s2 * (L4 + s2 * (L5 + s2 * L6)))));
    r += sL * (sH + ss);
    s2 = sH * sH;
    tH = withLowWord(3.0 + s2 + r, 0);
    tL = r - (tH - 3.0 - s2);
    // u + v = ss·(1 + ...)
    u = sH * tH;
    v = sL * tH + tL * ss;
    // 2/(3 log2)·(ss + ...)
    const pH = withLowWord(u + v, 0);
    const pL = v - (pH - u);
    const zH = CP_H * pH; // CP_H + CP_L = 2/(3 log2)
    const zL = CP_L * pH + pL * CP + DP_L[k]!;
    // log2(ax) = (ss + ...)·2/(3 log2) = n + dp_h + z_h + z_l
    const t = n;
    t1 = withLowWord(zH + zL + DP_H[k]! + t, 0);
    t2 = zL - (t1 - t - DP_H[k]! - zH);
  }

  // split y into y1 + y2 and compute (y1 + y2)·(t1 + t2)
  const y1 = withLowWord(y, 0);
  const pL = (y - y1) * t1 + y * t2;
  let pH = y1 * t1;
  let z = pL + pH;
  f64[0] = z;
  let j = i32[HI]!;
  let i = i32[LO]!;
  if (j >= 0x40900000) {
    // z >= 1024
    if (((j - 0x40900000) | i) !== 0) {
      slot[0] = s * HUGE * HUGE; // overflow
      return;
    }
    if (pL + OVT > z - pH) {
      slot[0] = s * HUGE * HUGE;
      return;
    }
  } else if ((j & 0x7fffffff) >= 0x4090cc00) {
    // z <= -1075
    if (((j - 0xc090cc00) | i) !== 0) {
      slot[0] = s * TINY * TINY; // underflow
      return;
    }
    if (pL <= z - pH) {
      slot[0] = s * TINY * TINY;
      return;
    }
  }

  // 2 ** (p_h + p_l)
  i = j & 0x7fffffff;
  let k = (i >> 20) - 0x3ff;
  n = 0;
  if (i > 0x3fe00000) {
    // |z| > 0.5: n = [z + 0.5]
    n = j + (0x00100000 >> (k + 1));
    k = ((n & 0x7fffffff) >> 20) - 0x3ff; // new k for n
    const t = fromWords(n & ~(0x000fffff >> k), 0);
    n = ((n & 0x000fffff) | 0x00100000) >> (20 - k);
    if (j < 0) n = -n;
    pH -= t;
  }
  const t = withLowWord(pL + pH, 0);
  const u = t * LG2_H;
  const v = (pL - (t - pH)) * LG2_ + t * LG2_L;
  z = u + v;
  const w = v - (z - u);
  const tt = z * z;
  const tt1 = z - tt * (P1 + tt * (P2 + tt * (P3 + tt * (P4 + tt * P5))));
  const r = (z * tt1) / (tt1 - 2 - (w + z * w));
  z = 1 - (r - z);
  j = (highWord(z) + (n << 20)) | 0;
  if (j >> 20 <= 0)
    z = scalbn(z, n); // subnormal result
  else z = withHighWord(z, j);
  slot[0] = s * z;
  return;
}

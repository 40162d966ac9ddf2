// bp's exp, log, sin, cos, expm1, tanh and pow (src/kernels/libm.ts) against Node 20's Math.*, bit for
// bit. Node 20 runs V8 11.3, whose Math functions are ports of fdlibm 5.3: that is the reference
// these functions reproduce, so that every digest computed before them still holds. Each sweep
// compares seeded inputs (a fixed xorshift stream, no Math.random) in the ranges bp uses and over
// the whole double range (random 64-bit patterns: every exponent equally likely, both signs,
// subnormals, infinities, NaNs). Edge cases are written out with the values ECMAScript specifies.
import { describe, expect, it } from "vitest";
import { cos, exp, expm1, log, pow, sin, tanh } from "../src/kernels/libm.js";
import { DIGESTS, libmDigests } from "./libm-digests.js";

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** A seeded stream of 32-bit words (xorshift32). */
function words(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

/** Random 64-bit patterns: log-uniform magnitudes over the whole range, both signs, all specials. */
function anyDouble(next: () => number): () => number {
  return () => {
    u32[0] = next();
    u32[1] = next();
    return f64[0]!;
  };
}

/** Uniform in [lo, hi). */
function uniform(next: () => number, lo: number, hi: number): () => number {
  return () => lo + ((next() * 4294967296 + next()) / 4294967296 / 4294967296) * (hi - lo);
}

/** |x| log-uniform in [2^lo, 2^hi), random sign when `signed`. */
function logUniform(next: () => number, lo: number, hi: number, signed: boolean): () => number {
  const e = uniform(next, lo, hi);
  return () => {
    const v = 2 ** e() * (1 + next() / 4294967296);
    return signed && next() & 1 ? -v : v;
  };
}

const sameBits = (a: number, b: number): boolean => Object.is(a, b) || (a !== a && b !== b);

/** Compares `mine` with `ref` on `n` inputs from `gen`; returns [compared, differing, first difference]. */
function sweep(
  n: number,
  gen: () => number,
  mine: (x: number) => number,
  ref: (x: number) => number,
): [number, number, string] {
  let diff = 0;
  let first = "";
  for (let i = 0; i < n; i++) {
    const x = gen();
    const a = mine(x);
    const b = ref(x);
    if (!sameBits(a, b)) {
      diff++;
      if (first === "") first = `x=${x}: ${a} vs Math ${b}`;
    }
  }
  return [n, diff, first];
}

const N = 400_000;
let compared = 0;

function expectSame(result: [number, number, string]): void {
  compared += result[0];
  expect({ differences: result[1], first: result[2] }).toEqual({ differences: 0, first: "" });
}

describe("libm: bit for bit equal to Node 20's Math (V8 11.3 fdlibm)", () => {
  it("exp: [-750, 710] (softmax, sigmoid, both thresholds), |x| < 2^-28 .. 2^10, any double", () => {
    expectSame(sweep(N, uniform(words(1), -750, 710), exp, Math.exp));
    expectSame(sweep(N, uniform(words(2), -40, 40), exp, Math.exp));
    expectSame(sweep(N, logUniform(words(3), -60, 10, true), exp, Math.exp));
    expectSame(sweep(N, anyDouble(words(4)), exp, Math.exp));
  });

  it("log: (0, 1) as Box-Muller draws it, log-uniform over every positive double, any double", () => {
    expectSame(sweep(N, uniform(words(5), 0, 1), log, Math.log));
    expectSame(sweep(N, uniform(words(6), 0.5, 2), log, Math.log));
    expectSame(sweep(N, logUniform(words(7), -1074, 1024, false), log, Math.log));
    expectSame(sweep(N, anyDouble(words(8)), log, Math.log));
  });

  it("sin and cos: [0, 2π) as Box-Muller draws it, the medium range, any double (Payne-Hanek)", () => {
    const boxMuller = (seed: number) => {
      const v = uniform(words(seed), 0, 1);
      return () => 2 * Math.PI * v();
    };
    expectSame(sweep(N, boxMuller(9), sin, Math.sin));
    expectSame(sweep(N, boxMuller(10), cos, Math.cos));
    expectSame(sweep(N, uniform(words(11), -1e6, 1e6), sin, Math.sin));
    expectSame(sweep(N, uniform(words(12), -1e6, 1e6), cos, Math.cos));
    expectSame(sweep(N, logUniform(words(13), -30, 1024, true), sin, Math.sin));
    expectSame(sweep(N, logUniform(words(14), -30, 1024, true), cos, Math.cos));
    expectSame(sweep(N, anyDouble(words(15)), sin, Math.sin));
    expectSame(sweep(N, anyDouble(words(16)), cos, Math.cos));
  });

  it("tanh and expm1: [-25, 25], log-uniform small and large magnitudes, any double", () => {
    expectSame(sweep(N, uniform(words(17), -25, 25), tanh, Math.tanh));
    expectSame(sweep(N, logUniform(words(18), -60, 6, true), tanh, Math.tanh));
    expectSame(sweep(N, anyDouble(words(19)), tanh, Math.tanh));
    expectSame(sweep(N, uniform(words(20), -800, 800), expm1, Math.expm1));
    expectSame(sweep(N, logUniform(words(21), -60, 10, true), expm1, Math.expm1));
    expectSame(sweep(N, anyDouble(words(22)), expm1, Math.expm1));
  });

  it("pow: Adam's beta ** iter, positive bases, negative bases with integer exponents, any pair", () => {
    const sweep2 = (n: number, gx: () => number, gy: () => number): [number, number, string] => {
      let diff = 0;
      let first = "";
      for (let i = 0; i < n; i++) {
        const x = gx();
        const y = gy();
        const a = pow(x, y);
        const b = x ** y;
        if (!sameBits(a, b)) {
          diff++;
          if (first === "") first = `${x} ** ${y}: ${a} vs ${b}`;
        }
      }
      return [n, diff, first];
    };
    // Adam: beta1 = 0.9, beta2 = 0.999 and other decays to the power of the step count
    const adam: [number, number, string] = [0, 0, ""];
    for (const beta of [0.9, 0.99, 0.999, 0.9999, 0.95, 0.5]) {
      for (let iter = 1; iter <= 50_000; iter++) {
        adam[0]++;
        if (!sameBits(pow(beta, iter), beta ** iter)) {
          adam[1]++;
          if (adam[2] === "") adam[2] = `${beta} ** ${iter}`;
        }
      }
    }
    expectSame(adam);
    const wy = words(23);
    expectSame(sweep2(N, logUniform(words(24), -1074, 1024, false), uniform(wy, -60, 60)));
    expectSame(sweep2(N, uniform(words(25), 0, 4), uniform(words(26), -400, 400)));
    const intExp = words(27);
    expectSame(sweep2(N, logUniform(words(28), -20, 20, true), () => (intExp() % 201) - 100));
    // |1 - x| tiny with |y| > 2^31: the series branch of e_pow.c
    expectSame(sweep2(N, uniform(words(29), 1 - 2 ** -21, 1 + 2 ** -21), logUniform(words(30), 31, 40, true)));
    expectSame(sweep2(N, anyDouble(words(31)), anyDouble(words(32))));
    expectSame(sweep2(N, anyDouble(words(33)), uniform(words(34), -10, 10)));
  });

  it("edge cases: the values ECMAScript specifies, and the same bits as Math", () => {
    const MIN = Number.MIN_VALUE; // 2^-1074, the smallest subnormal
    const MAXSUB = 2.225073858507201e-308; // the largest subnormal
    const cases1: [string, (x: number) => number, (x: number) => number, number, number][] = [
      ["exp", exp, Math.exp, 0, 1],
      ["exp", exp, Math.exp, -0, 1],
      ["exp", exp, Math.exp, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
      ["exp", exp, Math.exp, Number.NEGATIVE_INFINITY, 0],
      ["exp", exp, Math.exp, Number.NaN, Number.NaN],
      ["exp", exp, Math.exp, 1, Math.E], // V8 returns E exactly here
      ["exp", exp, Math.exp, 709.782712893384, 1.7976931348622732e308], // the overflow threshold
      ["exp", exp, Math.exp, 709.7827128933841, Number.POSITIVE_INFINITY], // one ulp above
      ["exp", exp, Math.exp, -745.1332191019411, 5e-324], // the underflow threshold
      ["exp", exp, Math.exp, -745.1332191019412, 0], // one ulp below
      ["exp", exp, Math.exp, -708.3964185322641, 2.2250738585072626e-308], // the last normal result
      ["exp", exp, Math.exp, MIN, 1],
      ["log", log, Math.log, 0, Number.NEGATIVE_INFINITY],
      ["log", log, Math.log, -0, Number.NEGATIVE_INFINITY],
      ["log", log, Math.log, 1, 0],
      ["log", log, Math.log, -1, Number.NaN],
      ["log", log, Math.log, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
      ["log", log, Math.log, Number.NEGATIVE_INFINITY, Number.NaN],
      ["log", log, Math.log, Number.NaN, Number.NaN],
      ["log", log, Math.log, MIN, -744.4400719213812],
      ["log", log, Math.log, MAXSUB, -708.3964185322641],
      ["log", log, Math.log, Number.MAX_VALUE, 709.782712893384],
      ["log", log, Math.log, Math.E, 1],
      ["sin", sin, Math.sin, 0, 0],
      ["sin", sin, Math.sin, -0, -0],
      ["sin", sin, Math.sin, MIN, MIN],
      ["sin", sin, Math.sin, Number.POSITIVE_INFINITY, Number.NaN],
      ["sin", sin, Math.sin, Number.NaN, Number.NaN],
      ["sin", sin, Math.sin, Math.PI, 1.2246467991473532e-16],
      ["sin", sin, Math.sin, Number.MAX_VALUE, 0.004961954789184062],
      ["cos", cos, Math.cos, 0, 1],
      ["cos", cos, Math.cos, -0, 1],
      ["cos", cos, Math.cos, Number.NEGATIVE_INFINITY, Number.NaN],
      ["cos", cos, Math.cos, Math.PI, -1],
      ["cos", cos, Math.cos, Math.PI / 2, 6.123233995736766e-17],
      ["cos", cos, Math.cos, 1e22, 0.523214785395139], // Payne-Hanek; fdlibm's rounding of 0.52321478539513894...
      ["tanh", tanh, Math.tanh, 0, 0],
      ["tanh", tanh, Math.tanh, -0, -0],
      ["tanh", tanh, Math.tanh, Number.POSITIVE_INFINITY, 1],
      ["tanh", tanh, Math.tanh, Number.NEGATIVE_INFINITY, -1],
      ["tanh", tanh, Math.tanh, Number.NaN, Number.NaN],
      ["tanh", tanh, Math.tanh, 22, 1],
      ["tanh", tanh, Math.tanh, -MIN, -MIN],
      ["expm1", expm1, Math.expm1, -0, -0],
      ["expm1", expm1, Math.expm1, Number.NEGATIVE_INFINITY, -1],
      ["expm1", expm1, Math.expm1, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY],
    ];
    for (const [name, mine, ref, x, want] of cases1) {
      expect({ f: name, x, got: mine(x) }).toEqual({ f: name, x, got: want });
      expect({ f: name, x, same: sameBits(mine(x), ref(x)) }).toEqual({ f: name, x, same: true });
    }

    const INF = Number.POSITIVE_INFINITY;
    // ECMAScript Number::exponentiate, step by step
    const cases2: [number, number, number][] = [
      [Number.NaN, 0, 1], // exponent ±0: 1, even for a NaN base
      [Number.NaN, -0, 1],
      [1, Number.NaN, Number.NaN], // exponent NaN: NaN, even for base 1 (C says 1)
      [Number.NaN, 1, Number.NaN],
      [1, INF, Number.NaN], // abs(base) = 1 and exponent ±Infinity: NaN (C says 1)
      [-1, INF, Number.NaN],
      [1, -INF, Number.NaN],
      [-1, -INF, Number.NaN],
      [2, INF, INF],
      [0.5, INF, 0],
      [2, -INF, 0],
      [0.5, -INF, INF],
      [-0.5, -INF, INF],
      [INF, 2, INF],
      [INF, -2, 0],
      [-INF, 3, -INF], // odd integer exponent keeps the sign
      [-INF, 2, INF],
      [-INF, -3, -0],
      [-INF, -2, 0],
      [0, 3, 0],
      [0, -3, INF], // 0 ** negative
      [-0, 3, -0],
      [-0, 2, 0],
      [-0, -3, -INF],
      [-0, -2, INF],
      [-0, -0.5, INF],
      [-8, 1 / 3, Number.NaN], // a negative base to a non-integer exponent
      [-8, 3, -512], // integer exponents of negative bases
      [-2, 4, 16],
      [-2, -1, -0.5],
      [-3, 53, -1.938324566768002e25], // 3^53 = 19383245667680019896796723, rounded
      [-1, 2 ** 53, 1], // an even integer beyond 2^53
      [2, 0.5, Math.SQRT2],
      [2, 1023, 8.98846567431158e307],
      [2, 1024, INF],
      [2, -1074, MIN],
      [2, -1075, 0],
      [10, -308, 1e-308],
      [0.9, 600, 3.5116050393869883e-28], // Adam's bias correction after 600 steps
      [Number.MAX_VALUE, 2, INF],
    ];
    for (const [x, y, want] of cases2) {
      expect({ x, y, got: pow(x, y) }).toEqual({ x, y, got: want });
      expect({ x, y, same: sameBits(pow(x, y), x ** y) }).toEqual({ x, y, same: true });
    }
    compared += cases1.length + cases2.length;
  });

  it("randn, softmax, sigmoid, tanh, log and pow: the SHA-256 digests libm.browser.ts checks in Chromium", async () => {
    expect(await libmDigests()).toEqual(DIGESTS);
  });

  it(`counts what it compared (at least 10 million inputs)`, () => {
    console.log(`libm: ${compared} inputs compared with Node ${process.versions.node} Math.*, 0 differences`);
    expect(compared).toBeGreaterThan(10_000_000);
  });
});

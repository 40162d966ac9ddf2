import { ValueError } from "./errors.js";
import { cos, log, sin } from "./kernels/libm.js";

/**
 * A seeded random number generator: xoshiro128** (Blackman and Vigna, 2018) on four 32-bit words,
 * seeded by running SplitMix32 over the seed. The generator is 32-bit integer arithmetic
 * (`Math.imul`, shifts), so the same seed gives the same bits on every JavaScript engine,
 * platform and backend, and so do `uniform`, `int`, `choice` and `permutation`.
 *
 * - `uniform()`: a double in [0, 1) built from 53 random bits (two outputs).
 * - `normal()`: standard normal by the Box-Muller transform; each pair of uniforms yields two
 *   normals, the second kept for the next call. Its log, sin and cos are bp's own (kernels/libm.ts,
 *   fdlibm's algorithms in plain arithmetic), not the engine's `Math.*`, which engines compute
 *   differently in the last bit: so normals too are the same bits on every engine.
 * - `int(n)`: an integer in [0, n) by rejection sampling (no modulo bias).
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  /** `seed`: an integer in [0, 2^53); anything else is a ValueError (a fraction is never rounded). */
  constructor(seed = 0) {
    checkSeed("Rng", seed);
    // Fold the seed's low and high 32-bit words into one word.
    let x = (seed >>> 0) ^ (Math.floor(seed / 4294967296) >>> 0);
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const r = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** A double in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A standard normal sample (mean 0, standard deviation 1). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * log(u));
    const theta = 2 * Math.PI * v;
    this.spare = r * sin(theta);
    return r * cos(theta);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) {
      throw new ValueError("Rng.int", `n must be an integer in [1, 2^32], got ${n}`);
    }
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** `size` integers drawn from [0, n) with replacement (NumPy's `random.choice(n, size)`). */
  choice(n: number, size: number): Int32Array {
    const out = new Int32Array(size);
    for (let i = 0; i < size; i++) out[i] = this.int(n);
    return out;
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return out;
  }
}

/** Refuses a seed that is not an integer in [0, 2^53), naming `op`. */
export function checkSeed(op: string, seed: unknown): asserts seed is number {
  if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0) {
    const shown =
      typeof seed === "number"
        ? String(seed)
        : `${typeof seed} ${typeof seed === "string" ? JSON.stringify(seed) : String(seed)}`;
    throw new ValueError(op, `seed must be an integer in [0, 2^53), got ${shown}`);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

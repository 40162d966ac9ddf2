// A fused program compiled to a WebAssembly module of its own (src/wasm/fused-compile.ts) against
// the kernels' interpreter (assembly/fused.ts) and the TypeScript kernel (fusedImpl), bit for bit:
// programs traced by `fused` with every instruction kind (each binary op with a value and with a
// constant, each unary op), constants, outputs written into inputs, outputs that are inputs
// unchanged or returned twice, long chains; float64 and float32; every length up to 40 and around
// the blocks (the vector loop's tail), arrays at offsets that are not whole vectors, a range that
// starts inside the arrays (a thread's part of a split); NaN, ±Infinity, ±0 and subnormal lanes;
// over a plain memory and over a shared one (the worker backend's threads).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FusedProgram, type FusedValue, type TypedArray, cpu, fused, tensor } from "../src/index.js";
import { fusedImpl } from "../src/kernels/fused.js";
import { compiledFused, fusedModuleBytes } from "../src/wasm/fused-compile.js";
import { fusedScratchBytes, runFused } from "../src/wasm/fused-table.js";
import { type KernelExports, instantiateKernels, kernelsModuleSync } from "../src/wasm/module.js";
import { firstBitDifference, programOfCall } from "./fused-cases.js";

type Fn = (...v: FusedValue[]) => FusedValue | FusedValue[] | undefined;

/** The program `fused` makes for `f` over `inputs` inputs. */
function programOf(f: Fn, inputs: number): FusedProgram {
  return programOfCall(() => {
    const xs = Array.from({ length: inputs }, () => tensor([1, 2, 3]));
    (fused as (f: Fn, ...x: unknown[]) => unknown)(f, ...xs);
  });
}

const B1 = 0.9;
const B2 = 0.999;
/** Programs with every instruction kind: [name, function, number of inputs]. */
const PROGRAMS: [string, Fn, number][] = [
  [
    "Adam (Adam.update's program: three outputs, one written into an input)",
    (p, g, m0, v0) => {
      const m = m0!.add(g!.sub(m0!).mul(1 - B1));
      const v = v0!.add(
        g!
          .square()
          .sub(v0!)
          .mul(1 - B2),
      );
      p!.assign(p!.sub(m.mul(0.00123).div(v.sqrt().add(1e-7))));
      return [m, v];
    },
    4,
  ],
  [
    "AdaGrad (two outputs written into inputs; six instructions, two passes per turn of the loop)",
    (p, g, h) => {
      h!.assign(h!.add(g!.mul(g!)));
      p!.assign(p!.sub(g!.mul(0.01).div(h!.sqrt().add(1e-7))));
      return undefined;
    },
    3,
  ],
  [
    "every unary op in a chain",
    (x, y) => x!.neg().abs().relu().add(x!.step()).mul(x!.sign()).sub(x!.reciprocal()).div(y!).square().sqrt(),
    2,
  ],
  ...(["neg", "abs", "square", "sqrt", "reciprocal", "relu", "step", "sign"] as const).map(
    (op): [string, Fn, number] => [op, (x) => x![op](), 1],
  ),
  ...(["add", "sub", "mul", "div"] as const).flatMap((op): [string, Fn, number][] => [
    [`${op} of two values`, (x, y) => x![op](y!), 2],
    [`${op} with a constant (0.1, which float32 rounds)`, (x) => x![op](0.1), 1],
    [`${op} of a value with itself`, (x) => x![op](x!), 1],
  ]),
  ["no instruction: inputs returned as they are", (x, y) => [y!, x!], 2],
  ["an input returned unchanged, a value returned twice", (x) => [x!, x!.neg(), x!.neg()], 1],
  [
    "assign of an input into another, and of a value into the input it reads",
    (x, y) => {
      y!.assign(x!);
      x!.assign(x!.mul(-3).add(y!));
      return undefined;
    },
    2,
  ],
  [
    "a long chain (registers reused, a value read many ops later)",
    (a, b) => {
      const s = a!.add(b!);
      let t = s;
      for (let i = 0; i < 8; i++) t = t.mul(t).sub(a!).div(s.add(i));
      return t.add(s.mul(s));
    },
    2,
  ],
  [
    "a program of 250 instructions and 126 constants (near the longest that is compiled)",
    (x, y) => {
      let t = x!;
      for (let i = 0; i < 125; i++) t = (i % 2 === 0 ? t.mul(1 + i / 1000) : t.div(y!)).add(i - 60.5);
      return t;
    },
    2,
  ],
];

const SPECIALS = [Number.NaN, Infinity, -Infinity, 0, -0, 5e-324, -1e-310, 1e-40, 3.5e38, 1e300, -1, 1];

/** n values from `seed`: spread over many magnitudes, every third a special value; with `payloads`,
 * two of them NaNs with a sign and a payload. */
function fill(a: TypedArray, seed: number, payloads: boolean): void {
  let s = seed * 7919 + 1;
  for (let i = 0; i < a.length; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    a[i] = i % 3 === 0 ? SPECIALS[(i / 3 + seed) % SPECIALS.length]! : ((s / 2147483648) * 8 - 4) * 10 ** ((s % 7) - 3);
  }
  // Which NaN an operation on NaNs gives is the hardware's choice (JavaScript's arithmetic may give
  // another than wasm's): the compiled module must give the interpreter's, which runs the same
  // instructions, on every lane and in the tail.
  if (payloads) {
    for (const i of [1, a.length - 1]) {
      if (a instanceof Float32Array) new Uint32Array(a.buffer, a.byteOffset + 4 * i, 1)[0] = 0xffc01234 + i;
      else new Uint32Array(a.buffer, a.byteOffset + 8 * i, 2).set([0x1234 + i, 0xfff80000]);
    }
  }
}

/** A memory with the kernels over it, and a bump allocator of arrays in it. */
class Heap {
  readonly memory: WebAssembly.Memory;
  readonly kernels: KernelExports;
  #top = 1024;
  constructor(shared: boolean) {
    this.memory = new WebAssembly.Memory(
      shared ? { initial: 128, maximum: 256, shared: true } : { initial: 128, maximum: 256 },
    );
    this.kernels = instantiateKernels(kernelsModuleSync(shared), this.memory);
  }
  /** n elements at an address that is `skew` elements past a whole vector. */
  array(f32: boolean, n: number, skew: number): TypedArray {
    const size = f32 ? 4 : 8;
    const at = this.#top + skew * size;
    this.#top = Math.ceil((at + n * size + 16) / 64) * 64;
    return f32 ? new Float32Array(this.memory.buffer, at, n) : new Float64Array(this.memory.buffer, at, n);
  }
  reset(): void {
    this.#top = 1024;
  }
  scratch(bytes: number): number {
    const at = this.#top;
    this.#top += Math.ceil(bytes / 64) * 64;
    return at;
  }
}

/** Runs `p` by `how` over [start, end) of fresh arrays (inputs filled from seeds, outputs of NaN
 * bits that a kernel must overwrite); returns the outputs and the inputs after the run. */
function run(
  heap: Heap,
  p: FusedProgram,
  f32: boolean,
  n: number,
  skew: number,
  ranges: [number, number][],
  how: "compiled" | "interpreter" | "typescript",
  payloads = false,
): TypedArray[] {
  heap.reset();
  const xs = Array.from({ length: p.inputs }, (_, j) => {
    const x = heap.array(f32, n, skew);
    fill(x, j + 1, payloads);
    return x;
  });
  const outs: TypedArray[] = [];
  for (let k = 0; k < p.outputs.length; k += 2) {
    const into = p.outputs[k + 1]!;
    const out = into >= 0 ? xs[into]! : heap.array(f32, n, skew);
    if (into < 0) out.fill(Number.NaN);
    outs.push(out);
  }
  const scratch = heap.scratch(fusedScratchBytes(p, f32));
  for (const [start, end] of ranges) {
    if (how === "typescript") fusedImpl(p, xs, outs, start, end);
    else if (how === "interpreter") {
      // runFused with kernels that export no memory (no module can import it): the interpreter.
      runFused(p, xs, outs, start, end, { ...heap.kernels, memory: undefined } as KernelExports, scratch);
    } else {
      // runFused with kernels whose interpreter throws: it must take the compiled module.
      const noInterpreter = {
        ...heap.kernels,
        fused: () => {
          throw new Error("the interpreter ran");
        },
      };
      runFused(p, xs, outs, start, end, noInterpreter, scratch);
    }
  }
  return [...outs, ...xs].map((a) => a.slice());
}

/** Every array of `got` has the bits of `want`'s. */
function same(got: TypedArray[], want: TypedArray[], what: string): void {
  got.forEach((a, k) => {
    const i = firstBitDifference(a, want[k]!);
    expect(i === -1 ? "identical" : `differs at ${i}: ${a[i]} against ${want[k]![i]}`, `${what}, array ${k}`).toBe(
      "identical",
    );
  });
}

const LENGTHS = [...Array.from({ length: 40 }, (_, i) => i + 1), 255, 256, 257, 511, 512, 513, 1023, 1025, 4099];

describe("fused programs compiled to wasm give the bits of the interpreter and the TypeScript kernel", () => {
  let heaps: [string, Heap][];
  beforeAll(() => {
    heaps = [
      ["plain memory", new Heap(false)],
      ["shared memory", new Heap(true)],
    ];
  });
  afterAll(() => {
    heaps = [];
  });

  for (const [name, f, inputs] of PROGRAMS) {
    it(name, () => {
      const p = programOf(f, inputs);
      for (const [where, heap] of heaps) {
        for (const f32 of [false, true]) {
          const what = `${name}, ${f32 ? "float32" : "float64"}, ${where}`;
          expect(compiledFused(p, heap.memory, f32), `${what}: compiles`).not.toBeNull();
          for (const n of LENGTHS) {
            for (const skew of n === 4099 ? [0, 1, 3] : [n % 4]) {
              const ranges: [number, number][] = [[0, n]];
              const want = run(heap, p, f32, n, skew, ranges, "typescript");
              const interpreted = run(heap, p, f32, n, skew, ranges, "interpreter");
              // The compiled module over the whole range, and over three parts (a split's threads).
              const third = Math.floor(n / 3);
              const parts: [number, number][] = [
                [0, third],
                [third, n - 1],
                [n - 1, n],
              ];
              for (const [label, got] of [
                ["interpreter", interpreted],
                ["compiled", run(heap, p, f32, n, skew, ranges, "compiled")],
                ["compiled in parts", run(heap, p, f32, n, skew, parts, "compiled")],
              ] as const) {
                same(got, want, `${what} n=${n} skew=${skew} ${label}`);
              }
              same(
                run(heap, p, f32, n, skew, parts, "compiled", true),
                run(heap, p, f32, n, skew, ranges, "interpreter", true),
                `${what} n=${n} skew=${skew} NaNs with payloads, compiled against the interpreter`,
              );
            }
          }
        }
      }
    });
  }

  it("a program too long for a small module runs on the interpreter (compiledFused gives null)", () => {
    const p = programOf((x) => {
      let t = x!;
      for (let i = 0; i < 130; i++) t = t.mul(1.0001).add(i);
      return t;
    }, 1);
    expect(p.code.length / 4).toBe(260);
    const heap = heaps[0]![1];
    expect(fusedModuleBytes(p, true, false)).toBeNull();
    expect(compiledFused(p, heap.memory, true)).toBeNull();
    const x = tensor(
      Array.from({ length: 300 }, (_, i) => i / 7 - 20),
      { backend: cpu },
    );
    let want = x;
    for (let i = 0; i < 130; i++) want = want.mul(1.0001).add(i);
    heap.reset();
    const xs = [heap.array(false, 300, 0)];
    xs[0]!.set(x.data);
    const outs = [heap.array(false, 300, 0)];
    runFused(p, xs, outs, 0, 300, heap.kernels, heap.scratch(fusedScratchBytes(p, false)));
    expect(firstBitDifference(outs[0]!, want.data)).toBe(-1);
  });

  it("modules are small: Adam's is under 1 KB (a browser's main thread compiles up to 4 KB synchronously)", () => {
    const p = programOf(PROGRAMS[0]![1], 4);
    for (const f32 of [false, true]) {
      const bytes = fusedModuleBytes(p, f32, false)!;
      expect(bytes.length).toBeLessThan(1024);
      expect(WebAssembly.validate(bytes)).toBe(true);
    }
  });
});

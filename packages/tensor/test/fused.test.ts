// `fused`: an element-wise function traced once and run block by block gives the bits of the same
// Tensor ops run one by one, on cpu, wasm and worker (every op split between three threads, and the
// default policy; fused-typescript.test.ts: the worker's TypeScript kernels), float64 and float32,
// for every length around the blocks (wasm: 256 float64 / 512 float32, TypeScript: 1024) and the
// SIMD widths (2 and 4), with NaN, ±Infinity, ±0 and subnormals among the inputs; and its errors
// name what was wrong.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Backend,
  BackendError,
  DTypeError,
  type FusedValue,
  ShapeError,
  Tensor,
  ValueError,
  cpu,
  fused,
  fusedFunction,
  tensor,
} from "../src/index.js";
import { OPS } from "../src/ops.js";
import { LENGTHS, checkAdam, checkEachOp, expectSameBits, values } from "./fused-cases.js";
import { type WasmBackend, createWasmBackend } from "../src/wasm/index.js";
import { type WorkerBackend, createWorkerBackend } from "../src/worker/node.js";
import { splitEveryOp } from "../src/worker/internals.js";

let wasm: WasmBackend;
let split: WorkerBackend;
let worker: WorkerBackend;

beforeAll(async () => {
  wasm = await createWasmBackend({ residentBytes: 64 * 1024 * 1024 });
  split = await createWorkerBackend({ threads: 3 }).then(splitEveryOp);
  worker = await createWorkerBackend({ threads: 2 });
});

afterAll(() => {
  for (const b of [wasm, split, worker]) b.dispose();
});

const backends = (): [string, Backend][] => [
  ["cpu", cpu],
  ["wasm", wasm],
  ["worker (every op split, 3 threads)", split],
  ["worker (default policy)", worker],
];

describe("fused gives the bits of the ops run one by one", () => {
  it("runs the wasm kernel on the wasm backend and in every thread of a split", () => {
    const kernel = OPS.fused.wasm!;
    const run = kernel.run;
    let calls = 0;
    kernel.run = (...args) => {
      calls++;
      run(...args);
    };
    try {
      for (const backend of [wasm, split]) {
        const before = calls;
        checkAdam(backend, "float64", 4099, backend.name);
        expect(calls, backend.name).toBeGreaterThan(before);
      }
    } finally {
      kernel.run = run;
    }
  });

  for (const dtype of ["float64", "float32"] as const) {
    it(`Adam and every unary op, ${dtype}, on every backend, lengths 1-20 and around the blocks`, () => {
      for (const [name, backend] of backends()) {
        for (const n of LENGTHS) checkAdam(backend, dtype, n, `${name} ${dtype} n=${n}`);
      }
    });

    it(`every remainder of two blocks of the wasm and TypeScript kernels, ${dtype}`, () => {
      const block = dtype === "float64" ? 256 : 512;
      for (const [name, backend] of [
        ["cpu", cpu],
        ["wasm", wasm],
      ] as const) {
        for (let n = 2 * block; n < 3 * block; n++) checkAdam(backend, dtype, n, `${name} ${dtype} n=${n}`);
        for (let n = 2048; n < 2048 + 8; n++) checkAdam(backend, dtype, n, `${name} ${dtype} n=${n}`);
      }
    });
  }

  it("each op alone, with values and numbers (float32 numbers rounded as Tensor's scalars)", () => {
    for (const dtype of ["float64", "float32"] as const) {
      for (const [name, backend] of backends()) {
        checkEachOp(backend, dtype, name);
      }
    }
  });

  it("long chains reuse registers: a value read many ops later and a value read twice by one op", () => {
    for (const [name, backend] of backends()) {
      const x = values(3000, 9, "float64", backend);
      const y = values(3000, 10, "float64", backend);
      const ops = (a: Tensor, b: Tensor): Tensor => {
        const s = a.add(b);
        let t = s;
        for (let i = 0; i < 10; i++) t = t.mul(t).sub(a).div(s.add(i));
        return t.add(s.mul(s));
      };
      const traced = (a: FusedValue, b: FusedValue): FusedValue => {
        const s = a.add(b);
        let t = s;
        for (let i = 0; i < 10; i++) t = t.mul(t).sub(a).div(s.add(i));
        return t.add(s.mul(s));
      };
      expectSameBits(fused(traced, x, y), ops(x, y), name);
    }
  });

  it("an output that is an input unchanged is a copy; a value returned twice gives two tensors", () => {
    const x = tensor([1, 2, 3]);
    const [a, b, c] = fused((v) => [v, v.neg(), v.neg()], x);
    expect(Array.from(a.data)).toEqual([1, 2, 3]);
    expect(a.data).not.toBe(x.data);
    expect(Array.from(b.data)).toEqual([-1, -2, -3]);
    expect(c.data).not.toBe(b.data);
  });

  it("assign: in place, later uses of the input see the assigned value, nothing returned", () => {
    // p = [1, 2]: p.assign(p * 2) = [2, 4]; then p + 1 = [3, 5] (the assigned values).
    const p = tensor([1, 2]);
    const storage = p.data;
    const r = fused((p) => {
      p.assign(p.mul(2));
      return p.add(1);
    }, p);
    expect(Array.from(r.data)).toEqual([3, 5]);
    expect(p.data).toBe(storage);
    expect(Array.from(p.data)).toEqual([2, 4]);
    const q = tensor([5, 6]);
    const none: undefined = fused((q, g) => void q.assign(q.sub(g)), q, tensor([1, 1]));
    expect(none).toBeUndefined();
    expect(Array.from(q.data)).toEqual([4, 5]);
  });

  it("returns tensors the caller owns: disposing them recycles their storage", async () => {
    const backend = await createWasmBackend({ residentBytes: 16 * 1024 * 1024 });
    const x = values(4096, 11, "float64", backend);
    const y = fused((a) => a.mul(2), x);
    const at = y.data.byteOffset;
    y.dispose();
    const z = fused((a) => a.mul(3), x);
    expect(z.data.byteOffset).toBe(at);
    expect(backend.isResident(z.data)).toBe(true);
    backend.dispose();
  });

  it("reads inputs over foreign storage (not resident) with the TypeScript kernel, same bits", () => {
    for (const backend of [wasm, split]) {
      const data = values(5000, 12, "float64", cpu).data as Float64Array;
      const x = new Tensor(Float64Array.from(data), [5000], "float64", backend);
      const y = values(5000, 13, "float64", backend);
      expectSameBits(
        fused((a, b) => a.mul(b).add(a), x, y),
        new Tensor(data, [5000]).mul(values(5000, 13, "float64", cpu)).add(new Tensor(data, [5000])),
        backend.name,
      );
    }
  });
});

describe("fused refuses bad input with typed errors", () => {
  const x = tensor([1, 2, 3]);

  it("inputs", () => {
    expect(() => fused(42 as never, x)).toThrow(new ValueError("fused", "expected a function first, got number 42"));
    const noInputs = fused as (f: unknown) => unknown;
    expect(() => noInputs((a: FusedValue) => a)).toThrow(ValueError);
    expect(() => noInputs((a: FusedValue) => a)).toThrow("fused: needs at least one input tensor after the function");
    expect(() => fused((a) => a, [1, 2] as never)).toThrow(/fused: input 0 must be a Tensor, got/);
    const gone = tensor([1, 2, 3]);
    gone.dispose();
    expect(() => fused((a, b) => a.add(b), x, gone)).toThrow("fused: input 1 (float64 [3]) was disposed");
    expect(() => fused((a, b) => a.add(b), x, tensor([1, 2]))).toThrow(ShapeError);
    expect(() => fused((a, b) => a.add(b), x, tensor([[1, 2, 3]]))).toThrow(
      "fused: input 1 has shape [1, 3], input 0 [3]; inputs must have one shape (no broadcasting)",
    );
    expect(() => fused((a, b) => a.add(b), x, tensor([1, 2, 3], { dtype: "float32" }))).toThrow(
      new DTypeError("fused", "input 1 has dtype float32, input 0 float64; convert one with .cast(dtype)"),
    );
    expect(() => fused((a) => a.neg(), tensor([1, 2], { dtype: "int32" }))).toThrow(
      new DTypeError("fused", "needs float32 or float64 tensors, got int32 [2] (input 0)"),
    );
    expect(() => fused((a, b) => a.add(b), x, tensor([1, 2, 3], { backend: wasm }))).toThrow(
      new BackendError("fused", "input 1 lives on backend 'wasm', input 0 on 'cpu'; move one with .to(backend)"),
    );
  });

  it("what the function does", () => {
    expect(() => fused((a) => (a as unknown as Tensor).exp() as unknown as FusedValue, x)).toThrow(
      /^fused: exp is not supported inside a fused function; its values take add, sub, mul, div, neg/,
    );
    expect(() => fused((a) => (a as unknown as Tensor).matmul(x) as unknown as FusedValue, x)).toThrow(ValueError);
    expect(() => fused((a) => (a as unknown as Tensor).data as never, x) as unknown).toThrow(
      "fused: data cannot be read inside a fused function: its values are not computed yet",
    );
    expect(() => fused((a) => a.add(x as never), x)).toThrow(
      /^fused: add's operand must be a value of the fused function or a number, got .*\(pass a tensor to fused as an input to use it\)$/,
    );
    expect(() => fused((a) => a.mul("2" as never), x)).toThrow(ValueError);
    expect(() => fused(() => 3 as never, x)).toThrow(
      "fused: the function must return a value of it, a list of them or nothing, got number 3",
    );
    expect(() => fused(() => [x] as never, x)).toThrow(/^fused: the function returned .* at position 0/);
    expect(() => fused(() => undefined, x)).toThrow(
      "fused: the function returned no value and assigned none: there is nothing to compute",
    );
    expect(() => fused((a) => a.neg().assign(a), x)).toThrow(
      "fused: assign() writes into an input of the fused function; this value is computed inside it",
    );
    expect(() => fused((a) => a.assign(1 as never), x)).toThrow(ValueError);
    let kept: FusedValue | null = null;
    fused((a) => {
      kept = a;
      return a.neg();
    }, x);
    expect(() => kept!.neg()).toThrow(
      "fused: neg() on a value of a fused function that has returned (values live only while it runs)",
    );
    let other: FusedValue | null = null;
    expect(() =>
      fused((a) => {
        fused((b) => {
          other = b;
          return b.neg();
        }, x);
        return a.add(other!);
      }, x),
    ).toThrow("fused: add: a value of another fused function");
    const boom = new Error("boom");
    expect(() =>
      fused(() => {
        throw boom;
      }, x),
    ).toThrow(boom);
  });

  it("assign into storage that another input reads at another offset", () => {
    const base = new Float64Array(4);
    const p = new Tensor(base.subarray(0, 3), [3]);
    const shifted = new Tensor(base.subarray(1, 4), [3]);
    expect(() => fused((p, s) => void p.assign(s), p, shifted)).toThrow(
      "fused: input 1 overlaps the storage of input 0, which assign writes, at another offset",
    );
    expect(() =>
      fused(
        (a, b) => {
          a.assign(b.neg());
          b.assign(a.neg());
        },
        p,
        p.reshape([3]),
      ),
    ).toThrow("fused: inputs 1 and 0 share storage and both are assigned");
  });
});

describe("fused programs are compiled once per structure (src/fused.ts, programOf)", () => {
  // Each case is run after the others, so that a program cached for another function, other
  // constants or another dtype would be reused if the cache's key missed a difference.
  const cases: [string, (x: FusedValue, y: FusedValue) => FusedValue, (x: Tensor, y: Tensor) => Tensor][] = [];
  for (const c of [0.5, 3, 0.5, -0]) {
    // The same closure source with new constants each time (an optimizer's step size).
    cases.push([`x * ${c} + y`, (x, y) => x.mul(c).add(y), (x, y) => x.mul(c).add(y)]);
  }
  cases.push(
    ["x * 2 + y, one constant twice", (x, y) => x.mul(2).add(y.mul(2)), (x, y) => x.mul(2).add(y.mul(2))],
    ["x * 2 + y * 3, two constants", (x, y) => x.mul(2).add(y.mul(3)), (x, y) => x.mul(2).add(y.mul(3))],
    ["x - y (the other op, same shape of trace)", (x, y) => x.sub(y), (x, y) => x.sub(y)],
    ["x + y", (x, y) => x.add(y), (x, y) => x.add(y)],
    ["y + x (operands swapped)", (x, y) => y.add(x), (x, y) => y.add(x)],
    ["sqrt(x) + y", (x, y) => x.sqrt().add(y), (x, y) => x.sqrt().add(y)],
  );

  for (const dtype of ["float64", "float32", "float64"] as const) {
    it(`every case gives the ops' bits after the others ran (${dtype})`, () => {
      for (const [name, backend] of backends()) {
        for (const [what, f, ops] of cases) {
          const x = values(1000, 11, dtype, backend, true);
          const y = values(1000, 12, dtype, backend);
          expectSameBits(fused(f, x, y), ops(x, y), `${name} ${dtype} ${what}`);
        }
      }
    });
  }

  it("assigns into the right input when only the assign differs", () => {
    for (const target of [0, 1, 0]) {
      const x = values(600, 13, "float64", wasm);
      const y = values(600, 14, "float64", wasm);
      const expectedX = target === 0 ? x.add(y) : x.clone();
      const expectedY = target === 1 ? x.add(y) : y.clone();
      fused(
        (a, b) => {
          (target === 0 ? a : b).assign(a.add(b));
        },
        x,
        y,
      );
      expectSameBits(x, expectedX, `target ${target}: x`);
      expectSameBits(y, expectedY, `target ${target}: y`);
    }
  });
});

describe("fusedFunction traces its function once and runs that program on every call", () => {
  it("an Adam step on parameters of three lengths: one trace, the bits of the ops one by one", () => {
    for (const dtype of ["float64", "float32"] as const) {
      for (const [name, backend] of backends()) {
        let traces = 0;
        const step = fusedFunction((p: FusedValue, g: FusedValue, m: FusedValue, v: FusedValue) => {
          traces++;
          m.assign(m.add(g.sub(m).mul(0.1)));
          v.assign(v.add(g.square().sub(v).mul(0.001)));
          p.assign(p.sub(m.mul(0.01).div(v.sqrt().add(1e-7))));
        });
        for (const n of [4099, 10, 600]) {
          const what = `${name} ${dtype} n=${n}`;
          const [p, g, m, v] = [1, 2, 3, 4].map((seed) => values(n, seed, dtype, backend, seed === 4));
          const m1 = m!.add(g!.sub(m!).mul(0.1));
          const v1 = v!.add(g!.square().sub(v!).mul(0.001));
          const p1 = p!.sub(m1.mul(0.01).div(v1.sqrt().add(1e-7)));
          expect(step(p!, g!, m!, v!), what).toBeUndefined();
          expectSameBits(m!, m1, `${what}: m`);
          expectSameBits(v!, v1, `${what}: v`);
          expectSameBits(p!, p1, `${what}: p`);
          for (const t of [p, g, m, v, m1, v1, p1]) t!.dispose();
        }
        expect(traces, `${name} ${dtype}`).toBe(1);
      }
    }
  });

  it("returns what the function returns, in each call's shape", () => {
    const double = fusedFunction((x: FusedValue) => x.mul(2));
    expect(double(tensor([1, 2, 3])).toArray()).toEqual([2, 4, 6]);
    expect(double(tensor([[0.5], [-1]])).toArray()).toEqual([[1], [-2]]);
    const both = fusedFunction((x: FusedValue, y: FusedValue) => [x.add(y), x.sub(y)]);
    expect(both(tensor([5, 1]), tensor([2, 3])).map((t) => t.toArray())).toEqual([
      [7, 4],
      [3, -2],
    ]);
  });

  it("refuses what fused refuses, and a call with another number of inputs than the first", () => {
    expect(() => fusedFunction(42 as never)).toThrow(
      new ValueError("fusedFunction", "expected a function, got number 42"),
    );
    const add = fusedFunction((x: FusedValue, y: FusedValue) => x.add(y));
    expect(() => add(tensor([1, 2, 3]), tensor([1, 2]))).toThrow(
      "fused: input 1 has shape [2], input 0 [3]; inputs must have one shape (no broadcasting)",
    );
    expect(add(tensor([1]), tensor([2])).toArray()).toEqual([3]);
    const addOne = add as unknown as (...inputs: Tensor[]) => Tensor;
    expect(() => addOne(tensor([1]))).toThrow(
      new ValueError("fused", "the function was traced with 2 inputs and is given 1"),
    );
    const bad = fusedFunction((x: FusedValue) => (x as unknown as Tensor).exp() as unknown as FusedValue);
    expect(() => bad(tensor([1]))).toThrow(/fused: exp is not supported inside a fused function/);
  });
});

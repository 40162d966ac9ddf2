// The wasm backend's resident tensors (storage in the module's memory, src/wasm/heap.ts): every op
// with a resident path gives the cpu backend's bits whether its operands live in the module's
// memory or in ordinary memory, and whether its result finds room in the heap or falls back to
// ordinary memory (a 16 MiB heap, filled on purpose); no block is handed out while a tensor still
// holds it; a disposed result's block is handed out again, zero-filled by alloc; the options.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Tensor,
  ValueError,
  bytesPerElement,
  cpu,
  type DType,
  type FloatDType,
  type TypedArray,
} from "../src/index.js";
import { createWasmBackend, type WasmBackend } from "../src/wasm/index.js";
import { collectGarbage } from "./collect-garbage.js";
import { sampleValues } from "./reference/float64.js";

const MiB = 1024 * 1024;
/** Storage of at least this many bytes goes into the heap (RESIDENT_MIN_BYTES in backend.ts). */
const RESIDENT_MIN = 1024;
const DTYPES: FloatDType[] = ["float64", "float32"];

interface Spec {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly values: readonly number[];
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function arrayOf(dtype: DType, values: readonly number[]): TypedArray {
  if (dtype === "float64") return Float64Array.from(values);
  if (dtype === "float32") return Float32Array.from(values);
  return Int32Array.from(values);
}

/** Values in [-1, 1) from `seed`, with a zero, a -0 and (when `special`) NaN, +Infinity and
 * -Infinity at fixed places, and exact zeros at every 5th place when `zeros`. */
function spec(
  shape: readonly number[],
  dtype: DType,
  seed: number,
  extra: { special?: boolean; zeros?: boolean } = {},
): Spec {
  const n = sizeOf(shape);
  const values = sampleValues(n, seed).map((v, i) => (extra.zeros && i % 5 === 0 ? 0 : v));
  if (n > 2) [values[1], values[2]] = [0, -0];
  if (extra.special && n > 10) [values[n - 1], values[n >> 1], values[7]] = [Number.NaN, Infinity, -Infinity];
  return { shape, dtype, values };
}

function bytesOf(t: Tensor): Uint8Array {
  return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}

/** The first byte where a and b differ, or -1. */
function firstByteDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

let wasm: WasmBackend;

beforeAll(async () => {
  wasm = await createWasmBackend({ residentBytes: 16 * MiB });
});

afterAll(() => {
  wasm.dispose();
});

/** The spec's values as a tensor on `wasm`: resident (storage from `alloc`, in the heap when it has
 * at least RESIDENT_MIN bytes) or in ordinary memory (an array given to the constructor). */
function onWasm(s: Spec, resident: boolean): Tensor {
  const n = sizeOf(s.shape);
  let data: TypedArray;
  if (resident) {
    data = wasm.alloc(s.dtype, n);
    data.set(s.values);
  } else data = arrayOf(s.dtype, s.values);
  expect(wasm.isResident(data)).toBe(resident && n * bytesPerElement(s.dtype) >= RESIDENT_MIN);
  return new Tensor(data, s.shape, s.dtype, wasm);
}

/** Takes every block of the heap (1 MiB, then 8 KiB, then 1 KiB ones), so that every later
 * request of RESIDENT_MIN bytes or more finds no room; `release` gives them back. */
function fillHeap(): { release: () => void } {
  const held: TypedArray[] = [];
  for (const elements of [MiB / 8, 1024, 128]) {
    for (;;) {
      const d = wasm.alloc("float64", elements);
      if (!wasm.isResident(d)) {
        wasm.release("float64", d);
        break;
      }
      held.push(d);
    }
  }
  expect(held.length).toBeGreaterThan(10);
  return {
    release: () => {
      for (const d of held) wasm.release("float64", d);
    },
  };
}

/** Which operands are resident: all, none, and for two or more operands each alternation. */
function residencies(count: number): boolean[][] {
  const all = Array.from({ length: count }, () => true);
  const none = all.map(() => false);
  if (count < 2) return [all, none];
  return [all, none, all.map((_, i) => i % 2 === 0), all.map((_, i) => i % 2 === 1)];
}

/**
 * `op` on the specs' values on cpu, and on wasm for every mix of resident and ordinary operands,
 * with the result in the heap and (the heap filled) in ordinary memory: the same shape, dtype and
 * bytes every time, and the result resident exactly when it could be.
 */
function check(label: string, specs: Spec[], op: (...t: Tensor[]) => Tensor): void {
  const expected = op(...specs.map((s) => new Tensor(arrayOf(s.dtype, s.values), s.shape, s.dtype, cpu)));
  const liveBefore = wasm.heap!.stats.liveBytes;
  for (const residentResult of [true, false]) {
    for (const residency of residencies(specs.length)) {
      const inputs = specs.map((s, i) => onWasm(s, residency[i]!));
      const filled = residentResult ? null : fillHeap();
      const what = `${label}: operands ${residency.map((r) => (r ? "resident" : "ordinary")).join("/")}, result ${residentResult ? "resident" : "ordinary"}`;
      try {
        const out = op(...inputs);
        expect(out.shape, what).toEqual(expected.shape);
        expect(out.dtype, what).toBe(expected.dtype);
        const bytes = out.size * bytesPerElement(out.dtype);
        expect(wasm.isResident(out.data), what).toBe(residentResult && bytes >= RESIDENT_MIN);
        expect(firstByteDifference(bytesOf(out), bytesOf(expected)), what).toBe(-1);
        out.dispose();
      } finally {
        filled?.release();
      }
      // The operands' storage was given to the constructor: this test gives it back itself.
      for (const t of inputs) if (wasm.isResident(t.data)) wasm.release(t.dtype, t.data);
    }
  }
  expect(wasm.heap!.stats.liveBytes, `${label}: nothing left behind`).toBe(liveBefore);
}

const BINARY = ["add", "sub", "mul", "div"] as const;
const UNARY = ["neg", "abs", "square", "sqrt", "reciprocal", "relu", "step", "sign"] as const;

describe("wasm resident tensors give cpu's bits for every mix of resident and ordinary memory", () => {
  it("the heap is the one asked for, above the staging arena", () => {
    expect(wasm.heap).not.toBeNull();
    expect(wasm.heap!.capacity).toBe(16 * MiB);
  });

  for (const dtype of DTYPES) {
    it(`binary ops: whole, a scalar on either side, a row bias (${dtype})`, () => {
      const a = spec([20, 30], dtype, 1, { special: true });
      const b = spec([20, 30], dtype, 2, { special: true });
      for (const op of BINARY) {
        check(`${op} whole`, [a, b], (x, y) => x.binary(op, y!));
        check(`${op} scalar`, [a], (x) => x.binary(op, 2.5));
        check(`scalar ${op}`, [spec([], dtype, 3), a], (s, x) => s!.binary(op, x!));
        // A row of 130 values (1040 bytes float64: resident) and of 30 (never resident).
        check(`${op} row 130`, [spec([20, 130], dtype, 4), spec([130], dtype, 5)], (x, r) => x!.binary(op, r!));
        check(`${op} row [1, 30]`, [a, spec([1, 30], dtype, 6)], (x, r) => x!.binary(op, r!));
      }
    });

    it(`unary ops (${dtype})`, () => {
      const a = spec([20, 30], dtype, 7, { special: true });
      for (const op of UNARY) check(op, [a], (x) => x.unary(op));
    });

    it(`sizes around the 1 KiB heap floor and the 256-element wasm floor (${dtype})`, () => {
      // float64: 127 values = 1016 bytes (ordinary), 128 = 1024 (resident, TypeScript kernel);
      // float32: 255 = 1020 bytes, 256 = 1024 (the first wasm size), 257.
      for (const n of [127, 128, 255, 256, 257, 1031]) {
        const a = spec([n], dtype, 8, { special: true });
        const b = spec([n], dtype, 9);
        check(`add [${n}]`, [a, b], (x, y) => x.add(y!));
        check(`relu [${n}]`, [a], (x) => x.relu());
        check(`mul scalar [${n}]`, [a], (x) => x.mul(-3));
      }
    });

    it(`where with whole and single-value operands (${dtype})`, () => {
      const cond = { ...spec([20, 30], dtype, 10), values: sampleValues(600, 10).map((v) => (v > 0 ? 1 : 0)) };
      const a = spec([20, 30], dtype, 11, { special: true });
      const b = spec([20, 30], dtype, 12);
      check("where whole", [a, cond, b], (x, c, y) => x.where(c!, y!));
      check("where scalar", [a, cond], (x, c) => x.where(c!, 0));
    });

    it(`sum along axis 0 and 1 (not last), max/min/argmax along the last axis (${dtype})`, () => {
      check("sum axis 0 [12, 200]", [spec([12, 200], dtype, 13, { special: true })], (x) => x.sum(0));
      check("sum axis 0 [600, 2]", [spec([600, 2], dtype, 14)], (x) => x.sum(0));
      check("sum axis 1 [3, 40, 50]", [spec([3, 40, 50], dtype, 15)], (x) => x.sum(1));
      // 300 rows of 9: 300 results (2400 / 1200 bytes), one row with NaN, -0 against 0.
      const rows = spec([300, 9], dtype, 16, { special: true });
      check("max axis 1", [rows], (x) => x.max(1));
      check("min axis 1", [rows], (x) => x.min(1));
      check("argmax axis 1", [rows], (x) => x.argmax(1));
    });

    it(`matmul, all four transposes, zeros in A and NaN / Infinity in B (${dtype})`, () => {
      for (const [m, k, n] of [
        [33, 47, 29],
        [70, 130, 9],
        [4, 300, 64],
      ] as const) {
        for (const transposeA of [false, true]) {
          for (const transposeB of [false, true]) {
            const a = spec(transposeA ? [k, m] : [m, k], dtype, 17, { zeros: true });
            const b = spec(transposeB ? [n, k] : [k, n], dtype, 18, { special: true });
            const plainB = spec(transposeB ? [n, k] : [k, n], dtype, 19);
            const label = `matmul ${m}x${k}x${n} tA=${transposeA} tB=${transposeB}`;
            // 0 * NaN and 0 * Infinity are NaN: skipping A's zeros must stop when B is not finite.
            check(`${label}, B with NaN/Infinity`, [a, b], (x, y) => x.matmul(y!, { transposeA, transposeB }));
            check(label, [a, plainB], (x, y) => x.matmul(y!, { transposeA, transposeB }));
          }
        }
      }
    });

    it(`im2col, col2im and batched transposes (${dtype})`, () => {
      const images = spec([2, 3, 7, 7], dtype, 20, { special: true });
      check("im2col 3x3 pad 1", [images], (x) => x.im2col(3, 3, 1, 1));
      check("im2col 2x2 stride 2", [spec([2, 3, 8, 8], dtype, 21)], (x) => x.im2col(2, 2, 2, 0));
      check("col2im 3x3 pad 1", [spec([98, 27], dtype, 22)], (c) => c.col2im([2, 3, 7, 7], 3, 3, 1, 1));
      check("transpose [3, 20, 30] (0, 2, 1)", [spec([3, 20, 30], dtype, 23)], (x) => x.transpose([0, 2, 1]));
      check("transpose [20, 30]", [spec([20, 30], dtype, 24)], (x) => x.transpose());
      check("transpose [10, 4, 6, 5] (0, 2, 3, 1)", [spec([10, 4, 6, 5], dtype, 25)], (x) => x.transpose([0, 2, 3, 1]));
    });

    it(`ops staged in several chunks next to resident operands and results (${dtype})`, () => {
      // Element-wise ops stage ordinary operands in chunks of 192 KiB (operands and result together),
      // matmul 4 MiB of A and out rows: a resident operand or result is then addressed at the
      // chunk's offset inside it. 200x300 float64 is 480 KB; 2000x300 A with 30 columns 5.3 MB.
      const a = spec([200, 300], dtype, 27, { special: true });
      const b = spec([200, 300], dtype, 28);
      check("add, chunked", [a, b], (x, y) => x.add(y!));
      check("add row, chunked", [a, spec([300], dtype, 29)], (x, r) => x.add(r!));
      check("sqrt, chunked", [a], (x) => x.sqrt());
      check("where, chunked", [a, { ...b, values: b.values.map((v) => (v > 0 ? 1 : 0)) }, b], (x, c, y) =>
        x.where(c!, y!),
      );
      check("sum axis 0, chunked", [spec([2000, 50], dtype, 30)], (x) => x.sum(0));
      check("argmax, chunked", [spec([20000, 9], dtype, 31)], (x) => x.argmax(1));
      check("max, chunked", [spec([20000, 9], dtype, 32)], (x) => x.max(1));
      check("im2col, chunked", [spec([8, 3, 28, 28], dtype, 33)], (x) => x.im2col(5, 5, 1, 0));
      check("col2im, chunked", [spec([4608, 75], dtype, 34)], (c) => c.col2im([8, 3, 28, 28], 5, 5, 1, 0));
      check("transpose, chunked", [spec([40, 60, 50], dtype, 35)], (x) => x.transpose([0, 2, 1]));
      check("matmul, chunked", [spec([2000, 300], dtype, 36, { zeros: true }), spec([300, 30], dtype, 37)], (x, y) =>
        x.matmul(y!),
      );
      // A resident and out ordinary (or the reverse): rows of 30 values, 4.8 MB of each, two chunks.
      const m = dtype === "float64" ? 20000 : 40000;
      check("matmul, tall, chunked", [spec([m, 30], dtype, 38, { zeros: true }), spec([30, 30], dtype, 39)], (x, y) =>
        x.matmul(y!),
      );
    });

    it(`gather, oneHot and cast, whose storage comes from alloc (${dtype})`, () => {
      const rows = spec([40, 30], dtype, 26, { special: true });
      const picks = Array.from({ length: 50 }, (_, i) => (i * 7) % 40);
      check("gather", [rows], (x) => x.gather(picks));
      const labels = {
        shape: [300],
        dtype: "int32" as const,
        values: Array.from({ length: 300 }, (_, i) => (i * 7) % 10),
      };
      check("oneHot", [labels], (t) => t.oneHot(10, dtype));
      check("cast", [rows], (x) => x.cast(dtype === "float64" ? "float32" : "float64"));
      check("clone", [rows], (x) => x.clone());
    });
  }
});

describe("wasm resident storage is never reused while a tensor holds it", () => {
  /** A resident 20x30 float64 input (4800 bytes) and its products x * k, each a fresh result. */
  function input(): Tensor {
    return onWasm(spec([20, 30], "float64", 30), true);
  }

  it("undisposed results keep disjoint blocks and their values, while disposed ones are recycled", () => {
    const x = input();
    const kept: Tensor[] = [];
    for (let i = 0; i < 100; i++) {
      kept.push(x.mul(i));
      x.mul(-i).dispose(); // its block is free again at once: the next result may take it
    }
    expect(kept.every((t) => wasm.isResident(t.data))).toBe(true);
    const ranges = kept.map((t) => [t.data.byteOffset, t.data.byteOffset + t.data.byteLength] as const);
    ranges.sort((p, q) => p[0] - q[0]);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1]);
    kept.forEach((t, i) => {
      for (let j = 0; j < 600; j++) if (t.data[j] !== x.data[j]! * i) expect(t.data[j]).toBe(x.data[j]! * i);
    });
    for (const t of kept) t.dispose();
    wasm.release("float64", x.data);
  });

  it("a disposed result's block is the next one handed out, and alloc zero-fills it", () => {
    const x = input();
    const a = x.mul(2);
    const at = a.data.byteOffset;
    const freed = wasm.heap!.stats.freed;
    a.dispose();
    expect(wasm.heap!.stats.freed).toBe(freed + 1);
    const z = wasm.alloc("float64", 600);
    expect(z.byteOffset).toBe(at);
    expect(z.every((v) => Object.is(v, 0))).toBe(true); // it held x * 2
    z.set(x.data);
    wasm.release("float64", z);
    // oneHot writes only the ones: the rest must be the zeros alloc gave, not x's old values.
    const labels = new Tensor(
      Int32Array.from({ length: 60 }, (_, i) => i % 10),
      [60],
      "int32",
      wasm,
    );
    const hot = labels.oneHot(10);
    expect(hot.data.byteOffset).toBe(at);
    for (let i = 0; i < 600; i++) expect(hot.data[i]).toBe(i % 10 === Math.floor(i / 10) % 10 ? 1 : 0);
    hot.dispose();
    wasm.release("float64", x.data);
  });

  it("a reshape view keeps the storage until it and the result are both disposed", () => {
    const x = input();
    const a = x.mul(2);
    const at = a.data.byteOffset;
    const view = a.reshape([600]);
    const view2 = view.reshape([30, 20]);
    a.dispose();
    view.dispose();
    const b = x.mul(3); // same size: would take a's block if it were free
    expect(b.data.byteOffset).not.toBe(at);
    expect(view2.data[5]).toBe(x.data[5]! * 2);
    expect(Array.from(view2.data)).toEqual(Array.from(x.data, (v) => v * 2));
    view2.dispose();
    const c = x.mul(4);
    expect(c.data.byteOffset).toBe(at);
    for (const t of [b, c]) t.dispose();
    wasm.release("float64", x.data);
  });

  it("storage given to the Tensor constructor never goes back to the heap on dispose", () => {
    const x = input();
    const a = x.mul(2);
    const data = a.data;
    const alias = new Tensor(data, [600], "float64", wasm); // shares a's storage
    const freed = wasm.heap!.stats.freed;
    a.dispose();
    alias.dispose();
    expect(wasm.heap!.stats.freed).toBe(freed);
    const b = x.mul(3);
    expect(b.data.byteOffset).not.toBe(data.byteOffset);
    expect(data[9]).toBe(x.data[9]! * 2); // still the product: nobody wrote there
    // The same for storage taken from alloc by hand and given to a tensor.
    const own = new Tensor(wasm.alloc("float64", 600), [20, 30], "float64", wasm);
    own.dispose();
    expect(wasm.heap!.stats.freed).toBe(freed);
    b.dispose();
    wasm.release("float64", x.data); // the test's own storage: given back by hand
  });

  it("a result nobody disposed is freed after it is collected, and its block handed out again", async () => {
    const x = input();
    await collectGarbage(); // earlier tests' garbage first
    const heap = wasm.heap!;
    const live = heap.stats.liveBytes;
    const collected = heap.stats.collected;
    let at = -1;
    (() => {
      const lost = x.mul(2);
      at = lost.data.byteOffset;
    })();
    expect(heap.stats.liveBytes).toBe(live + 4800);
    await collectGarbage(() => heap.stats.liveBytes === live);
    expect(heap.stats.collected).toBe(collected + 1);
    expect(heap.stats.liveBytes).toBe(live);
    const again = x.mul(3);
    expect(again.data.byteOffset).toBe(at);
    again.dispose();
    wasm.release("float64", x.data);
  });
});

describe("createWasmBackend options", () => {
  it("residentBytes 0: no heap, every tensor in ordinary memory, the same results", async () => {
    const plain = await createWasmBackend({ residentBytes: 0 });
    expect(plain.heap).toBeNull();
    const values = sampleValues(600, 40);
    const x = new Tensor(Float64Array.from(values), [20, 30], "float64", plain);
    const y = x.matmul(x, { transposeB: true });
    expect(plain.isResident(y.data)).toBe(false);
    expect(plain.isResident(plain.alloc("float64", 1 << 16))).toBe(false);
    const expected = new Tensor(Float64Array.from(values), [20, 30], "float64", cpu).matmul(
      new Tensor(Float64Array.from(values), [20, 30], "float64", cpu),
      { transposeB: true },
    );
    expect(firstByteDifference(bytesOf(y), bytesOf(expected))).toBe(-1);
  });

  it("a small residentBytes gives a small heap (whole 64 KiB pages), not none", async () => {
    // 1 byte rounds the memory up to its next page: a heap of 64 KiB above the staging room.
    expect((await createWasmBackend({ residentBytes: 1 })).heap!.capacity).toBe(65536);
    const small = await createWasmBackend({ residentBytes: 1024 * 1024 });
    expect(small.heap!.capacity).toBe(1024 * 1024);
    const a = small.alloc("float64", 256); // 2 KiB: a block of the heap
    expect(small.isResident(a)).toBe(true);
    const big = small.alloc("float64", 1 << 17); // 1 MiB does not fit beside it: ordinary memory
    expect(small.isResident(big)).toBe(false);
  });
  it("bad residentBytes and options are ValueErrors naming createWasmBackend", async () => {
    const max = 2 ** 31 - 64 * MiB;
    for (const residentBytes of [-1, 1.5, Number.NaN, Infinity, max + 1, 2 ** 32]) {
      await expect(createWasmBackend({ residentBytes })).rejects.toThrow(ValueError);
      await expect(createWasmBackend({ residentBytes })).rejects.toThrow(
        `createWasmBackend: residentBytes must be an integer from 0 to ${max}`,
      );
    }
    await expect(createWasmBackend({ residentBytes: "64" as unknown as number })).rejects.toThrow(ValueError);
    await expect(createWasmBackend(null as unknown as object)).rejects.toThrow(ValueError);
    await expect(createWasmBackend(null as unknown as object)).rejects.toThrow("createWasmBackend");
  });
});

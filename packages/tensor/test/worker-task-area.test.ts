// How a split op reaches the workers (task-codec.ts, thread-pool.ts, task-server.ts): written into
// a shared task area that awake workers poll, with every value a structured clone would keep; a
// task the area cannot hold (an array over another SharedArrayBuffer) goes as a message, as before;
// a worker that went to sleep is woken by a message; faults armed before an op still fire in it.
import { describe, expect, it } from "vitest";
import { BackendError } from "../src/index.js";
import { matmulImpl } from "../src/kernels/index.js";
import { nodeThreadHost } from "../src/worker/node-thread-host.js";
import { TASK_AREA_WORDS, TaskReader, TaskWriter } from "../src/worker/task-codec.js";
import type { Task } from "../src/worker/task.js";
import { FAULT_HOOKS, ThreadPool } from "../src/worker/thread-pool.js";

function area(): { writer: TaskWriter; reader: TaskReader; memory: WebAssembly.Memory } {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
  const words = new Float64Array(new SharedArrayBuffer(TASK_AREA_WORDS * 8));
  return { writer: new TaskWriter(words, memory), reader: new TaskReader(words, memory), memory };
}

function bitsOf(x: number): string {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  return b.getBigUint64(0).toString(16);
}

describe("the task area's encoding", () => {
  it("gives back every value a structured clone keeps: numbers bit for bit, strings, arrays, objects", () => {
    const { writer, reader } = area();
    const nan = new Float64Array(new BigUint64Array([0x7ff8000000000abcn]).buffer)[0]!;
    const value = {
      op: "binary",
      nested: { op: "añadir ∑", shape: [100, 24, 24, 30], empty: [], perm: [0, 3, 1, 2] },
      numbers: [-0, 0, 1.5, -(2 ** 60), Number.MIN_VALUE, Number.POSITIVE_INFINITY, nan],
      flags: [true, false, null, undefined],
      "": "",
    };
    expect(writer.encode(value)).toBe(true);
    const got = reader.decode() as typeof value;
    expect(got).toEqual(value);
    expect(Object.keys(got)).toEqual(Object.keys(value));
    expect(got.numbers.map(bitsOf)).toEqual(value.numbers.map(bitsOf)); // -0 and NaN's payload too
    expect(Object.is(got.numbers[0], -0)).toBe(true);
  });

  it("writes an array over the shared memory by place (the worker sees the same bytes) and copies a small ordinary one", () => {
    const { writer, reader, memory } = area();
    const shared = new Float32Array(memory.buffer, 64, 5);
    shared.set([1, 2, 3, 4, 5]);
    const code = Int32Array.from([7, -1, 2, 3]);
    expect(writer.encode({ x: shared, code })).toBe(true);
    const got = reader.decode() as { x: Float32Array; code: Int32Array };
    expect(got.x).toBeInstanceOf(Float32Array);
    expect([got.x.byteOffset, got.x.length]).toEqual([64, 5]);
    got.x[2] = 42; // a write through the decoded view lands in the memory itself
    expect(shared[2]).toBe(42);
    expect(got.code).toBeInstanceOf(Int32Array);
    expect(Array.from(got.code)).toEqual([7, -1, 2, 3]);
    expect(got.code.buffer).not.toBe(code.buffer);
  });

  it("views the memory after it grew, on the writing side (a new buffer object) and the reading side", () => {
    const { writer, reader, memory } = area();
    memory.grow(2);
    const late = new Float64Array(memory.buffer, 65536 * 2, 3);
    late.set([1.25, -0, 9]);
    expect(writer.encode([late])).toBe(true);
    const [got] = reader.decode() as [Float64Array];
    expect(Array.from(got).map(bitsOf)).toEqual([1.25, -0, 9].map(bitsOf));
  });

  it("writes short strings once into its table: a reader that skipped the tasks before still reads them, a long one is spelled out", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
    const words = new Float64Array(new SharedArrayBuffer(TASK_AREA_WORDS * 8));
    const writer = new TaskWriter(words, memory);
    const first = { op: "binary", args: { op: "add", shape: [2, 3] } };
    expect(writer.encode(first)).toBe(true);
    const early = new TaskReader(words, memory);
    expect(early.decode()).toEqual(first);
    const long = "a string longer than the table takes, spelled out every time";
    const second = { op: "matmul", args: { shape: [4], note: long }, "": "" };
    expect(writer.encode(second)).toBe(true);
    // A reader that never read the first task (a worker whose part was taken back) finds "op",
    // "args" and "shape", written into the table with it.
    const late = new TaskReader(words, memory);
    const got = late.decode() as typeof second;
    expect(got).toEqual(second);
    expect(Object.keys(got)).toEqual(["op", "args", ""]);
    expect(early.decode()).toEqual(second);
    // Many distinct keys: once the table is full, the rest are spelled out; all read back.
    const many = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
    expect(writer.encode(many)).toBe(true);
    expect(late.decode()).toEqual(many);
    expect(new TaskReader(words, memory).decode()).toEqual(many);
  });

  it("refuses what it cannot hold (the caller then posts a message): another SharedArrayBuffer, a large ordinary array, a Map, a class instance, a function", () => {
    const { writer } = area();
    expect(writer.encode({ x: new Float64Array(new SharedArrayBuffer(16)) })).toBe(false);
    expect(writer.encode({ x: new Float64Array(4097) })).toBe(false);
    expect(writer.encode({ x: new Map() })).toBe(false);
    expect(writer.encode({ x: new (class Geometry {})() })).toBe(false);
    expect(writer.encode({ f: () => 1 })).toBe(false);
    expect(writer.encode({ big: 1n })).toBe(false);
    // Larger than the area (64 KiB of words): refused, not written past its end.
    expect(writer.encode({ s: "x".repeat(TASK_AREA_WORDS) })).toBe(false);
    expect(writer.encode(Array.from({ length: TASK_AREA_WORDS }, () => 1))).toBe(false);
    expect(writer.encode({ ok: [1, 2] })).toBe(true);
  });
});

/** A pool of one real worker (TypeScript kernels) over a small shared memory. */
function pool(): { pool: ThreadPool; memory: WebAssembly.Memory } {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
  return { pool: new ThreadPool(nodeThreadHost, 1, { memory, module: null }, null), memory };
}

async function ready(p: ThreadPool): Promise<void> {
  for (let i = 0; i < 3000 && p.readyWorkers() < 1; i++) await new Promise((r) => setTimeout(r, 5));
  expect(p.readyWorkers()).toBe(1);
}

/** A 9x5 = 9x7 · 7x5 product with its arrays over `buffer` at byte 0, and the expected result. */
function matmulTask(buffer: ArrayBufferLike, seed: number): { task: Task; out: Float64Array; expected: Float64Array } {
  const [m, n, k] = [9, 5, 7];
  const a = new Float64Array(buffer, 0, m * k);
  const b = new Float64Array(buffer, a.byteLength, k * n);
  const out = new Float64Array(buffer, a.byteLength + b.byteLength, m * n);
  a.set(Float64Array.from({ length: m * k }, (_, i) => Math.sin(i + seed)));
  b.set(Float64Array.from({ length: k * n }, (_, i) => Math.cos(i * seed)));
  out.fill(Number.NaN);
  const expected = new Float64Array(m * n);
  matmulImpl(a, b, expected, m, n, k, false, false, 0, m);
  const args = { a, b, out, m, n, k, transA: false, transB: false };
  return { task: { op: "matmul", args, wasm: false, scratch: 0, stride: 0 }, out, expected };
}

describe("split ops reach a real worker", () => {
  it("through the task area, from an awake worker and from one that went to sleep (woken by a message)", async () => {
    const { pool: p, memory } = pool();
    await ready(p);
    for (let seed = 1; seed <= 6; seed++) {
      const { task, out, expected } = matmulTask(memory.buffer, seed);
      // Without taking back: the worker computes the chunks after the calling thread's first.
      p.run("matmul", task, false);
      expect(Array.from(out)).toEqual(Array.from(expected));
      // Past the worker's 10 ms awake time every other op: it sleeps and must be woken.
      if (seed % 2 === 0) await new Promise((r) => setTimeout(r, 40));
    }
    expect(p.postedTasks).toBe(0);
    p.dispose();
  });

  it("as a message when the area cannot hold it (arrays over another SharedArrayBuffer), with the same bits", async () => {
    const { pool: p } = pool();
    await ready(p);
    const foreign = new SharedArrayBuffer(4096);
    for (let seed = 1; seed <= 3; seed++) {
      const { task, out, expected } = matmulTask(foreign, seed);
      p.run("matmul", task, false);
      expect(Array.from(out)).toEqual(Array.from(expected));
    }
    expect(p.postedTasks).toBe(3);
    p.dispose();
  });

  it("a fault armed while the worker sleeps fires in the next op, and the pool stays usable", async () => {
    const { pool: p, memory } = pool();
    await ready(p);
    await new Promise((r) => setTimeout(r, 40)); // asleep
    p[FAULT_HOOKS].injectFault(0, "throw");
    const { task, out, expected } = matmulTask(memory.buffer, 3);
    expect(() => p.run("matmul", task, false)).toThrow(BackendError);
    expect(() => p.run("matmul", task, false)).not.toThrow();
    expect(Array.from(out)).toEqual(Array.from(expected));
    p.dispose();
  });
});

// Tasks posted to worker threads carry plain numbers for arrays of the shared memory (task.ts
// encodeTask/decodeTask): posting views of a shared WebAssembly.Memory cost hundreds of
// microseconds per op. Encoding must keep every other field, and decoding must give views of the
// same bytes.
import { describe, expect, it } from "vitest";
import { Arena } from "../src/wasm/arena.js";
import { decodeTask, encodeTask, type Task } from "../src/worker/task.js";

describe("worker task encoding", () => {
  it("replaces views of the shared memory by offsets and lengths, and decodes them to the same bytes", () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
    const arena = new Arena(memory, null);
    const shared = (array: Float64Array | Float32Array | Int32Array) => arena.owns(array);
    const a = arena.view(new Float64Array(0), 16, 6).fill(1.5);
    const b = arena.view(new Float32Array(0), 64, 3).fill(-2);
    const indices = arena.view(new Int32Array(0), 80, 2).fill(7);
    const outside = new Float64Array(4); // not in the shared memory: posted as it is
    const task: Task = { kind: "gather", x: a, rowSize: 3, indices, out: outside };
    const wire = encodeTask(task, shared) as unknown as Record<string, unknown>;
    expect(wire.x).toEqual({ ref: "Float64Array", at: 16, length: 6 });
    expect(wire.indices).toEqual({ ref: "Int32Array", at: 80, length: 2 });
    expect(wire.out).toBe(outside);
    expect(wire.rowSize).toBe(3);
    // The original task is untouched.
    expect(task.x).toBe(a);

    arena.reserve(3 * 65536); // grows the memory: a new buffer object, the same bytes
    expect(memory.buffer).not.toBe(a.buffer);
    const back = decodeTask(structuredClone(wire) as unknown as Task, memory) as Extract<Task, { kind: "gather" }>;
    expect(back.x).toBeInstanceOf(Float64Array);
    expect(Array.from(back.x)).toEqual([1.5, 1.5, 1.5, 1.5, 1.5, 1.5]);
    expect(Array.from(back.indices)).toEqual([7, 7]);
    back.x[0] = 4; // a view of the same bytes, not a copy
    expect(a[0]).toBe(4);

    // Views made before the growth are still known, and so are those made after it.
    const later = arena.view(new Float64Array(0), 65536, 2);
    const f32 = encodeTask({ kind: "cast", x: b, out: later }, shared) as unknown as Record<string, unknown>;
    expect(f32.x).toEqual({ ref: "Float32Array", at: 64, length: 3 });
    expect(f32.out).toEqual({ ref: "Float64Array", at: 65536, length: 2 });
  });
});

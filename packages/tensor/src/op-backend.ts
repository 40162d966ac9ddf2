import type { Backend } from "./backend.js";
import type { DType, TypedArray } from "./dtype.js";
import { dtypeOfArray } from "./dtype.js";
import { OPS, recordOf, type AllocOut, type OpName, type TaskOf } from "./ops.js";

/**
 * What the cpu, wasm and worker backends share: every kernel method of `Backend` comes from its
 * record in `OPS` (see `OpBackend` below), builds the op's task, its output from `allocOut`, and
 * hands it to `exec`. A backend says only how it allocates and how it runs a task.
 */
abstract class OpBackendBase {
  abstract readonly name: string;
  /** Zero-filled storage for `size` elements. */
  abstract alloc(dtype: DType, size: number): TypedArray;
  /** Storage for an op's result: zero-filled when `zero`, else the kernel writes every element. */
  abstract allocOut(dtype: DType, size: number, zero: boolean): TypedArray;
  /** Runs op's task (its output allocated) over all its units. */
  abstract exec<K extends OpName>(op: K, task: TaskOf<K>): void;
  abstract dispose(): void;
  /** Throws a BackendError naming `op` when this backend cannot compute any more. */
  check(_op: string): void {}
  /** `allocOut` as the records' task builders take it. */
  readonly out: AllocOut = (dtype, size, zero) => this.allocOut(dtype, size, zero);
}

for (const op of Object.keys(OPS) as OpName[]) {
  const record = recordOf(op);
  // Every Backend kernel takes at most four arguments: passed as four (the missing ones undefined,
  // which no task builder reads) rather than gathered into an array for each op.
  const task = record.task as (out: AllocOut, a: unknown, b: unknown, c: unknown, d: unknown) => { out: TypedArray };
  const check = record.check;
  const many = op === "fused"; // returns all its outputs (`outs`), every other op its `out`
  Object.defineProperty(OpBackendBase.prototype, op, {
    configurable: true,
    writable: true,
    value(this: OpBackendBase, a: unknown, b: unknown, c: unknown, d: unknown): TypedArray | TypedArray[] {
      this.check(typeof a === "string" ? a : op); // exp, add, sum rather than unary, binary, reduce
      const t = task(this.out, a, b, c, d);
      const out = t.out;
      this.exec(op, t as TaskOf<typeof op>);
      if (check !== undefined) {
        try {
          check(t);
        } catch (e) {
          // Bad input the kernel met on its way: its output was never seen, so it goes back.
          (this as Partial<Backend>).release?.(dtypeOfArray(out), out);
          throw e;
        }
      }
      return many ? (t as unknown as { outs: TypedArray[] }).outs : out;
    },
  });
}

/** A backend made of the op table: its kernel methods are those of `Backend`, one per record. */
export type OpBackend = OpBackendBase & Pick<Backend, OpName>;
export const OpBackend = OpBackendBase as abstract new () => OpBackend;

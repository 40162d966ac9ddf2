import type { Backend } from "./backend.js";
import type { DType, TypedArray } from "./dtype.js";
import { OpBackend } from "./op-backend.js";
import { recordOf, type OpName, type TaskOf } from "./ops.js";
import { BufferPool } from "./pool.js";

/**
 * The reference backend: plain TypeScript on the calling thread. Each op runs its TypeScript
 * kernel (the `run` of its record in `OPS`, from `kernels/`) once over the whole output. Its only
 * state is a pool of disposed tensors' storage, which `dispose()` drops; it keeps working after
 * that, so one instance (`cpu`) serves all.
 */
export class CpuBackend extends OpBackend implements Backend {
  readonly name: string = "cpu";
  /** Storage of disposed tensors, reused by `alloc` (see `Tensor.dispose`). */
  readonly pool = new BufferPool();

  alloc(dtype: DType, size: number): TypedArray {
    return this.pool.alloc(dtype, size);
  }

  allocOut(dtype: DType, size: number, zero: boolean): TypedArray {
    return this.pool.allocForOverwrite(dtype, size, zero);
  }

  release(dtype: DType, data: TypedArray): void {
    this.pool.release(dtype, data);
  }

  exec<K extends OpName>(op: K, task: TaskOf<K>): void {
    const record = recordOf(op);
    record.run(task, 0, record.units(task));
  }

  /** Drops the pooled storage; the backend keeps working. */
  dispose(): void {
    this.pool.clear();
  }
}

/** The shared CPU backend instance, used when no backend is given. */
export const cpu: Backend = new CpuBackend();

// Copies within the module's memory (bulk memory instructions): zero-filling recycled tensor storage
// and gathering rows. On a shared memory these run at memcpy speed, where a typed array's fill or
// set takes a slower path.

/** Sets `bytes` bytes at `at` to zero. */
export function zero(at: usize, bytes: usize): void {
  memory.fill(at, 0, bytes);
}

/** out row r = x row indices[r] for r in [0, n): rows of `rowBytes` bytes, indices int32 at idx. */
export function gatherRows(x: usize, rowBytes: usize, idx: usize, n: i32, out: usize): void {
  for (let r = 0; r < n; r++) {
    const i = <usize>load<i32>(idx + ((<usize>r) << 2));
    memory.copy(out + <usize>r * rowBytes, x + i * rowBytes, rowBytes);
  }
}

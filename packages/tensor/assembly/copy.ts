// Copies within the module's memory: zero-filling recycled tensor storage (bulk memory) and
// gathering rows (SIMD loads and stores, bulk memory for tails). On a shared memory these run at
// memcpy speed, where a typed array's fill or set takes a slower path.

/** Sets `bytes` bytes at `at` to zero. */
export function zero(at: usize, bytes: usize): void {
  memory.fill(at, 0, bytes);
}

/** The byte offset of row `indices[r]` of x. */
function rowAt(x: usize, rowBytes: usize, idx: usize, r: i32): usize {
  return x + <usize>load<i32>(idx + ((<usize>r) << 2)) * rowBytes;
}

/**
 * out row r = x row indices[r] for r in [0, n): rows of `rowBytes` bytes, indices int32 at idx.
 * Eight rows at a time, 16 bytes of each in turn: a minibatch's rows lie at random places in a
 * training set far larger than the caches, and eight streams keep eight cache misses (and page
 * walks) in flight where one row's memory.copy meets them one after another. The bytes after the
 * last whole 16 of a row, and the last n % 8 rows, are copied with memory.copy.
 */
export function gatherRows(x: usize, rowBytes: usize, idx: usize, n: i32, out: usize): void {
  const body = rowBytes & ~(<usize>15);
  const tail = rowBytes - body;
  let r = 0;
  for (; r + 8 <= n; r += 8) {
    const s0 = rowAt(x, rowBytes, idx, r);
    const s1 = rowAt(x, rowBytes, idx, r + 1);
    const s2 = rowAt(x, rowBytes, idx, r + 2);
    const s3 = rowAt(x, rowBytes, idx, r + 3);
    const s4 = rowAt(x, rowBytes, idx, r + 4);
    const s5 = rowAt(x, rowBytes, idx, r + 5);
    const s6 = rowAt(x, rowBytes, idx, r + 6);
    const s7 = rowAt(x, rowBytes, idx, r + 7);
    const d0 = out + <usize>r * rowBytes;
    const d1 = d0 + rowBytes;
    const d2 = d1 + rowBytes;
    const d3 = d2 + rowBytes;
    const d4 = d3 + rowBytes;
    const d5 = d4 + rowBytes;
    const d6 = d5 + rowBytes;
    const d7 = d6 + rowBytes;
    for (let o: usize = 0; o < body; o += 16) {
      const v0 = v128.load(s0 + o);
      const v1 = v128.load(s1 + o);
      const v2 = v128.load(s2 + o);
      const v3 = v128.load(s3 + o);
      const v4 = v128.load(s4 + o);
      const v5 = v128.load(s5 + o);
      const v6 = v128.load(s6 + o);
      const v7 = v128.load(s7 + o);
      v128.store(d0 + o, v0);
      v128.store(d1 + o, v1);
      v128.store(d2 + o, v2);
      v128.store(d3 + o, v3);
      v128.store(d4 + o, v4);
      v128.store(d5 + o, v5);
      v128.store(d6 + o, v6);
      v128.store(d7 + o, v7);
    }
    if (tail !== 0) {
      memory.copy(d0 + body, s0 + body, tail);
      memory.copy(d1 + body, s1 + body, tail);
      memory.copy(d2 + body, s2 + body, tail);
      memory.copy(d3 + body, s3 + body, tail);
      memory.copy(d4 + body, s4 + body, tail);
      memory.copy(d5 + body, s5 + body, tail);
      memory.copy(d6 + body, s6 + body, tail);
      memory.copy(d7 + body, s7 + body, tail);
    }
  }
  for (; r < n; r++) memory.copy(out + <usize>r * rowBytes, rowAt(x, rowBytes, idx, r), rowBytes);
}

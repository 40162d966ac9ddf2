// Zeroing an output a piece at a time just before a kernel writes it. When the output is not in cache
// (a training step touches far more memory than the L3 holds), a vector store to it first reads each
// line from memory (WebAssembly has no non-temporal stores); `memory.fill`, which V8 runs as the
// engine's memset, writes whole lines without reading them. Zeroing the next FILL_BYTES of out and
// then storing into them while they are in L1 saves that read (assembly/along.ts measured it first).
// The zeros are all overwritten: a kernel zeroes only bytes it then writes.
//
// It pays where a kernel's stores are most of its memory traffic: in a training step an op's input
// was usually just written by the op before it (still in cache) and its output was not. `where`
// (Relu's backward) and Pooling's 2x2 col2im, float32, in the SimpleConvNet step 0.77 -> 0.59 and
// 0.52 -> 0.43 ms; relu and the bias add with two or four vectors per pass (that pays for the fill in
// cache), input in cache and out not, 0.50 -> 0.45 ms each (in the step: the bias add 0.58 -> 0.53,
// relu no faster); the transpose whose stores are scattered over out's rows ([576,30] -> [30,576]),
// a whole matrix at a time, in the step 1.09 -> 1.05 ms (14 runs).
// Measured and not kept (float32): the 2x2 im2col (no faster in the step), the 5x5 im2col (slower out
// of cache, 7-10 % slower with its input in cache), the other transpose ([30,576] -> [576,30], stores
// in order: 20-30 % slower, whole or per tile), the conv forward product's output (1.60 -> 1.89 ms in
// the step); pieces of 16 KiB were slower than none, of 1 KiB half as good. The 5x5 im2col measured
// again with the 2x2 one's fix (assembly/window.ts, im2colPool2), out zeroed ahead of each run of
// windows: alone out of cache 0.47 -> 0.37 ms, with its input in cache 0.42 -> 0.35, in cache 0.15 ->
// 0.21, but in the SimpleConvNet step's profile 0.33 -> 0.42 and 0.43 -> 0.44 (both modules in one
// process, either order, 50 rounds of 3 steps): not kept.
//
// Loads cannot do this: WebAssembly has no prefetch instruction, and a load that misses holds up the
// instructions after it until its line arrives. Touching one byte of the page ahead once per page (of
// the input, to start its page walk and prefetch early) made float32 relu out of cache 0.5 % faster
// to 2 % slower; of out too, 5-6 % slower; four lines ahead, 25 % slower; reading a transpose's
// matrices line by line before transposing them, 20-45 % slower (V8 keeps those loads: they feed an
// exported global).

/** Bytes of out zeroed at a time: a page, above the size from which memset writes whole lines,
 * below L1. Each `memory.fill` call costs about 35 ns besides its bytes (6.9 MB zeroed in cache:
 * 0.13 ms in pieces of 4 KiB, 0.07 in one call; the same on a shared memory), but pieces of 8 KiB
 * were no faster in the kernels (float32 SimpleConvNet sizes, both modules in one process: in cache
 * within 2 %, with the input in cache from 3 % faster to 16 % slower). */
export const FILL_BYTES: usize = 4096;

/**
 * For a kernel that writes [out, end) from low to high addresses, never going back: out is zeroed
 * from `out` to `filled` (start with filled = out; filled = end turns the zeroing off); before the
 * kernel writes below `need` (<= end), zeroes further pieces until they reach need. Returns the new
 * end of the zeroed part. A piece is only zeroed ahead of every store to it, so no result is lost.
 */
export function fillTo(filled: usize, need: usize, end: usize): usize {
  return need <= filled ? filled : fillPieces(filled, need, end);
}

function fillPieces(filled: usize, need: usize, end: usize): usize {
  do {
    const next = min(end, filled + FILL_BYTES);
    memory.fill(filled, 0, next - filled);
    filled = next;
  } while (filled < need);
  return filled;
}

/**
 * For a kernel that writes out element after element (elements of 1 << shift bytes) in a loop
 * without calls: zeroes the next piece of out, min(left, FILL_BYTES >> shift) elements from out on,
 * and returns its length in elements; the kernel then writes exactly those elements and moves on.
 * (A check for the next piece inside the kernel's own loop made it up to twice as slow in cache.)
 */
export function zeroPiece(out: usize, left: i32, shift: i32): i32 {
  const n = min(left, <i32>(FILL_BYTES >> <usize>shift));
  memory.fill(out, 0, (<usize>n) << (<usize>shift));
  return n;
}

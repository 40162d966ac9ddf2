// ResidentHeap (src/wasm/heap.ts) on its own, over a plain ArrayBuffer: 64-byte blocks, exact-size
// reuse, the bump top and which blocks are still zero, merging adjacent free blocks (lowering the
// top), best-fit splitting, refusal when full, the byte accounting, and the FinalizationRegistry
// that frees the block of a view nobody freed once the garbage collector has collected it.
import { describe, expect, it } from "vitest";
import { ResidentHeap } from "../src/wasm/heap.js";
import { collectGarbage } from "./collect-garbage.js";

const BASE = 1024;

/** A heap over [BASE, BASE + capacity) of a fresh buffer, and a helper that allocates and returns a
 * byte view of exactly the requested length (what the wasm backend makes: a typed array of the
 * tensor's size at the block's offset). */
function heapOf(capacity: number) {
  const buffer = new ArrayBuffer(BASE + capacity);
  const heap = new ResidentHeap(BASE, BASE + capacity);
  const take = (bytes: number) => {
    const block = heap.alloc(bytes);
    if (block === null) return null;
    const view = new Uint8Array(buffer, block.at, bytes);
    heap.track(view);
    return { view, at: block.at, zeroed: block.zeroed };
  };
  return { heap, take };
}

function taken(block: ReturnType<ReturnType<typeof heapOf>["take"]>) {
  expect(block).not.toBeNull();
  return block!;
}

describe("ResidentHeap", () => {
  it("bump offsets are multiples of 64 in request order, zeroed while the memory was never used", () => {
    const { heap, take } = heapOf(4096);
    expect(heap.capacity).toBe(4096);
    // Sizes round up to 64: 1 -> 64, 63 -> 64, 64 -> 64, 65 -> 128, 1000 -> 1024.
    const offsets = [1, 63, 64, 65, 1000].map((bytes) => taken(take(bytes)));
    expect(offsets.map((b) => b.at)).toEqual([BASE, BASE + 64, BASE + 128, BASE + 192, BASE + 320]);
    expect(offsets.every((b) => b.at % 64 === 0 && b.zeroed)).toBe(true);
    expect(heap.stats.allocs).toBe(5);
    expect(heap.stats.liveBytes).toBe(64 + 64 + 64 + 128 + 1024);
  });

  it("a freed block comes back for the same rounded size at the same offset, no longer zeroed", () => {
    const { heap, take } = heapOf(4096);
    const a = taken(take(100)); // 128 bytes at BASE
    const b = taken(take(100)); // 128 bytes at BASE + 128
    expect(b.at).toBe(BASE + 128);
    heap.free(a.view);
    expect(heap.stats.freed).toBe(1);
    expect(heap.stats.liveBytes).toBe(128);
    const c = taken(take(120)); // rounds to 128 as well: a's block
    expect(c.at).toBe(a.at);
    expect(c.zeroed).toBe(false);
    // A different size class does not take a freed block while the top has room.
    heap.free(c.view);
    const d = taken(take(200)); // 256 bytes: from the top
    expect(d.at).toBe(BASE + 256);
    expect(d.zeroed).toBe(true);
    const e = taken(take(128)); // 128: the freed block again
    expect(e.at).toBe(BASE);
    expect(heap.stats.liveBytes).toBe(128 + 256 + 128);
    expect(heap.stats.peakBytes).toBe(128 + 256 + 128);
  });

  it("adjacent free blocks merge when the top is exhausted; a free run at the top lowers it", () => {
    const { heap, take } = heapOf(1024);
    const [a, b, c, d] = [0, 1, 2, 3].map(() => taken(take(256)));
    expect(d!.at).toBe(BASE + 768);
    expect(take(64)).toBeNull(); // full
    expect(heap.stats.refused).toBe(1);
    heap.free(b!.view);
    heap.free(c!.view);
    // 512 bytes: no list of that size, no room at the top; b and c merge into one 512-byte block.
    const bc = taken(take(512));
    expect(bc.at).toBe(BASE + 256);
    expect(bc.zeroed).toBe(false);
    heap.free(bc.view);
    heap.free(d!.view);
    // Freed b+c and d end at the top: merged, they lower it to BASE + 256, and a bump serves 768.
    const big = taken(take(768));
    expect(big.at).toBe(BASE + 256);
    expect(big.zeroed).toBe(false); // that memory was handed out before
    expect(heap.stats.liveBytes).toBe(1024);
    heap.free(a!.view);
    heap.free(big.view);
    expect(heap.stats.liveBytes).toBe(0);
    const all = taken(take(1024));
    expect(all.at).toBe(BASE);
    expect(heap.stats.peakBytes).toBe(1024);
  });

  it("best fit takes the smallest free block that is big enough and keeps the rest usable", () => {
    const { heap, take } = heapOf(1280);
    const a = taken(take(256)); // BASE
    const b = taken(take(256)); // BASE + 256
    const c = taken(take(128)); // BASE + 512
    const d = taken(take(512)); // BASE + 640
    const e = taken(take(128)); // BASE + 1152, the last block: nothing free ends at the top
    expect([a.at, b.at, c.at, d.at, e.at]).toEqual([0, 256, 512, 640, 1152].map((o) => BASE + o));
    heap.free(b.view);
    heap.free(d.view);
    // 192 bytes: the 256-byte block b (not d's 512) is split: 192 at BASE + 256, 64 left at BASE + 448.
    const f = taken(take(192));
    expect(f.at).toBe(BASE + 256);
    expect(f.zeroed).toBe(false);
    const g = taken(take(64)); // the remainder
    expect(g.at).toBe(BASE + 448);
    const h = taken(take(512)); // d untouched by the split
    expect(h.at).toBe(BASE + 640);
    expect(heap.stats.liveBytes).toBe(1280);
    expect(take(64)).toBeNull();
    expect(heap.stats.refused).toBe(1);
    // A split remainder merges back with its neighbour: free f and g, ask for b's 256 again.
    heap.free(f.view);
    heap.free(g.view);
    const again = taken(take(256));
    expect(again.at).toBe(BASE + 256);
  });

  it("refuses (null, counted) a request larger than any free run, and larger than the heap", () => {
    const { heap, take } = heapOf(512);
    expect(take(513)).toBeNull(); // 576 > 512
    const a = taken(take(192));
    const b = taken(take(128));
    taken(take(192));
    heap.free(a.view);
    expect(take(256)).toBeNull(); // free: 192 at BASE only; b still holds the middle
    expect(heap.stats.refused).toBe(2);
    expect(heap.stats.liveBytes).toBe(320);
    heap.free(b.view); // now 192 + 128 merge into 320
    expect(taken(take(320)).at).toBe(BASE);
    expect(heap.stats.allocs).toBe(4);
  });

  it("frees the block of a view that was collected without free(), and hands it out again", async () => {
    const { heap, take } = heapOf(4096);
    const keep = taken(take(300)); // 320 bytes at BASE, held
    let at = -1;
    (() => {
      const lost = taken(take(500)); // 512 bytes at BASE + 320, dropped at the end of this scope
      at = lost.at;
      lost.view[0] = 7;
    })();
    expect(at).toBe(BASE + 320);
    expect(heap.stats.liveBytes).toBe(320 + 512);
    await collectGarbage(() => heap.stats.collected > 0);
    expect(heap.stats.collected).toBe(1);
    expect(heap.stats.freed).toBe(0);
    expect(heap.stats.liveBytes).toBe(320);
    (() => {
      const reused = taken(take(512));
      expect(reused.at).toBe(at);
      expect(reused.zeroed).toBe(false);
      expect(reused.view[0]).toBe(7); // old contents: the caller (WasmBackend.alloc) zero-fills
      // A view freed by hand is unregistered: collecting it (unreachable after this scope) frees
      // nothing a second time.
      heap.free(reused.view);
    })();
    expect(heap.stats.liveBytes).toBe(320);
    await collectGarbage(() => false, 5);
    expect(heap.stats.collected).toBe(1);
    expect(heap.stats.liveBytes).toBe(320);
    // Its block serves the next request of its size once, not twice.
    expect(taken(take(512)).at).toBe(at);
    expect(taken(take(512)).at).toBe(BASE + 832);
    heap.free(keep.view);
  });
});

describe("ResidentHeap views (allocView / freeView, as the wasm backend allocates)", () => {
  function viewHeap(capacity: number) {
    const buffer = new ArrayBuffer(BASE + capacity);
    return { heap: new ResidentHeap(BASE, BASE + capacity), buffer };
  }

  it("a freed view comes back itself for the same type and length, its old values kept", () => {
    const { heap, buffer } = viewHeap(4096);
    const a = heap.allocView("float32", 100, buffer, 400)!; // 448 bytes at BASE
    expect(a).toBeInstanceOf(Float32Array);
    expect([a.byteOffset, a.length, heap.zeroed]).toEqual([BASE, 100, true]);
    a[0] = 5;
    heap.freeView(a);
    expect(heap.stats.freed).toBe(1);
    expect(heap.stats.liveBytes).toBe(0);
    const b = heap.allocView("float32", 100, buffer, 400)!;
    expect(b).toBe(a); // the same typed array: no new view, no new tie
    expect(heap.zeroed).toBe(false);
    expect(b[0]).toBe(5); // the backend zero-fills when asked to
    expect(heap.stats.liveBytes).toBe(448);
    expect(heap.stats.allocs).toBe(2);
  });

  it("another type or length of the same block size takes the block with a view of its own", () => {
    const { heap, buffer } = viewHeap(4096);
    const a = heap.allocView("float32", 100, buffer, 400)!; // 448 bytes at BASE
    heap.allocView("float32", 100, buffer, 400); // BASE + 448, held
    heap.freeView(a);
    const i = heap.allocView("int32", 100, buffer, 400)!;
    expect(i).toBeInstanceOf(Int32Array);
    expect(i.byteOffset).toBe(BASE);
    heap.freeView(i);
    const d = heap.allocView("float64", 52, buffer, 416)!; // also 448 bytes
    expect(d).toBeInstanceOf(Float64Array);
    expect([d.byteOffset, d.length]).toEqual([BASE, 52]);
    expect(heap.stats.liveBytes).toBe(896);
  });

  it("blocks kept with their views merge with the others when the top runs out", () => {
    const { heap, buffer } = viewHeap(1024);
    const views = [0, 1, 2, 3].map(() => heap.allocView("float64", 32, buffer, 256)!);
    expect(heap.allocView("float64", 8, buffer, 64)).toBeNull(); // full
    heap.freeView(views[1]!);
    heap.freeView(views[2]!);
    // 512 bytes: no block of that size; the two freed 256-byte blocks merge into one.
    const merged = heap.allocView("float64", 64, buffer, 512)!;
    expect(merged.byteOffset).toBe(BASE + 256);
    expect(heap.stats.liveBytes).toBe(1024);
  });

  it("a view handed out again is still tied to its block: collected without freeView, the block is freed", async () => {
    const { heap, buffer } = viewHeap(4096);
    (() => {
      const first = heap.allocView("float32", 100, buffer, 400)!;
      heap.freeView(first);
      const again = heap.allocView("float32", 100, buffer, 400)!;
      expect(again).toBe(first); // the same view, dropped at the end of this scope
    })();
    expect(heap.stats.liveBytes).toBe(448);
    await collectGarbage(() => heap.stats.collected > 0);
    expect(heap.stats.collected).toBe(1);
    expect(heap.stats.liveBytes).toBe(0);
  });
});

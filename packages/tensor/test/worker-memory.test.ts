// Dead tensors are freed: V8 does not count SharedArrayBuffer memory towards starting a garbage
// collection, so a backend that kept tensors there would keep every one of this loop's 2500
// intermediate results alive (about 1.6 GB). The worker backend keeps tensors in ordinary
// ArrayBuffers and stages split ops through one reused shared memory, so they are collected as usual.
import { describe, expect, it } from "vitest";
import { randn } from "../src/index.js";
import { createWorkerBackend } from "../src/worker/node.js";
import { splitEveryOp } from "../src/worker/internals.js";

describe("memory of dead tensors", () => {
  it("is reclaimed on the calling thread and on the workers", async () => {
    const backend = await createWorkerBackend({ threads: 2 }).then(splitEveryOp);
    let x = randn([200, 400], { seed: 1, backend }); // 640 kB
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    for (let i = 0; i < 2500; i++) {
      x = x.mul(0.5).add(1); // two fresh 640 kB results per step, written by both threads
      if (i % 100 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    const grownMb = (peak - rssBefore) / 2 ** 20;
    expect(x.get(0, 0)).toBe(2); // the fixed point of x -> x/2 + 1, reached long ago
    expect(backend.stats.split).toBe(5000);
    // 5000 results * 640 kB = 3.2 GB were allocated; far less may stay resident.
    expect(grownMb).toBeLessThan(800);
    backend.dispose();
  });
});

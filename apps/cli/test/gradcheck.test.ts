import { describe, expect, it } from "vitest";
import { bp } from "./run.js";

describe("bp gradcheck", () => {
  it("runs the book's check on the first 3 MNIST training images and passes", async () => {
    const r = await bp(["gradcheck"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("TwoLayerNet 784-50-10 (seed 0, float64) on the first 3 training rows of MNIST");
    // The book's lines "W1:<mean |diff|>". Backprop's (y - t) / N ignores the 1e-7 that
    // cross_entropy_error adds inside the log, so the two gradients differ by a relative
    // 1e-7 / y_t ~ 1e-6 at initialisation (y_t ~ 0.1): mean differences stay below 1e-6 (the
    // book's code gives the same sizes: W1 ~1e-10, b1 ~1e-9, W2 ~1e-9, b2 ~1e-7).
    for (const [i, name] of ["W1", "b1", "W2", "b2"].entries()) {
      const m = new RegExp(`^${name}:(.+)$`).exec(lines[1 + i]!);
      expect(m).not.toBeNull();
      const diff = Number(m![1]);
      expect(diff).toBeGreaterThan(0);
      expect(diff).toBeLessThan(1e-6);
    }
    expect(r.stdout).toContain("checkNet: passed (backprop vs numerical; atol 0.00001, rtol 0.001)");
  });

  it("exits 1 and reports FAIL when the tolerance is impossibly tight, also as JSON", async () => {
    const args = ["gradcheck", "--hidden", "4", "--count", "1", "--atol", "1e-300", "--rtol", "1e-300"];
    const r = await bp(args);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("checkNet: FAILED");
    expect(r.stdout).toMatch(/FAIL \(\d+\)/);
    const j = await bp([...args, "--json"]);
    expect(j.status).toBe(1);
    const report = JSON.parse(j.stdout);
    expect(report.passed).toBe(false);
    expect(report.params.map((p: { name: string }) => p.name)).toEqual(["W1", "b1", "W2", "b2"]);
    expect(report.config).toMatchObject({ count: 1, hidden: 4, inputSize: 784, outputSize: 10, dtype: "float64" });
  });

  it("passes in float32 with the float32 tolerances", async () => {
    // float32 losses are good to ~6e-8 relative, so central differences with h = 1e-4 carry
    // errors near 1e-3; the float32 defaults are atol 1e-2, rtol 1e-1.
    const r = await bp(["gradcheck", "--dtype", "float32", "--hidden", "10", "--json"]);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect([j.passed, j.atol, j.rtol, j.config.dtype]).toEqual([true, 0.01, 0.1, "float32"]);
  });
});

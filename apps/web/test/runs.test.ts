// End-to-end test of the Train view's kept runs: two tiny runs are kept in IndexedDB across a
// reload, overlay on one chart, the user picks which net Predict uses, and a diverged run never
// takes the chosen net's place.
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { openPage, shotPath } from "./harness.js";
import { nodeTrainer } from "./node-run.js";
import { DESKTOP, PHONE, servedApp } from "./suite.js";

const app = servedApp();
const RUN = { iterations: 50, trainSize: 1000, testSize: 100 };
const QUERY = `view=train&iterations=${RUN.iterations}&trainSize=${RUN.trainSize}&testSize=${RUN.testSize}&backend=cpu`;

/** The worker's run in Node (TwoLayerNet 784-50-10, SGD lr 0.1, minibatches of 100 of the first
 * 1000 images, weights from Rng(seed)): the accuracy on all 10 000 test images, as Predict measures. */
function nodeAccuracy(seed: number): number {
  const { all, net, trainer } = nodeTrainer(RUN, seed);
  for (let i = 0; i < RUN.iterations; i++) trainer.trainStep();
  return net.accuracy(all.xTest, all.tTest);
}

const trainSection = "section[aria-labelledby=train-title]";

/** Starts a run and waits until it is kept as run `id`. */
async function runKept(page: Page, id: number): Promise<void> {
  await page.click("#start");
  await page.waitForFunction(
    ([sel, n]) => document.querySelector<HTMLElement>(sel as string)?.dataset.runs === String(n),
    [trainSection, id],
    { timeout: 60_000 },
  );
}

async function predictAccuracy(page: Page): Promise<{ info: string; accuracy: number }> {
  await page.click("#nav-predict");
  await page.waitForFunction(() => document.getElementById("test-accuracy")?.dataset.accuracy !== undefined, null, {
    timeout: 60_000,
  });
  return {
    info: (await page.textContent("#model-info")) ?? "",
    accuracy: Number(await page.getAttribute("#test-accuracy", "data-accuracy")),
  };
}

describe("kept runs", () => {
  test("two runs survive a reload, overlay on one chart, Predict uses the picked one, a diverged run replaces nothing", async () => {
    const expected = [nodeAccuracy(0), nodeAccuracy(1)];
    const { page, errors } = await openPage(app.browser, `${app.url}?${QUERY}`, DESKTOP);
    await runKept(page, 1);
    await page.fill("#seed", "1");
    await runKept(page, 2);
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll("#runs-list li[data-run]").length === 2);
    const titles = await page.locator("#runs-list .run-title").allTextContents();
    expect(titles).toEqual([
      "Run 1: TwoLayerNet 784-50-10, sgd lr 0.1, 50 iterations, seed 0",
      "Run 2: TwoLayerNet 784-50-10, sgd lr 0.1, 50 iterations, seed 1",
    ]);
    // The last good run is the one Predict uses, also after the reload (the list is drawn before the
    // restored model is marked: wait for the mark, which must come).
    await page.waitForFunction(
      () => document.querySelector('#runs-list li[data-run="2"] .run-use')?.textContent === "Used by Predict",
      null,
      { timeout: 10_000 },
    );
    expect(await page.textContent('#runs-list li[data-run="2"] .run-use')).toBe("Used by Predict");
    // Overlay: both runs' losses on one chart (one legend entry per run).
    await page.check('#runs-list li[data-run="1"] .run-compare');
    await page.check('#runs-list li[data-run="2"] .run-compare');
    expect(JSON.parse((await page.getAttribute("#runs-chart", "data-series")) ?? "[]")).toEqual(titles);
    expect(await page.locator("#runs-legend li").count()).toBe(2);
    expect(await page.textContent("#runs-hint")).toBe("2 runs compared.");
    await page.screenshot({ path: shotPath("runs-desktop.png"), fullPage: true });

    const second = await predictAccuracy(page);
    expect(second.info).toContain("Run 2: TwoLayerNet");
    expect(second.accuracy).toBe(expected[1]);
    // Pick run 1 for Predict: its net, with Node's accuracy for seed 0.
    await page.click("#nav-train");
    await page.click('#runs-list li[data-run="1"] .run-use');
    await page.waitForFunction(
      () => document.querySelector('#runs-list li[data-run="1"] .run-use')?.textContent === "Used by Predict",
    );
    const first = await predictAccuracy(page);
    expect(first.info).toContain("Run 1: TwoLayerNet");
    expect(first.accuracy).toBe(expected[0]);
    expect(expected[0]).not.toBe(expected[1]);

    // A learning rate of 1e300 diverges within two updates: kept and marked, Predict keeps run 1.
    await page.click("#nav-train");
    await page.fill("#lr", "1e300");
    await runKept(page, 3);
    const diverged = page.locator('#runs-list li[data-run="3"]');
    expect(await diverged.getAttribute("data-outcome")).toBe("diverged");
    expect(await diverged.locator(".run-note").textContent()).toMatch(/^⚠ diverged: The (loss|parameter \w+) became/);
    expect(await diverged.locator(".run-use").isDisabled()).toBe(true);
    // lr 20 finishes but learns nothing: kept, marked failed, and not used unless picked.
    await page.fill("#lr", "20");
    await runKept(page, 4);
    expect(await page.getAttribute('#runs-list li[data-run="4"]', "data-outcome")).toBe("failed");
    expect(await page.textContent('#runs-list li[data-run="1"] .run-use')).toBe("Used by Predict");
    await page.reload();
    const after = await predictAccuracy(page);
    expect(after.info).toContain("Run 1: TwoLayerNet");
    expect(after.accuracy).toBe(expected[0]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("the runs list and chart fit a 390×844 phone", async () => {
    const { page, errors } = await openPage(app.browser, `${app.url}?${QUERY}`, PHONE);
    await runKept(page, 1);
    await page.fill("#seed", "1");
    await runKept(page, 2);
    await page.check('#runs-list li[data-run="1"] .run-compare');
    await page.check('#runs-list li[data-run="2"] .run-compare');
    expect(await page.locator("#runs-legend li").count()).toBe(2);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
    await page.locator("#runs").screenshot({ path: shotPath("runs-phone.png") });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

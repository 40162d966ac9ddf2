// End-to-end tests of the 2-D playground: a 2-8-8-2 MultiLayerNet learns the toy data sets in
// Chromium, fast; the boundary and the hidden neurons are drawn; settings rebuild the net; the
// page does not scroll sideways on a phone.
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { openPage, shotPath } from "./harness.js";
import { DESKTOP, PHONE, servedApp } from "./suite.js";

const app = servedApp();

interface Shown {
  epoch: number;
  msPerEpoch: number;
  epochsPerSecond: number;
  trainLoss: number;
  testLoss: number;
  trainAccuracy: number;
  testAccuracy: number;
}

const shown = async (page: Page): Promise<Shown> =>
  JSON.parse((await page.getAttribute("section[aria-labelledby=playground-title]", "data-json")) ?? "null") as Shown;

async function playUntil(page: Page, epochs: number): Promise<void> {
  await page.click("#pg-play");
  await page.waitForFunction(
    (n) => Number(document.querySelector<HTMLElement>("section[aria-labelledby=playground-title]")?.dataset.epoch) >= n,
    epochs,
    { timeout: 60_000 },
  );
  await page.click("#pg-play");
}

/** Non-white pixels of a canvas (something was drawn). */
const colourful = (page: Page, sel: string) =>
  page.evaluate((s) => {
    const c = document.querySelector<HTMLCanvasElement>(s)!;
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] !== 255 || d[i + 1] !== 255 || d[i + 2] !== 255) n++;
    return n;
  }, sel);

describe("the playground", () => {
  test("a 2-8-8-2 ReLU net (Adam 0.01) learns circles: accuracy, the boundary, 16 neuron images, epochs per second", async () => {
    const { page, errors } = await openPage(app.browser, `${app.url}?view=playground`, DESKTOP);
    await page.waitForSelector("#pg-boundary");
    expect(await page.locator("#pg-neurons canvas.neuron").count()).toBe(16);
    const before = await shown(page);
    expect(before.epoch).toBe(0);
    // An untrained net is near chance on two balanced classes: loss near ln 2.
    expect(before.trainLoss).toBeGreaterThan(0.5);
    await playUntil(page, 300);
    const after = await shown(page);
    expect(after.epoch).toBeGreaterThanOrEqual(300);
    // Circles are separable by a ring: a 2-8-8-2 net gets nearly all test points right.
    expect(after.testAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(after.trainLoss).toBeLessThan(before.trainLoss / 4);
    expect(await colourful(page, "#pg-boundary")).toBeGreaterThan(1000);
    expect(await colourful(page, "#pg-neurons canvas.neuron")).toBeGreaterThan(0);
    // The figure for the report (no assertion on time: the machine is shared).
    console.log(
      `playground 2-8-8-2, 200 train points, batch 10: ${after.msPerEpoch.toFixed(2)} ms per epoch, ${after.epochsPerSecond} epochs/s in the last second`,
    );
    await page.screenshot({ path: shotPath("playground-desktop.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("xor with sigmoid and SGD, spiral with BatchNorm and Dropout (MultiLayerNetExtend), bad settings say what to enter", async () => {
    const { page, errors } = await openPage(app.browser, `${app.url}?view=playground`, DESKTOP);
    await page.waitForSelector("#pg-boundary");
    await page.selectOption("#pg-dataset", "xor");
    await page.selectOption("#pg-optimizer", "sgd");
    // SGD's suggested rate: ten times the book's 0.01.
    expect(await page.inputValue("#pg-lr")).toBe("0.1");
    await page.fill("#pg-hidden", "4");
    await page.dispatchEvent("#pg-hidden", "change");
    expect(await page.locator("#pg-neurons canvas.neuron").count()).toBe(4);
    await playUntil(page, 200);
    expect((await shown(page)).testAccuracy).toBeGreaterThanOrEqual(0.9);
    await page.selectOption("#pg-dataset", "spiral");
    await page.check("#pg-batchnorm");
    await page.fill("#pg-dropout", "0.1");
    await page.dispatchEvent("#pg-dropout", "change");
    expect((await shown(page)).epoch).toBe(0);
    await playUntil(page, 20);
    expect(Number.isFinite((await shown(page)).trainLoss)).toBe(true);
    await page.fill("#pg-hidden", "8,abc");
    await page.dispatchEvent("#pg-hidden", "change");
    expect(await page.textContent("#pg-message")).toBe(
      'Hidden sizes must be 1 to 6 integers from 1 to 16, separated by commas, got "8,abc"',
    );
    expect(await page.getAttribute("#pg-hidden", "aria-invalid")).toBe("true");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("on a 390×844 phone: no sideways scroll while it plays", async () => {
    const { page, errors } = await openPage(app.browser, `${app.url}?view=playground`, PHONE);
    await page.waitForSelector("#pg-boundary");
    await playUntil(page, 50);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
    await page.screenshot({ path: shotPath("playground-phone.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

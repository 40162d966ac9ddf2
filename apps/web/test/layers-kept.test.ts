// End-to-end test of the Layers view's "kept for backward": what each layer's forward stores for
// its backward, read from the real layer between the two calls, with its shape.
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { openPage, shotPath } from "./harness.js";
import { DESKTOP, PHONE, servedApp } from "./suite.js";

const app = servedApp();

const cells = (page: Page, id: string) => page.locator(`#${id} td`).allTextContents();

describe("the Layers view shows what forward keeps for backward", () => {
  test("Relu's mask, Sigmoid's out, Affine's x, SoftmaxWithLoss's y and t, with shapes", async () => {
    const { page, errors } = await openPage(app.browser, `${app.url}?view=layers`, DESKTOP);
    // x = [[1, -0.5], [-2, 3]]: the mask is 1 where x > 0.
    expect(await page.textContent("#layer-kept-mask-title")).toBe(
      "kept for backward: mask: 1 where x > 0, else 0 (2×2)",
    );
    expect(await cells(page, "layer-kept-mask")).toEqual(["1", "0", "0", "1"]);
    expect(await page.textContent("#layer-out-title")).toBe("Relu.forward(x) (2×2)");
    await page.selectOption("#layer-choice", "Sigmoid");
    // sigmoid(1) = 1 / (1 + e^-1) = 0.7310585786300049 (float64).
    expect((await cells(page, "layer-kept-out"))[0]).toBe(String(1 / (1 + Math.exp(-1))));
    await page.selectOption("#layer-choice", "Affine");
    expect(await page.textContent("#layer-kept-x-title")).toBe("kept for backward: x (2×2)");
    expect(await cells(page, "layer-kept-x")).toEqual(["1", "-0.5", "-2", "3"]);
    await page.selectOption("#layer-choice", "SoftmaxWithLoss");
    expect(await page.textContent("#layer-kept-y-title")).toBe("kept for backward: y (2×2)");
    expect(await cells(page, "layer-kept-t")).toEqual(["0", "1"]);
    await page.screenshot({ path: shotPath("layers-kept-desktop.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
    const phone = await openPage(app.browser, `${app.url}?view=layers&layer=Affine`, PHONE);
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
    await phone.page.screenshot({ path: shotPath("layers-kept-phone.png"), fullPage: true });
    await phone.page.context().close();
  });
});

// End-to-end test of the gradient check on a BatchNorm net: the bias before BatchNorm1 shows a
// relative error near 1 (its true gradient is 0, so both numbers are round-off) and the page says why.
import { describe, expect, test } from "vitest";
import { openPage, runGradCheck, shotPath } from "./harness.js";
import { PHONE, servedApp } from "./suite.js";

const app = servedApp();

describe("gradient check of a BatchNorm net", () => {
  test("b1 before BatchNorm1: relative error about 1 on round-off differences, explained; the rest pass", async () => {
    const { page, errors } = await openPage(
      app.browser,
      `${app.url}?view=gradcheck&net=multi-extend&hidden=10&batchnorm=1&optimizer=adam&lr=0.001`,
      PHONE,
    );
    // 784×10 + 10 + 10×10 + 10 Affine weights and biases, and gamma1, beta1 of 10 each.
    expect(await page.textContent("#gradcheck-net")).toContain(
      "MultiLayerNetExtend 784-10-10 (ReLU, std 0.01 init, BatchNorm), float64, seed 0: 7,980 weights, so 15,960 loss evaluations",
    );
    // With BatchNorm the check takes 10 images (on 3, W1's numerical gradient is off by 2.6e-2:
    // measured in Node with checkNet, h = 1e-4; with 10 images 9.0e-8).
    expect(await page.textContent("#gradcheck-net")).toContain("loss evaluations on the first 10 training images.");
    const rows = await runGradCheck(page, 120_000);
    const w1 = rows.find((r) => r.name === "W1")!;
    expect(w1.max).toBeLessThan(1e-6);
    const b1 = rows.find((r) => r.name === "b1")!;
    // b1's true gradient is 0 (BatchNorm subtracts the minibatch mean, so b1 cancels): both
    // gradients are round-off, far below the pass bound 1e-5, and so is their difference; relative
    // to their own size they differ by about 1 (at least 0.1).
    expect(b1.max).toBeLessThan(1e-9);
    expect(b1.rel).toBeGreaterThan(0.1);
    expect(b1.result).toBe("pass (a bias before BatchNorm: see below)");
    // The output bias b2 follows no BatchNorm: an ordinary row.
    expect(rows.find((r) => r.name === "b2")!.result).toBe("pass");
    expect(rows.every((r) => r.result?.startsWith("pass"))).toBe(true);
    const note = (await page.textContent("#gradcheck-bn-note")) ?? "";
    expect(note).toMatch(/^b1: a relative error near 1 is expected here\. /);
    expect(note).toContain("Its true gradient is 0, and both numbers are round-off");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
    await page.screenshot({ path: shotPath("gradcheck-bn-phone.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

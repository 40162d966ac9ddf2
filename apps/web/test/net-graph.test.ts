// End-to-end test of TwoLayerNet's graph view: the page steps the layers of a real TwoLayerNet on
// the first MNIST test images and must give the loss and gradients that the same net gives in Node
// through `loss` and `gradient` (the same layers, so the same float64 bits).
import { loadMnistTest } from "@bp/data";
import { createNet, firstRows } from "@bp/nets";
import { tensor } from "@bp/tensor";
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { openPage, shotPath } from "./harness.js";
import { DESKTOP, PHONE, servedApp } from "./suite.js";

const app = servedApp();

interface Shown {
  loss: number | null;
  grads: Record<string, { sum: number; first: number[] } | null>;
}

const shown = async (page: Page): Promise<Shown> =>
  JSON.parse((await page.getAttribute("section[aria-labelledby=netgraph-title]", "data-json")) ?? "null") as Shown;

/** TwoLayerNet 784-50-10 (seed) in Node on test images [from, from + n): loss and gradient. */
function reference(n: number, from: number, seed: number): Shown {
  const { xTest, tTest } = loadMnistTest({});
  const x = tensor(firstRows(xTest, from + n).data.slice(from * 784), { shape: [n, 784] });
  const t = tensor(firstRows(tTest, from + n).data.slice(from), { shape: [n] });
  const net = createNet({ net: "two-layer", inputSize: 784, outputSize: 10, hidden: [50], seed });
  const loss = net.loss(x, t);
  const g = net.gradient(x, t);
  const pick = (k: string) => ({
    sum: Array.from(g[k]!.data).reduce((a, b) => a + b, 0),
    first: Array.from(g[k]!.data.subarray(0, 4)),
  });
  return { loss, grads: { dW1: pick("W1"), db1: pick("b1"), dW2: pick("W2"), db2: pick("b2") } };
}

async function stepTo(page: Page, position: number): Promise<void> {
  await page.click("#net-step");
  await page.waitForFunction(
    (p) =>
      document.querySelector<HTMLElement>("section[aria-labelledby=netgraph-title]")?.dataset.position === String(p),
    position,
  );
}

/** Chromium's V8 and Node's may round Math.exp (softmax) differently in the last bit, so the
 * page's numbers equal Node's to a relative 1e-12 (a wrong rule is off by far more). */
function expectClose(page: Shown, ref: Shown): void {
  expect(page.loss).toBeCloseTo(ref.loss!, 14);
  for (const k of ["dW1", "db1", "dW2", "db2"]) {
    const [p, r] = [page.grads[k], ref.grads[k]];
    expect(p === null, k).toBe(r === null);
    if (p == null || r == null) continue;
    expect(Math.abs(p.sum - r.sum), `${k} sum`).toBeLessThan(1e-14);
    for (let i = 0; i < 4; i++)
      expect(Math.abs(p.first[i]! - r.first[i]!), `${k}[${i}]`).toBeLessThanOrEqual(Math.abs(r.first[i]!) * 1e-12);
  }
}

const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);

describe("TwoLayerNet's graph", () => {
  test("steps Affine1, Relu1, Affine2, SoftmaxWithLoss on 4 MNIST images and back to dW1..db2 with Node's numbers", async () => {
    const { page, errors } = await openPage(app.browser, `${app.url}?view=netgraph`, DESKTOP);
    await page.waitForFunction(
      () => document.querySelector("section[aria-labelledby=netgraph-title]")?.getAttribute("data-position") === "0",
    );
    // The first 4 test images are a 7, 2, 1 and 0.
    expect(await page.textContent("#net-labels")).toBe("Labels t of the 4 images: 7, 2, 1, 0");
    expect(await page.textContent("#stage-x .shape")).toBe("x · 4×784");
    expect(await page.getAttribute("#fwd-a1", "data-empty")).toBe("true");
    await stepTo(page, 1);
    expect(await page.textContent("#fwd-a1 span")).toBe("a1 (4×50)");
    expect(await page.textContent("#stage-a1 .shape")).toBe("a1 · 4×50");
    await stepTo(page, 2);
    expect(await page.textContent("#mask span")).toBe("mask (4×50)");
    await stepTo(page, 3);
    expect(await page.textContent("#stage-a2 .shape")).toBe("a2 (scores) · 4×10");
    await stepTo(page, 4);
    const ref = reference(4, 0, 0);
    // A fresh net (weights std 0.01) is close to uniform: L ≈ ln 10 = 2.3026.
    expect(ref.loss).toBeCloseTo(Math.log(10), 2);
    expect((await shown(page)).loss).toBeCloseTo(ref.loss!, 14);
    expect(await page.textContent("#net-loss")).toBe(`loss L = ${(await shown(page)).loss}`);
    expect(await page.getAttribute("#bwd-a2", "data-empty")).toBe("true");
    await page.screenshot({ path: shotPath("netgraph-forward-desktop.png"), fullPage: true });
    await stepTo(page, 5);
    expect(await page.textContent("#bwd-a2 span")).toBe("dL/da2 (scores) (4×10)");
    await stepTo(page, 6);
    expectClose(await shown(page), { loss: ref.loss, grads: { ...ref.grads, dW1: null, db1: null } });
    await stepTo(page, 7);
    await stepTo(page, 8);
    // Stepped layer by layer, the gradients are exactly the net's gradient(x, t).
    expectClose(await shown(page), ref);
    expect(await page.isDisabled("#net-step")).toBe(true);
    expect(await page.textContent("#dW1 span")).toBe("dW1 (each hidden unit's 784 weights as 28×28) (784×50)");
    // TwoLayerNet's first layer skips dx (nothing uses it), and the view says so.
    expect(await page.textContent("#bwd-x .pending")).toContain("computeDx off");
    await page.screenshot({ path: shotPath("netgraph-desktop.png"), fullPage: true });
    expect(await pageWidth(page)).toBe(1280);
    // Other images and another seed, from the URL.
    await page.fill("#net-n", "3");
    await page.dispatchEvent("#net-n", "change");
    await page.fill("#net-from", "10");
    await page.dispatchEvent("#net-from", "change");
    await page.fill("#net-seed", "5");
    await page.dispatchEvent("#net-seed", "change");
    expect(new URL(page.url()).searchParams.get("netfrom")).toBe("10");
    expectClose(await shown(page), reference(3, 10, 5));
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("on a 390×844 phone the stages wrap: no sideways scroll before or after the backward pass", async () => {
    const { page, errors } = await openPage(app.browser, `${app.url}?view=netgraph&netn=8`, PHONE);
    await page.waitForFunction(
      () => document.querySelector("section[aria-labelledby=netgraph-title]")?.getAttribute("data-position") === "0",
    );
    expect(await pageWidth(page)).toBe(390);
    await page.click("#net-run-all");
    await page.waitForFunction(
      () => document.querySelector("section[aria-labelledby=netgraph-title]")?.getAttribute("data-position") === "8",
    );
    expect(await pageWidth(page)).toBe(390);
    expectClose(await shown(page), reference(8, 0, 0));
    await page.screenshot({ path: shotPath("netgraph-phone.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

// End-to-end tests of the PRODUCTION BUILD: `vite preview` serves apps/web/dist (turbo builds it
// before the test task) with the COOP/COEP headers, and real Chromium drives every view. A
// screenshot of each view is written to apps/web/reports/ (git-ignored) as a test artifact.
import type { PreviewServer } from "vite";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { checkBuilt, launch, openPage, screenshot, startPreview } from "./harness.js";

let server: PreviewServer | undefined;
let url = "";
let browser: Browser | undefined;

beforeAll(async () => {
  checkBuilt();
  ({ server, url } = await startPreview(true));
  browser = await launch();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The forward and backward text of one value in the graph's table. */
async function graphValue(page: Page, id: string): Promise<{ fwd: string; bwd: string }> {
  const row = page.locator(`#graph-table tr[data-id="${id}"]`);
  return {
    fwd: (await row.locator("td.fwd").textContent()) ?? "",
    bwd: (await row.locator("td.bwd").textContent()) ?? "",
  };
}

describe("the shell", () => {
  test("landmarks, a view switcher whose state is in the URL, diagnostics collapsed", async () => {
    const { page, errors } = await openPage(browser!, url);
    expect(await page.locator("header").count()).toBe(1);
    expect(await page.locator("main").count()).toBe(1);
    expect(await page.locator("footer").count()).toBe(1);
    expect(await page.locator("nav[aria-label=Views] a").allTextContents()).toEqual([
      "Graph",
      "Layers",
      "Train",
      "Predict",
      "Gradient check",
    ]);
    expect(await page.getAttribute("#nav-graph", "aria-current")).toBe("page");
    // Diagnostics are in a closed <details>, and the page has exactly one status region and no
    // other live region (nothing announces per frame or per iteration).
    expect(await page.evaluate(() => (document.getElementById("diagnostics") as HTMLDetailsElement).open)).toBe(false);
    expect(await page.locator("[aria-live], [role=status], [role=alert], [role=log]").count()).toBe(1);
    expect(await page.locator("#diagnostics").textContent()).toContain("yes (SharedArrayBuffer available)");
    await page.click("#nav-train");
    await page.waitForFunction(() => document.body.dataset.ready === "train");
    expect(new URL(page.url()).searchParams.get("view")).toBe("train");
    await page.goBack();
    await page.waitForFunction(() => document.body.dataset.ready === "graph");
    expect(await page.getAttribute("#nav-graph", "aria-current")).toBe("page");
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

describe("computational graph", () => {
  test("steps the book's apples and oranges forward then backward with MulLayer/AddLayer", async () => {
    const { page, errors } = await openPage(browser!, url);
    // Forward: 100 × 2 = 200, 150 × 3 = 450, 200 + 450 = 650, 650 × 1.1 = 715.0000000000001
    // (the book prints 715.0000000000001).
    const fwd = ["200", "450", "650", "715.0000000000001"];
    for (const [i, id] of ["mulApple", "mulOrange", "add", "mulTax"].entries()) {
      expect((await graphValue(page, id)).fwd).toBe("");
      await page.click("#graph-step");
      expect(await graphValue(page, id)).toEqual({ fwd: fwd[i], bwd: "" });
    }
    expect(await page.textContent("#graph-step")).toBe("Step backward");
    // Backward from dprice = 1: the tax node swaps its inputs (d all = 1.1, d tax = 650), the sum
    // passes 1.1 on, the products swap: d apple = 1.1 × 2 = 2.2, d apple count = 1.1 × 100 =
    // 110.00000000000001, d orange = 1.1 × 3 = 3.3000000000000003, d orange count = 1.1 × 150 = 165
    // (the book's printed output of buy_apple_orange.py).
    await page.click("#graph-step");
    expect(await graphValue(page, "tax")).toEqual({ fwd: "1.1", bwd: "650" });
    expect(await graphValue(page, "add")).toEqual({ fwd: "650", bwd: "1.1" });
    expect((await graphValue(page, "apple")).bwd).toBe("");
    await page.click("#graph-step");
    expect(await graphValue(page, "mulApple")).toEqual({ fwd: "200", bwd: "1.1" });
    await page.click("#graph-step");
    expect(await graphValue(page, "orange")).toEqual({ fwd: "150", bwd: "3.3000000000000003" });
    expect(await graphValue(page, "orangeNum")).toEqual({ fwd: "3", bwd: "165" });
    await page.click("#graph-step");
    expect(await graphValue(page, "apple")).toEqual({ fwd: "100", bwd: "2.2" });
    expect(await graphValue(page, "appleNum")).toEqual({ fwd: "2", bwd: "110.00000000000001" });
    expect(await page.isDisabled("#graph-step")).toBe(true);
    // The figure shows the same numbers above and below the edges.
    expect(await page.textContent("#fwd-mulTax")).toBe("715.0000000000001");
    expect(await page.textContent("#bwd-appleNum")).toBe("110.00000000000001");
    await screenshot(page, "graph");
    // Back one step undoes the last backward step.
    await page.click("#graph-back");
    expect((await graphValue(page, "apple")).bwd).toBe("");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("the apples graph from a link, run all, and an edited input that lands in the URL", async () => {
    const { page } = await openPage(browser!, `${url}?graph=apples`);
    await page.click("#graph-run-all");
    // 100 × 2 × 1.1 = 220.00000000000003 (figure 5-14; the book prints 220.00000000000003).
    expect(await graphValue(page, "mulTax")).toEqual({ fwd: "220.00000000000003", bwd: "1" });
    expect(await graphValue(page, "tax")).toEqual({ fwd: "1.1", bwd: "200" });
    expect(await graphValue(page, "appleNum")).toEqual({ fwd: "2", bwd: "110.00000000000001" });
    await page.fill("#graph-in-appleNum", "3");
    // 100 × 3 = 300, 300 × 1.1 = 330 exactly in float64; d apple count = 1.1 × 100.
    expect(await graphValue(page, "mulTax")).toEqual({ fwd: "330", bwd: "1" });
    expect(await graphValue(page, "apple")).toEqual({ fwd: "100", bwd: "3.3000000000000003" });
    expect(new URL(page.url()).searchParams.get("appleNum")).toBe("3");
    await page.fill("#graph-in-tax", "abc");
    expect(await page.textContent("#graph-input-error")).toBe('tax must be a number, got "abc"');
    expect(await page.getAttribute("#graph-in-tax", "aria-invalid")).toBe("true");
    // The link reproduces the edited graph.
    const { page: again } = await openPage(browser!, `${url}?graph=apples&appleNum=3`);
    await again.click("#graph-run-all");
    expect((await graphValue(again, "mulTax")).fwd).toBe("330");
    await again.context().close();
    await page.context().close();
  });
});

describe("on a 390×844 phone", () => {
  test("no view scrolls sideways and every control is at least 44 px", async () => {
    for (const view of ["graph", "layers", "train", "predict", "gradcheck"]) {
      const { page } = await openPage(browser!, `${url}?view=${view}`, {
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 3,
        isMobile: true,
        hasTouch: true,
      });
      await page.waitForFunction((v) => document.body.dataset.ready === v, view);
      const { scrollWidth, small } = await page.evaluate(() => {
        const small: string[] = [];
        for (const el of document.querySelectorAll<HTMLElement>(
          "main button, main input, main select, nav a, summary",
        )) {
          const r = el.getBoundingClientRect();
          if (r.width === 0 || el.closest("[hidden]") !== null) continue;
          if (r.height < 44 || r.width < 44) small.push(`${el.tagName}#${el.id} ${r.width}x${r.height}`);
        }
        return { scrollWidth: document.documentElement.scrollWidth, small };
      });
      expect({ view, scrollWidth, small }).toEqual({ view, scrollWidth: 390, small: [] });
      await screenshot(page, `phone-${view}`);
      await page.context().close();
    }
  });
});

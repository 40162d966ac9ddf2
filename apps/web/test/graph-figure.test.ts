// End-to-end tests of the computational graph's figure as the book draws it (figures 5-15 to
// 5-17): every text on its own horizontal run, nothing overlapping or clipped at any input, and
// no sideways page scroll on a phone. Drives the production build in Chromium (see harness.ts).
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { openPage, screenshot, shotPath } from "./harness.js";
import { DESKTOP, PHONE, servedApp } from "./suite.js";

const app = servedApp();

/** Pairs of the figure's texts and node circles whose boxes intersect, and texts outside the
 * figure's viewBox, in figure units. */
function overlaps(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const svg = document.getElementById("graph-svg") as unknown as SVGSVGElement;
    const view = svg.viewBox.baseVal;
    const boxes: { name: string; b: DOMRect }[] = [];
    for (const t of svg.querySelectorAll<SVGTextElement>("text")) {
      if ((t.textContent ?? "") === "") continue;
      // getBBox ignores textLength; the squeezed width is the textLength.
      const b = t.getBBox();
      const len = t.getAttribute("textLength");
      if (len !== null) {
        const w = Number(len);
        b.x += (b.width - w) / 2;
        b.width = w;
      }
      boxes.push({ name: `${t.getAttribute("class") ?? ""}:${t.textContent}`, b });
    }
    const problems: string[] = [];
    for (const { name, b } of boxes) {
      if (
        b.x < view.x ||
        b.y < view.y ||
        b.x + b.width > view.x + view.width ||
        b.y + b.height > view.y + view.height
      ) {
        problems.push(`${name} leaves the figure`);
      }
    }
    for (const c of svg.querySelectorAll("circle")) {
      const b = c.getBBox();
      boxes.push({ name: `node ${c.parentElement!.id}`, b });
    }
    const hit = (p: DOMRect, q: DOMRect): boolean =>
      p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height;
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [p, q] = [boxes[i]!, boxes[j]!];
        // A node's own operator sits in its circle.
        if (p.name.startsWith("op:") || q.name.startsWith("op:")) continue;
        if (hit(p.b, q.b)) problems.push(`${p.name} overlaps ${q.name}`);
      }
    }
    return problems;
  });
}

describe("the apples-and-oranges figure", () => {
  test("names, forward values above, red backward arrows and values below, the local rule at each node", async () => {
    const { page, errors } = await openPage(app.browser, `${app.url}`, DESKTOP);
    await page.click("#graph-run-all");
    // Each run carries its value's name, its forward value and d price / d value (the book's
    // numbers: 110.00000000000001 = 1.1 × 100, 3.3000000000000003 = 1.1 × 3).
    const run = async (id: string) =>
      page.evaluate((i) => {
        const g = document.querySelector(`#graph-svg g.edge[data-id="${i}"]`)!;
        return {
          name: g.querySelector(".edge-name")!.textContent,
          fwd: g.querySelector("text.fwd")!.textContent,
          bwd: g.querySelector("text.bwd")!.textContent,
          red: g.querySelector("path.bwd-arrow") !== null,
        };
      }, id);
    expect(await run("mulApple")).toEqual({ name: "apple price", fwd: "200", bwd: "1.1", red: true });
    expect(await run("mulOrange")).toEqual({ name: "orange price", fwd: "450", bwd: "1.1", red: true });
    expect(await run("appleNum")).toEqual({ name: "apple count", fwd: "2", bwd: "110.00000000000001", red: true });
    expect(await run("orange")).toEqual({ name: "orange", fwd: "150", bwd: "3.3000000000000003", red: true });
    expect(await run("mulTax")).toEqual({ name: "price", fwd: "715.0000000000001", bwd: "1", red: true });
    // Forward values sit above their edge, backward values below it.
    const ys = await page.evaluate(() => {
      const y = (sel: string) => {
        const b = document.querySelector<SVGGraphicsElement>(sel)!.getBBox();
        return [b.y, b.y + b.height];
      };
      return { fwd: y("#fwd-appleNum"), bwd: y("#bwd-appleNum") };
    });
    expect(ys.fwd[1]).toBeLessThanOrEqual(190);
    expect(ys.bwd[0]).toBeGreaterThanOrEqual(190);
    expect(await page.locator("#graph-svg .rule").allTextContents()).toEqual([
      "d·b | d·a",
      "d·b | d·a",
      "d | d",
      "d·b | d·a",
    ]);
    expect(await page.locator("#graph-svg text.op").allTextContents()).toEqual(["×", "×", "+", "×"]);
    expect(await overlaps(page)).toEqual([]);
    await page.screenshot({ path: shotPath("graph-desktop.png"), fullPage: true });
    // Before the backward pass there are no red arrows.
    await page.click("#graph-reset");
    expect(await page.locator("#graph-svg path.bwd-arrow").count()).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("no overlap or clipping with 1e300, 123456.789 and 110.00000000000001, and no sideways scroll at 390×844", async () => {
    const inputs = [
      "apple=1e300&orange=123456.789&tax=110.00000000000001",
      "apple=123456.789&appleNum=123456.789&orange=-1.2345678901234567e-300&orangeNum=3.3000000000000003&tax=1e300",
      "apple=110.00000000000001&appleNum=3.3000000000000003&orange=0.1&orangeNum=0.2&tax=1.1",
    ];
    for (const q of inputs) {
      for (const options of [DESKTOP, PHONE]) {
        const { page, errors } = await openPage(app.browser, `${app.url}?${q}`, options);
        await page.click("#graph-run-all");
        expect({ q, problems: await overlaps(page) }).toEqual({ q, problems: [] });
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(options.viewport.width);
        if (q === inputs[0] && options === PHONE) {
          // 1e300 × 2 = 2e+300; 2e+300 + 370370.367 is 2e+300 in float64; × 110.00000000000001 =
          // 2.2000000000000005e+302 (node -e gives the same).
          expect(await page.textContent("#fwd-mulApple")).toBe("2e+300");
          expect(await page.textContent("#fwd-mulTax")).toBe("2.2000000000000005e+302");
          await page.screenshot({ path: shotPath("graph-phone-1e300.png"), fullPage: true });
        }
        if (q === inputs[1] && options !== PHONE)
          await page.screenshot({ path: shotPath("graph-desktop-long.png"), fullPage: true });
        expect(errors).toEqual([]);
        await page.context().close();
      }
    }
    await screenshot((await openPage(app.browser, app.url, PHONE)).page, "phone-graph-figure");
  });

  test("in Korean, Japanese and Chinese the names fit their runs too (no overlap, no clipping, no sideways scroll)", async () => {
    for (const lang of ["ko", "ja", "zh-Hans"]) {
      for (const options of [DESKTOP, PHONE]) {
        const q = `lang=${lang}&apple=1e300&orange=123456.789&tax=110.00000000000001`;
        const { page, errors } = await openPage(app.browser, `${app.url}?${q}`, options);
        await page.click("#graph-run-all");
        expect({ q, problems: await overlaps(page) }).toEqual({ q, problems: [] });
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(options.viewport.width);
        expect(errors).toEqual([]);
        await page.context().close();
      }
    }
  });
});

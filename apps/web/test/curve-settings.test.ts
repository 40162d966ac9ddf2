// The Train view's accuracy curve: how often it is measured ("Accuracy every", or auto) and on how
// many test images ("Accuracy subset") are settings in the form and the URL; bad values are
// refused at the field and by Start; the curve's points equal Node's accuracy of the same net on
// the same rows at the same iterations.
import { firstRows } from "@bp/nets";
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { openPage } from "./harness.js";
import { nodeTrainer } from "./node-run.js";
import { DESKTOP, PHONE, servedApp } from "./suite.js";
import { pageWidth, runToEnd, shot, TRAIN } from "./train-page.js";

const app = servedApp();

/** Node's curve: after every `every`-th step, the accuracy on the first `rows` test rows. */
function nodeCurve(size: { iterations: number; trainSize: number; testSize: number }, every: number, rows: number) {
  const { net, trainer, data } = nodeTrainer(size, 0);
  const x = firstRows(data.xTest, rows);
  const t = firstRows(data.tTest, rows);
  const out: [number, number][] = [];
  for (let i = 1; i <= size.iterations; i++) {
    trainer.trainStep();
    if (i % every === 0) out.push([i, net.accuracy(x, t)]);
  }
  return out;
}

const curveOf = async (page: Page): Promise<[number, number, number | null][]> =>
  JSON.parse((await page.getAttribute("#train-chart", "data-curve")) ?? "[]");

/** A parameter of the page's URL as the page sees it (history.replaceState). */
const param = (page: Page, name: string): Promise<string | null> =>
  page.evaluate((n) => new URLSearchParams(location.search).get(n), name);

const errorOf = async (page: Page, field: string, value: string): Promise<string> => {
  await page.fill(`#${field}`, value);
  return (await page.textContent(`#${field}-error`)) ?? "";
};

describe("the accuracy curve's settings", () => {
  test("?curveEvery=10&curveRows=500: a point every 10 iterations on 500 test images, Node's accuracies", async () => {
    const size = { iterations: 300, trainSize: 5000, testSize: 1000 };
    const query = `view=train&backend=cpu&iterations=300&trainSize=5000&testSize=1000&curveEvery=10&curveRows=500`;
    const { page, errors } = await openPage(app.browser, `${app.url}?${query}`, DESKTOP);
    expect(await page.inputValue("#curveEvery")).toBe("10");
    expect(await page.inputValue("#curveRows")).toBe("500");
    const result = await runToEnd(page);
    expect(result.state).toBe("finished");
    expect(await page.textContent("#train-status")).toContain(
      "Test accuracy curve: every 10 iterations on the first 500 test images.",
    );
    const curve = await curveOf(page);
    expect(curve.map(([i, acc]) => [i, acc])).toEqual(nodeCurve(size, 10, 500));
    // The minibatch accuracy (the mean of the last 50 steps) is a fraction of a minibatch of 100.
    for (const [, , batch] of curve) expect(batch).toBeGreaterThan(0);
    expect(await param(page, "curveEvery")).toBe("10");
    await shot(page, "train-curve-desktop", "#train-result");
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  test("auto: max(10, iterations per epoch / 10); a subset larger than the run's test set uses all of it", async () => {
    const query = "view=train&backend=cpu&iterations=200&trainSize=1000&testSize=300&curveRows=2000";
    const { page, errors } = await openPage(app.browser, `${app.url}?${query}`, PHONE);
    expect(await page.inputValue("#curveEvery")).toBe("auto");
    await runToEnd(page);
    // 1000 images in minibatches of 100: 10 iterations per epoch, so auto is every 10.
    expect(await page.textContent("#train-status")).toContain(
      "Test accuracy curve: every 10 iterations on the first 300 test images.",
    );
    expect((await curveOf(page)).map(([i, acc]) => [i, acc])).toEqual(
      nodeCurve({ iterations: 200, trainSize: 1000, testSize: 300 }, 10, 300),
    );
    expect(await pageWidth(page)).toBe(390);
    await shot(page, "train-curve-phone", "#train-chart");
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  test("bad values are refused with what to enter; Start refuses; the URL keeps the last good value", async () => {
    const { page, errors } = await openPage(
      app.browser,
      `${app.url}?view=train&backend=cpu&iterations=40&curveEvery=abc&curveRows=0`,
      DESKTOP,
    );
    // A link with bad values opens with the defaults.
    expect(await page.inputValue("#curveEvery")).toBe("auto");
    expect(await page.inputValue("#curveRows")).toBe("500");
    expect(await errorOf(page, "curveEvery", "0")).toBe(
      'Accuracy every: "0" is neither a whole number of iterations from 1 to 1000000 nor auto; enter, for example, 50 or auto.',
    );
    expect(await errorOf(page, "curveEvery", "2.5")).toContain('"2.5" is neither a whole number');
    expect(await errorOf(page, "curveEvery", "every")).toContain('"every" is neither a whole number');
    expect(await errorOf(page, "curveEvery", " ")).toBe(
      "Accuracy every is empty: enter a whole number of iterations from 1 to 1000000, such as 50, or auto.",
    );
    expect(await errorOf(page, "curveEvery", "41")).toBe(
      "Accuracy every: 41 is more than the run's 40 iterations, so the curve would have no point; enter at most 40, or auto.",
    );
    expect(await page.getAttribute("#curveEvery", "aria-invalid")).toBe("true");
    expect(await errorOf(page, "curveEvery", "40")).toBe("");
    expect(await param(page, "curveEvery")).toBe("40");
    expect(await errorOf(page, "curveRows", "0")).toBe(
      "Accuracy subset: 0 is out of range; enter a whole number from 1 to 10000, such as 500.",
    );
    expect(await errorOf(page, "curveRows", "10001")).toContain("10001 is out of range");
    expect(await errorOf(page, "curveRows", "1.5")).toContain("1.5 is not a whole number");
    await page.click("#start");
    expect(await page.textContent("#train-message")).toBe("Fix the settings marked above, then start again.");
    expect(await page.getAttribute(TRAIN, "data-state")).toBe("idle");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("curveRows");
    expect(await param(page, "curveRows")).toBeNull();
    await page.fill("#curveEvery", "AUTO");
    await page.fill("#curveRows", "250");
    expect(await param(page, "curveEvery")).toBeNull();
    expect(await param(page, "curveRows")).toBe("250");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("SimpleConvNet draws no curve: its fields are hidden, ignored and left out of the URL", async () => {
    const { page, errors } = await openPage(
      app.browser,
      `${app.url}?view=train&backend=cpu&net=simple-conv&hidden=100&curveEvery=7&curveRows=90`,
      DESKTOP,
    );
    expect(await page.isHidden("#curveEvery")).toBe(true);
    expect(await page.isHidden("#curveRows")).toBe(true);
    await page.selectOption("#net", "two-layer");
    expect(await page.isVisible("#curveEvery")).toBe(true);
    // The link's 7 was for a net that draws no curve: the field holds the default.
    expect(await page.inputValue("#curveEvery")).toBe("auto");
    expect(await errorOf(page, "curveEvery", "abc")).toContain('"abc" is neither a whole number');
    // Back to SimpleConvNet: the bad text no longer blocks anything (the link takes the net).
    await page.selectOption("#net", "simple-conv");
    expect(await page.textContent("#curveEvery-error")).toBe("");
    expect(await param(page, "net")).toBe("simple-conv");
    expect(await param(page, "curveEvery")).toBeNull();
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

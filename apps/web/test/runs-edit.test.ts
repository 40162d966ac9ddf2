// Kept runs can be renamed and deleted (IndexedDB), the overlay draws every ticked run's accuracy
// curves (test solid, training dashed, in the run's colour) beside its losses, a reload keeps the
// names, deleting the run Predict uses leaves Predict without a net, and long names wrap on a phone.
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { openPage } from "./harness.js";
import { DESKTOP, PHONE, servedApp } from "./suite.js";
import { pageWidth, shot, TRAIN } from "./train-page.js";

const app = servedApp();
const QUERY = "view=train&backend=cpu&iterations=60&trainSize=1000&testSize=200&curveEvery=5&curveRows=200";

async function runKept(page: Page, id: number): Promise<void> {
  await page.click("#start");
  await page.waitForFunction(
    ([sel, n]) => document.querySelector<HTMLElement>(sel as string)?.dataset.runs === String(n),
    [TRAIN, id],
    { timeout: 60_000 },
  );
}

const titles = (page: Page) => page.locator("#runs-list .run-title").allTextContents();
const row = (id: number) => `#runs-list li[data-run="${id}"]`;

async function rename(page: Page, id: number, name: string): Promise<void> {
  await page.click(`${row(id)} .run-rename`);
  await page.fill(`${row(id)} .run-name`, name);
  await page.click(`${row(id)} .run-save`);
}

async function twoRuns(page: Page): Promise<void> {
  await runKept(page, 1);
  await page.fill("#seed", "1");
  await page.fill("#lr", "0.3");
  await runKept(page, 2);
  await page.check(`${row(1)} .run-compare`);
  await page.check(`${row(2)} .run-compare`);
}

describe("renaming, deleting and comparing runs", () => {
  test("rename (refusing an empty name), the accuracy overlay, a reload keeps names, delete", async () => {
    const { page, errors } = await openPage(app.browser, `${app.url}?${QUERY}`, DESKTOP);
    await twoRuns(page);
    // The accuracy overlay: a test (solid) and a training (dashed) series per run, in its colour.
    const series = JSON.parse((await page.getAttribute("#runs-acc-chart", "data-series")) ?? "[]");
    expect(series).toEqual([
      "Run 1: TwoLayerNet 784-50-10, sgd lr 0.1, 60 iterations, seed 0 test",
      "Run 1: TwoLayerNet 784-50-10, sgd lr 0.1, 60 iterations, seed 0 train (minibatch)",
      "Run 2: TwoLayerNet 784-50-10, sgd lr 0.3, 60 iterations, seed 1 test",
      "Run 2: TwoLayerNet 784-50-10, sgd lr 0.3, 60 iterations, seed 1 train (minibatch)",
    ]);
    const lines = await page
      .locator("#runs-legend li .runs-line")
      .evaluateAll((els) => els.map((e) => [getComputedStyle(e).borderTopColor, getComputedStyle(e).borderTopStyle]));
    expect(lines).toEqual([
      ["rgb(21, 84, 176)", "solid"],
      ["rgb(21, 84, 176)", "dashed"],
      ["rgb(194, 65, 12)", "solid"],
      ["rgb(194, 65, 12)", "dashed"],
    ]);
    // Every run's curve: 12 points (every 5 of 60 iterations), as the run kept them.
    const points = await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((res, rej) => {
        const r = indexedDB.open("bp-runs");
        r.onsuccess = () => res(r.result);
        r.onerror = () => rej(r.error);
      });
      const runs = await new Promise<{ curve: number[][] }[]>((res) => {
        const r = db.transaction("runs").objectStore("runs").getAll();
        r.onsuccess = () => res(r.result);
      });
      db.close();
      return runs.map((r) => r.curve.map((p) => p[0]));
    });
    expect(points).toEqual([1, 2].map(() => Array.from({ length: 12 }, (_, i) => 5 * (i + 1))));
    await shot(page, "runs-overlay-desktop", "#runs");

    // Rename: an empty name is refused and nothing changes; Escape cancels; Save keeps the name.
    await page.click(`${row(1)} .run-rename`);
    await page.fill(`${row(1)} .run-name`, "   ");
    await page.click(`${row(1)} .run-save`);
    expect(await page.textContent(`${row(1)} .field-error`)).toBe(
      "A run needs a name: type at least one character, or press Cancel to keep the old one.",
    );
    expect(await page.getAttribute(`${row(1)} .run-name`, "aria-invalid")).toBe("true");
    await page.fill(`${row(1)} .run-name`, "x".repeat(201));
    await page.click(`${row(1)} .run-save`);
    expect(await page.textContent(`${row(1)} .field-error`)).toBe(
      "That name is 201 characters long; a run's name may have at most 200. Shorten it, or press Cancel.",
    );
    await shot(page, "runs-rename-desktop", "#runs");
    await page.press(`${row(1)} .run-name`, "Escape");
    await page.waitForSelector(`${row(1)} .run-title`);
    await rename(page, 1, "  baseline: SGD 0.1  ");
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent === "baseline: SGD 0.1",
      `${row(1)} .run-title`,
    );
    // Enter saves too.
    await page.click(`${row(2)} .run-rename`);
    await page.fill(`${row(2)} .run-name`, "faster: SGD 0.3");
    await page.press(`${row(2)} .run-name`, "Enter");
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent === "faster: SGD 0.3",
      `${row(2)} .run-title`,
    );
    // The focus comes back to the row's Rename button.
    await page.waitForFunction(
      (sel) => document.activeElement === document.querySelector(sel),
      `${row(2)} .run-rename`,
    );
    // Predict uses run 2 (the last good run) and shows its new name.
    await page.click("#nav-predict");
    await page.waitForFunction(() =>
      (document.getElementById("model-info")?.textContent ?? "").includes("faster: SGD 0.3"),
    );

    await page.reload();
    await page.click("#nav-train");
    await page.waitForFunction(() => document.querySelectorAll("#runs-list li[data-run]").length === 2);
    expect(await titles(page)).toEqual(["baseline: SGD 0.1", "faster: SGD 0.3"]);
    expect(await page.textContent(`${row(2)} .run-use`)).toBe("Used by Predict");

    // Delete a run Predict does not use: Keep first (nothing happens), then Delete run.
    await page.click(`${row(1)} .run-delete`);
    expect(await page.textContent(`${row(1)} .run-question`)).toBe(
      "Delete baseline: SGD 0.1 and its net? This cannot be undone.",
    );
    await page.click(`${row(1)} .run-keep`);
    await page.waitForSelector(`${row(1)} .run-title`);
    await page.waitForFunction(
      (sel) => document.activeElement === document.querySelector(sel),
      `${row(1)} .run-delete`,
    );
    expect(await titles(page)).toEqual(["baseline: SGD 0.1", "faster: SGD 0.3"]);
    await page.click(`${row(1)} .run-delete`);
    await page.click(`${row(1)} .run-delete-yes`);
    await page.waitForFunction(() => document.querySelectorAll("#runs-list li[data-run]").length === 1);
    expect(await page.textContent(`${row(2)} .run-use`)).toBe("Used by Predict");

    // Delete the run Predict uses: the question says so, and Predict is left without a net.
    await page.click(`${row(2)} .run-delete`);
    expect(await page.textContent(`${row(2)} .run-question`)).toContain(
      "Predict uses this run's net: after deleting, Predict has no net until you pick another run or load a file.",
    );
    await shot(page, "runs-delete-desktop", "#runs");
    await page.click(`${row(2)} .run-delete-yes`);
    await page.waitForFunction(() => document.querySelectorAll("#runs-list li[data-run]").length === 0);
    await page.waitForFunction(
      (text) => document.getElementById("announcer")?.textContent === text,
      "faster: SGD 0.3 deleted; Predict has no net now: pick another run or load a file.",
    );
    await page.click("#nav-predict");
    expect(await page.textContent("#model-info")).toBe("No model yet: train one in the Train view, or load a file.");
    await page.reload();
    await page.click("#nav-predict");
    expect(await page.textContent("#model-info")).toBe("No model yet: train one in the Train view, or load a file.");
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  test("390×844: long names wrap in the list, the legend and the rename field; no sideways scroll", async () => {
    const { page, errors } = await openPage(app.browser, `${app.url}?${QUERY}`, PHONE);
    await twoRuns(page);
    const long = `${"a-very-long-run-name-without-spaces-".repeat(4)}end`;
    await rename(page, 1, long);
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.endsWith("end") === true,
      `${row(1)} .run-title`,
    );
    await rename(page, 2, "Two runs compared: a name with many words that does not fit on one line of a phone");
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.startsWith("Two") === true,
      `${row(2)} .run-title`,
    );
    expect(await pageWidth(page)).toBe(390);
    const right = await page
      .locator("#runs *")
      .evaluateAll((els) => Math.max(...els.map((e) => e.getBoundingClientRect().right)));
    expect(right).toBeLessThanOrEqual(390);
    await shot(page, "runs-overlay-phone", "#runs");
    await page.click(`${row(1)} .run-rename`);
    expect(await pageWidth(page)).toBe(390);
    await shot(page, "runs-rename-phone", "#runs");
    await page.press(`${row(1)} .run-name`, "Escape");
    await page.waitForSelector(`${row(1)} .run-title`);
    await page.click(`${row(1)} .run-delete`);
    expect(await pageWidth(page)).toBe(390);
    await shot(page, "runs-delete-phone", "#runs");
    // Every button of the rows is at least 44 px tall (a finger's size).
    const heights = await page
      .locator("#runs-list button")
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(44);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
});

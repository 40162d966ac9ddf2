// End-to-end tests of the Train form while a run is under way, and of the learning rate it
// suggests: an edit while paused is refused for that run (the note says so and the link keeps
// describing the run), and applies to the next; a new optimizer brings the book's default rate;
// rates that will not learn are warned about.
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { openPage, shotPath } from "./harness.js";
import { DESKTOP, PHONE, servedApp } from "./suite.js";

const app = servedApp();
const QUERY = "view=train&iterations=20&trainSize=1000&testSize=100&backend=cpu";

async function waitState(page: Page, state: string): Promise<void> {
  await page.waitForFunction(
    (s) => document.querySelector<HTMLElement>("section[aria-labelledby=train-title]")?.dataset.state === s,
    state,
    { timeout: 60_000 },
  );
}

const resultConfig = async (page: Page) =>
  (JSON.parse((await page.getAttribute("#train-result", "data-json")) ?? "null") as { config: { lr: number } }).config;

describe("editing settings while a run is under way", () => {
  test("paused: the edit is refused for the run (a note, the URL unchanged), and Start applies it to a new run", async () => {
    const { page, errors } = await openPage(app.browser, `${app.url}?${QUERY}`, DESKTOP);
    await page.click("#reset");
    await waitState(page, "paused");
    expect(await page.isHidden("#edit-note")).toBe(true);
    await page.fill("#lr", "0.5");
    await page.fill("#seed", "3");
    expect(await page.isVisible("#edit-note")).toBe(true);
    expect(JSON.parse((await page.getAttribute("#edit-note", "data-changes")) ?? "[]")).toEqual([
      "lr 0.1 → 0.5",
      "seed 0 → 3",
    ]);
    expect(await page.textContent("#edit-note")).toContain(
      "Not applied to the run under way: lr 0.1 → 0.5, seed 0 → 3.",
    );
    // The link still describes the paused run.
    const query = new URL(page.url()).searchParams;
    expect(query.get("lr")).toBeNull();
    expect(query.get("seed")).toBeNull();
    await page.screenshot({ path: shotPath("edit-paused-desktop.png"), fullPage: true });
    // Another view and back keeps the edit and the note (the form is not refilled from the URL).
    await page.click("#nav-layers");
    await page.click("#nav-train");
    expect(await page.inputValue("#lr")).toBe("0.5");
    expect(await page.isVisible("#edit-note")).toBe(true);
    // Resume runs the paused run to its end with the settings it started with.
    await page.click("#resume");
    await waitState(page, "finished");
    expect((await resultConfig(page)).lr).toBe(0.1);
    // Once no run is under way the form is the next run's settings, and the link says so.
    expect(await page.isHidden("#edit-note")).toBe(true);
    expect(new URL(page.url()).searchParams.get("lr")).toBe("0.5");
    expect(new URL(page.url()).searchParams.get("seed")).toBe("3");
    await page.click("#start");
    await waitState(page, "finished");
    expect((await resultConfig(page)).lr).toBe(0.5);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("a new optimizer suggests the book's rate for it; rates that will not learn are warned about", async () => {
    const { page, errors } = await openPage(app.browser, `${app.url}?${QUERY}`, PHONE);
    expect(await page.inputValue("#lr")).toBe("0.1");
    expect(await page.textContent("#lr-warning")).toBe("");
    // bp train's defaults: the book's common/optimizer.py (Adam 0.001, the others 0.01), except
    // SGD's 0.1 of ch05/train_neuralnet.py.
    for (const [optimizer, lr] of [
      ["adam", "0.001"],
      ["momentum", "0.01"],
      ["rmsprop", "0.01"],
      ["sgd", "0.1"],
    ]) {
      await page.selectOption("#optimizer", optimizer!);
      expect(await page.inputValue("#lr")).toBe(lr);
      expect(new URL(page.url()).searchParams.get("lr")).toBe(lr === "0.1" ? null : lr);
      expect(await page.textContent("#lr-warning")).toBe("");
    }
    await page.fill("#lr", "0.000001");
    expect(await page.textContent("#lr-warning")).toBe(
      "SGD with learning rate 0.000001 moves the weights so little that a few thousand iterations will barely change the loss; the book's default is 0.1.",
    );
    await page.fill("#lr", "20");
    expect(await page.textContent("#lr-warning")).toContain("SGD with learning rate 20 overshoots");
    await page.selectOption("#optimizer", "adam");
    await page.fill("#lr", "1");
    expect(await page.textContent("#lr-warning")).toBe(
      "Adam moves every weight by about the learning rate at each step, so 1 (weights start near 0.01) throws them far off and the net will probably not learn; the book's default is 0.001.",
    );
    // A warning does not stop a run (the user may want to see it fail).
    expect(await page.getAttribute("#lr", "aria-invalid")).toBe("false");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
    await page.locator("#config").screenshot({ path: shotPath("lr-warning-phone.png") });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

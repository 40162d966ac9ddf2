// Helpers of the tests that drive the Train view (mnist-chunks, curve-settings, runs-edit): wait
// for a run's state and read its result, and screenshot it.
import type { Page } from "playwright-core";
import { shotPath } from "./harness.js";

export const TRAIN = "section[aria-labelledby=train-title]";

/** The viewport (1280×800 or 390×844, as the user sees it) with `selector`'s top at the top, or
 * the whole page without one. */
export async function shot(page: Page, name: string, selector?: string): Promise<string> {
  const path = shotPath(`${name}.png`);
  if (selector === undefined) await page.screenshot({ path, fullPage: true });
  else {
    await page.locator(selector).evaluate((el) => el.scrollIntoView({ block: "start" }));
    await page.screenshot({ path });
  }
  return path;
}

export interface RunResult {
  state: string;
  final: { iteration: number; trainAccuracy: number; testAccuracy: number; loss: number };
  w2: number[];
  losses: number[];
}

/** Clicks Start and waits for the run to end; its state and result. */
export async function runToEnd(page: Page, timeout = 120_000): Promise<RunResult> {
  await page.click("#start");
  await page.waitForFunction(
    (sel) => ["finished", "diverged", "idle"].includes(document.querySelector<HTMLElement>(sel)?.dataset.state ?? ""),
    TRAIN,
    { timeout },
  );
  await page.waitForFunction(() => document.getElementById("train-result")?.dataset.json !== undefined, null, {
    timeout,
  });
  return JSON.parse((await page.getAttribute("#train-result", "data-json")) ?? "null") as RunResult;
}

/** The page's width as laid out (390 on a 390-pixel phone when nothing scrolls sideways). */
export const pageWidth = (page: Page): Promise<number> => page.evaluate(() => document.documentElement.scrollWidth);

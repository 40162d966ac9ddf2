// Serving the production build and driving Chromium, shared by the end-to-end tests and the
// measuring script (test/measure.ts).
import { existsSync, mkdirSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import { preview, type PreviewServer } from "vite";

export const appDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const distDir = join(appDir, "dist");
/** Screenshots and other artifacts of the e2e run (git-ignored). */
export const reportsDir = join(appDir, "reports");
/** Where the tests' screenshots go: $BP_SHOTS, else apps/web/reports/shots (git-ignored). */
export const shotsDir = process.env.BP_SHOTS ?? join(reportsDir, "shots");

/** The path of screenshot `file` in shotsDir, the directory made. */
export function shotPath(file: string): string {
  mkdirSync(shotsDir, { recursive: true });
  return join(shotsDir, file);
}

export function checkBuilt(): void {
  if (!existsSync(join(distDir, "index.html")) || !existsSync(join(distDir, "mnist", "chunks", "manifest.json"))) {
    throw new Error(
      `${distDir} is missing or incomplete (no index.html or mnist/chunks/): build the app first with ` +
        "`pnpm --filter @bp/web build` (turbo runs it before this test task)",
    );
  }
}

/** `vite preview` of dist on a free port; `isolated` adds the COOP/COEP headers of vite.config.ts. */
export async function startPreview(isolated: boolean): Promise<{ server: PreviewServer; url: string }> {
  const server = await preview({
    root: appDir,
    logLevel: "warn",
    // Without the config file: no COOP/COEP headers (dist/mnist is served as static files).
    ...(isolated ? { configFile: join(appDir, "vite.config.ts") } : { configFile: false }),
    preview: { host: "127.0.0.1", port: 0, strictPort: true, open: false },
  });
  const address = server.httpServer.address() as AddressInfo | null;
  if (address === null) throw new Error("vite preview did not start listening");
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.BP_CHROMIUM ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface OpenedPage {
  page: Page;
  /** Uncaught errors and console errors of the page. */
  errors: string[];
}

/** A new page (own context, so its own Cache Storage unless `context` is given) at `url`, with its
 * first view rendered. */
export async function openPage(
  browser: Browser,
  url: string,
  options: BrowserContextOptions = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready !== undefined);
  return { page, errors };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const path = shotPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

export interface GradCheckRowText {
  name: string | null;
  mean: number;
  max: number;
  rel: number;
  result: string | null | undefined;
}

/** Clicks "Run the check" in the Gradient check view, waits for the end and reads the table. */
export async function runGradCheck(page: Page, timeout = 90_000): Promise<GradCheckRowText[]> {
  await page.click("#gradcheck-run");
  await page.waitForFunction(
    () =>
      ["passed", "failed", "error"].includes(
        document.querySelector<HTMLElement>("section[aria-labelledby=gradcheck-title]")?.dataset.state ?? "",
      ),
    undefined,
    { timeout },
  );
  return page.locator("#gradcheck-table tbody tr").evaluateAll((trs) =>
    trs.map((tr) => ({
      name: tr.getAttribute("data-param"),
      mean: Number(tr.querySelector(".mean")?.textContent),
      max: Number(tr.querySelectorAll("td")[2]?.textContent),
      rel: Number(tr.querySelector(".rel")?.textContent),
      result: tr.querySelector("td:last-child")?.textContent,
    })),
  );
}

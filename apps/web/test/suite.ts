// The set-up every end-to-end file shares: `vite preview` of the build (with COOP/COEP) and one
// Chromium, started before the file's tests and closed after them.
import type { Browser } from "playwright-core";
import type { PreviewServer } from "vite";
import { afterAll, beforeAll } from "vitest";
import { checkBuilt, launch, startPreview } from "./harness.js";

/** The phone the tests emulate: 390×844 at 3 device pixels per CSS pixel, touch. */
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };
export const DESKTOP = { viewport: { width: 1280, height: 800 } };

export interface Served {
  url: string;
  browser: Browser;
}

/** Registers beforeAll/afterAll; the returned object is filled in before the first test. */
export function servedApp(): Served {
  const served = { url: "", browser: undefined as unknown as Browser };
  let server: PreviewServer | undefined;
  beforeAll(async () => {
    checkBuilt();
    ({ server, url: served.url } = await startPreview(true));
    served.browser = await launch();
  }, 60_000);
  afterAll(async () => {
    await served.browser?.close();
    await server?.close();
  });
  return served;
}

/** A second `vite preview` of the build without the config file: a plain static server (no
 * COOP/COEP, dist/mnist as static files, .gz labelled Content-Encoding: gzip). */
export function servedPlain(): { url: string } {
  const served = { url: "" };
  let server: PreviewServer | undefined;
  beforeAll(async () => {
    ({ server, url: served.url } = await startPreview(false));
  });
  afterAll(async () => {
    await server?.close();
  });
  return served;
}

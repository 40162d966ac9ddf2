// Browser tests of the worker backend, in Debian's Chromium driven by Playwright (vitest browser
// mode): `pnpm test:browser`. The server sends COOP/COEP headers so that pages are cross-origin
// isolated, which SharedArrayBuffer needs. Writes reports/vitest-browser.json.
import { playwright } from "@vitest/browser-playwright";
import { defineConfig } from "vitest/config";

const chromium = process.env.BP_CHROMIUM ?? "/usr/bin/chromium";
const isolation = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

export default defineConfig({
  // "@bp/source" points workspace imports at TypeScript sources; "browser" picks the browser entry
  // of "@bp/tensor/worker".
  resolve: { conditions: ["@bp/source", "browser", "module", "import", "default"] },
  server: { headers: isolation },
  optimizeDeps: { noDiscovery: true, include: [] },
  test: {
    name: "@bp/tensor (chromium)",
    include: ["test/**/*.browser.ts"],
    testTimeout: 120_000,
    reporters: ["default", ["json", { outputFile: "reports/vitest-browser.json" }]],
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath: chromium,
          args: [
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
          ],
        },
      }),
      instances: [{ browser: "chromium" }],
    },
  },
});

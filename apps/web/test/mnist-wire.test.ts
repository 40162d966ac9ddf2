// MNIST crosses the wire gzipped: the page fetches <name>.gz (plain gzip bytes) and decodes it with
// DecompressionStream, from the isolated preview (vite.config.ts's middleware) and from a plain
// static server of dist (the build's .gz copies).
import { statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { distDir, startPreview } from "./harness.js";
import { servedApp } from "./suite.js";
import type { PreviewServer } from "vite";

const app = servedApp();
let plain: { server: PreviewServer; url: string } | undefined;
beforeAll(async () => {
  plain = await startPreview(false);
});
afterAll(async () => {
  await plain?.server.close();
});

describe("MNIST on the wire", () => {
  test("the test set arrives as .gz files (about a fifth of the bytes) and decodes to the right images", async () => {
    for (const [base, encoding] of [
      [app.url, undefined],
      [plain!.url, "gzip"],
    ] as const) {
      // A new context (empty Cache Storage), watched from its first request.
      const context = await app.browser.newContext();
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      const fetched: { url: string; bytes: number; encoding: string | undefined }[] = [];
      page.on("response", async (r) => {
        if (!r.url().includes("/mnist/")) return;
        // The bytes on the wire (Content-Length); a static server labels .gz files Content-Encoding:
        // gzip (the browser decodes them, the page sees raw IDX), vite.config.ts's middleware does not.
        fetched.push({
          url: new URL(r.url()).pathname,
          bytes: Number(r.headers()["content-length"]),
          encoding: r.headers()["content-encoding"],
        });
      });
      await page.goto(`${base}?view=netgraph`);
      // The Net graph view decodes the first test labels: 7, 2, 1, 0.
      await page.waitForFunction(() => (document.getElementById("net-labels")?.textContent ?? "") !== "");
      expect(await page.textContent("#net-labels")).toBe("Labels t of the 4 images: 7, 2, 1, 0");
      await page.waitForTimeout(200);
      fetched.sort((a, b) => a.url.localeCompare(b.url));
      const gz = (name: string) => statSync(join(distDir, "mnist", `${name}.gz`)).size;
      expect(fetched).toEqual([
        { url: "/mnist/t10k-images-idx3-ubyte.gz", bytes: gz("t10k-images-idx3-ubyte"), encoding },
        { url: "/mnist/t10k-labels-idx1-ubyte.gz", bytes: gz("t10k-labels-idx1-ubyte"), encoding },
      ]);
      // 7 840 016 bytes of IDX images travel as about 1.6 MB.
      expect(gz("t10k-images-idx3-ubyte")).toBeLessThan(7_840_016 / 4);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });
});

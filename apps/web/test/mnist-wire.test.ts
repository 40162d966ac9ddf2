// MNIST crosses the wire gzipped: the page fetches gzipped IDX chunks (plain gzip bytes) and decodes
// them with DecompressionStream, from the isolated preview (vite.config.ts's middleware) and from a
// plain static server of dist (the build's copies). The Net graph view loads the whole test set
// (Predict's too): the four chunks of each test file.
import { statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { distDir } from "./harness.js";
import { servedApp, servedPlain } from "./suite.js";

const app = servedApp();
const plain = servedPlain();

describe("MNIST on the wire", () => {
  test("the test set arrives as .gz files (about a fifth of the bytes) and decodes to the right images", async () => {
    for (const [base, encoding] of [
      [app.url, undefined],
      [plain.url, "gzip"],
    ] as const) {
      // A new context (empty Cache Storage), watched from its first request.
      const context = await app.browser.newContext();
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      const fetched: { url: string; bytes: number; encoding: string | undefined }[] = [];
      page.on("response", async (r) => {
        if (!r.url().includes("/mnist/") || r.url().endsWith("manifest.json")) return;
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
      const gz = (name: string) => statSync(join(distDir, "mnist", "chunks", name)).size;
      const chunks = ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"].flatMap((f) =>
        [0, 1, 2, 3].map((i) => `${f}.${i}.gz`),
      );
      expect(fetched).toEqual(chunks.map((c) => ({ url: `/mnist/chunks/${c}`, bytes: gz(c), encoding })));
      // 7 840 016 bytes of IDX images travel as about 1.6 MB.
      const images = chunks.filter((c) => c.includes("images")).reduce((s, c) => s + gz(c), 0);
      expect(images).toBeLessThan(7_840_016 / 4);
      expect(errors).toEqual([]);
      await page.context().close();
    }
  });
});

// Measures the figures in README.md against the production build: first paint, frames per second
// of the page while the worker trains, seconds to train one epoch (600 iterations of 100, the
// epoch-end accuracy evaluation included) per backend, and the gzipped size of the app's code.
// Run after `pnpm --filter @bp/web build`:  npx tsx test/measure.ts   (takes a few minutes;
// one training at a time).
import { readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { checkBuilt, distDir, launch, openPage, startPreview } from "./harness.js";

checkBuilt();

// ---- sizes ----
const gz = (file: string): number => gzipSync(readFileSync(file), { level: 9 }).byteLength;
const html = readFileSync(join(distDir, "index.html"), "utf8");
const assets = readdirSync(join(distDir, "assets"));
const firstLoad = new Set<string>(["index.html"]);
for (const m of html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)) firstLoad.add(m[1]!);
// The first view (graph) is a chunk the entry imports at once.
for (const f of assets) if (f.startsWith("graph-") && f.endsWith(".js")) firstLoad.add(`assets/${f}`);
const sum = (files: Iterable<string>) => [...files].reduce((s, f) => s + gz(join(distDir, f)), 0);
const appFiles = assets.filter((f) => /\.(js|css)$/.test(f)).map((f) => `assets/${f}`);
console.log(`first load (gzip -9): ${(sum(firstLoad) / 1024).toFixed(1)} KB: ${[...firstLoad].join(", ")}`);
console.log(
  `all app code, every view and worker (gzip -9): ${(sum(appFiles) / 1024).toFixed(1)} KB in ${appFiles.length} files`,
);

// ---- the page ----
const { server, url } = await startPreview(true);
const browser = await launch();
try {
  const { page } = await openPage(browser, url);
  const paint = await page.evaluate(() => {
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    return { fcp: fcp?.startTime ?? Number.NaN, ready: performance.now() };
  });
  console.log(
    `first contentful paint: ${paint.fcp.toFixed(0)} ms after navigation (graph view ready by ${paint.ready.toFixed(0)} ms)`,
  );
  await page.context().close();

  for (const backend of ["cpu", "wasm", "worker"]) {
    const { page: p } = await openPage(browser, `${url}?view=train&iterations=600&backend=${backend}&threads=2`);
    // Load MNIST once first (a one-iteration run), so the epoch run measures training only.
    await p.fill("#iterations", "1");
    await p.click("#start");
    await p.waitForFunction(
      () => document.querySelector<HTMLElement>("section[aria-labelledby=train-title]")?.dataset.state === "finished",
      undefined,
      { timeout: 120_000 },
    );
    await p.fill("#iterations", "600");
    const frames0 = await p.evaluate(
      () => (globalThis as unknown as { bpDiagnostics: { frames: number } }).bpDiagnostics.frames,
    );
    const t0 = Date.now();
    await p.click("#start");
    await p.waitForFunction(
      () => document.querySelector<HTMLElement>("section[aria-labelledby=train-title]")?.dataset.state === "finished",
      undefined,
      { timeout: 300_000 },
    );
    const wall = (Date.now() - t0) / 1000;
    const frames =
      (await p.evaluate(() => (globalThis as unknown as { bpDiagnostics: { frames: number } }).bpDiagnostics.frames)) -
      frames0;
    const r = JSON.parse((await p.getAttribute("#train-result", "data-json")) ?? "{}") as {
      seconds: number;
      final: { testAccuracy: number };
    };
    console.log(
      `${backend}: 1 epoch (600 × 100) in ${r.seconds.toFixed(2)} s of training (${wall.toFixed(1)} s wall), test accuracy ${r.final.testAccuracy}, page ${(frames / wall).toFixed(0)} frames/s meanwhile`,
    );
    await p.context().close();
  }

  // Chapter 7's recipe as the Train view offers it (SimpleConvNet, Adam lr 0.001, the first 5000
  // images, 1 epoch of 50 minibatches, accuracies on the first 1000 test images), on wasm.
  const { page: conv } = await openPage(browser, `${url}?view=train&backend=wasm`);
  await conv.selectOption("#net", "simple-conv");
  await conv.click("#conv-recipe");
  await conv.click("#start");
  await conv.waitForFunction(
    () => document.querySelector<HTMLElement>("section[aria-labelledby=train-title]")?.dataset.state === "finished",
    undefined,
    { timeout: 600_000 },
  );
  const c = JSON.parse((await conv.getAttribute("#train-result", "data-json")) ?? "{}") as {
    seconds: number;
    final: { testAccuracy: number };
  };
  console.log(
    `SimpleConvNet recipe (5000 images, 50 × 100, wasm): ${c.seconds.toFixed(1)} s of training, test accuracy ${c.final.testAccuracy} (first 1000 test images)`,
  );
  await conv.context().close();
} finally {
  await browser.close();
  await server.close();
}
console.log(
  `load average during the run: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(", ")} (2 cores, shared)`,
);

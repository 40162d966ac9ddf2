// End-to-end tests of the PRODUCTION BUILD: `vite preview` serves apps/web/dist (turbo builds it
// before the test task) with the COOP/COEP headers, and real Chromium drives every view. A
// screenshot of each view is written to apps/web/reports/shots/ (git-ignored) as a test artifact.
import { loadMnist } from "@bp/data";
import { softmax } from "@bp/layers";
import { decodeNet, firstRows, SimpleConvNet, Trainer, TwoLayerNet } from "@bp/nets";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { PreviewServer } from "vite";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { appDir, checkBuilt, launch, openPage, runGradCheck, screenshot, startPreview } from "./harness.js";

let server: PreviewServer | undefined;
let plainServer: PreviewServer | undefined;
let url = "";
let plainUrl = "";
let browser: Browser | undefined;

beforeAll(async () => {
  checkBuilt();
  ({ server, url } = await startPreview(true));
  ({ server: plainServer, url: plainUrl } = await startPreview(false));
  browser = await launch();
}, 60_000);

afterAll(async () => {
  await trainedPage?.close();
  await browser?.close();
  await server?.close();
  await plainServer?.close();
});

/** The forward and backward text of one value in the graph's table. */
async function graphValue(page: Page, id: string): Promise<{ fwd: string; bwd: string }> {
  const row = page.locator(`#graph-table tr[data-id="${id}"]`);
  return {
    fwd: (await row.locator("td.fwd").textContent()) ?? "",
    bwd: (await row.locator("td.bwd").textContent()) ?? "",
  };
}

describe("the shell", () => {
  test("landmarks, a view switcher whose state is in the URL, diagnostics collapsed", async () => {
    const { page, errors } = await openPage(browser!, url);
    expect(await page.locator("header").count()).toBe(1);
    expect(await page.locator("main").count()).toBe(1);
    expect(await page.locator("footer").count()).toBe(1);
    expect(await page.locator("nav[aria-label=Views] a").allTextContents()).toEqual([
      "Graph",
      "Net graph",
      "Layers",
      "Train",
      "Predict",
      "Gradient check",
      "Playground",
    ]);
    expect(await page.getAttribute("#nav-graph", "aria-current")).toBe("page");
    // Diagnostics are in a closed <details>, and the page has exactly one status region and no
    // other live region (nothing announces per frame or per iteration).
    expect(await page.evaluate(() => (document.getElementById("diagnostics") as HTMLDetailsElement).open)).toBe(false);
    // (<output> is an implicit status region too, so the page uses none.)
    expect(await page.locator("[aria-live], [role=status], [role=alert], [role=log], output").count()).toBe(1);
    expect(await page.locator("#diagnostics").textContent()).toContain("yes (SharedArrayBuffer available)");
    await page.click("#nav-train");
    await page.waitForFunction(() => document.body.dataset.ready === "train");
    expect(new URL(page.url()).searchParams.get("view")).toBe("train");
    await page.goBack();
    await page.waitForFunction(() => document.body.dataset.ready === "graph");
    expect(await page.getAttribute("#nav-graph", "aria-current")).toBe("page");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("without COOP/COEP the worker backend is offered disabled, with the reason", async () => {
    const { page } = await openPage(browser!, `${plainUrl}?view=train`);
    expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(false);
    const worker = page.locator('#backend option[value="worker"]');
    expect(await worker.isDisabled()).toBe(true);
    expect(await worker.textContent()).toContain("cross-origin isolated");
    expect(await page.inputValue("#backend")).toBe("auto");
    await page.context().close();
  });
});

describe("computational graph", () => {
  test("steps the book's apples and oranges forward then backward with MulLayer/AddLayer", async () => {
    const { page, errors } = await openPage(browser!, url);
    // Forward: 100 × 2 = 200, 150 × 3 = 450, 200 + 450 = 650, 650 × 1.1 = 715.0000000000001
    // (the book prints 715.0000000000001).
    const fwd = ["200", "450", "650", "715.0000000000001"];
    for (const [i, id] of ["mulApple", "mulOrange", "add", "mulTax"].entries()) {
      expect((await graphValue(page, id)).fwd).toBe("");
      await page.click("#graph-step");
      expect(await graphValue(page, id)).toEqual({ fwd: fwd[i], bwd: "" });
    }
    expect(await page.textContent("#graph-step")).toBe("Step backward");
    // Backward from dprice = 1: the tax node swaps its inputs (d all = 1.1, d tax = 650), the sum
    // passes 1.1 on, the products swap: d apple = 1.1 × 2 = 2.2, d apple count = 1.1 × 100 =
    // 110.00000000000001, d orange = 1.1 × 3 = 3.3000000000000003, d orange count = 1.1 × 150 = 165
    // (the book's printed output of buy_apple_orange.py).
    await page.click("#graph-step");
    expect(await graphValue(page, "tax")).toEqual({ fwd: "1.1", bwd: "650" });
    expect(await graphValue(page, "add")).toEqual({ fwd: "650", bwd: "1.1" });
    expect((await graphValue(page, "apple")).bwd).toBe("");
    await page.click("#graph-step");
    expect(await graphValue(page, "mulApple")).toEqual({ fwd: "200", bwd: "1.1" });
    await page.click("#graph-step");
    expect(await graphValue(page, "orange")).toEqual({ fwd: "150", bwd: "3.3000000000000003" });
    expect(await graphValue(page, "orangeNum")).toEqual({ fwd: "3", bwd: "165" });
    await page.click("#graph-step");
    expect(await graphValue(page, "apple")).toEqual({ fwd: "100", bwd: "2.2" });
    expect(await graphValue(page, "appleNum")).toEqual({ fwd: "2", bwd: "110.00000000000001" });
    expect(await page.isDisabled("#graph-step")).toBe(true);
    // The figure shows the same numbers above and below the edges.
    expect(await page.textContent("#fwd-mulTax")).toBe("715.0000000000001");
    expect(await page.textContent("#bwd-appleNum")).toBe("110.00000000000001");
    await screenshot(page, "graph");
    expect(await page.isVisible("#graph-figure-title .narrow-only")).toBe(false);
    // Back one step undoes the last backward step.
    await page.click("#graph-back");
    expect((await graphValue(page, "apple")).bwd).toBe("");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("the apples graph from a link, run all, and an edited input that lands in the URL", async () => {
    const { page } = await openPage(browser!, `${url}?graph=apples`);
    await page.click("#graph-run-all");
    // 100 × 2 × 1.1 = 220.00000000000003 (figure 5-14; the book prints 220.00000000000003).
    expect(await graphValue(page, "mulTax")).toEqual({ fwd: "220.00000000000003", bwd: "1" });
    expect(await graphValue(page, "tax")).toEqual({ fwd: "1.1", bwd: "200" });
    expect(await graphValue(page, "appleNum")).toEqual({ fwd: "2", bwd: "110.00000000000001" });
    await page.fill("#graph-in-appleNum", "3");
    // 100 × 3 = 300, 300 × 1.1 = 330 exactly in float64; d apple count = 1.1 × 100.
    expect(await graphValue(page, "mulTax")).toEqual({ fwd: "330", bwd: "1" });
    expect(await graphValue(page, "apple")).toEqual({ fwd: "100", bwd: "3.3000000000000003" });
    expect(new URL(page.url()).searchParams.get("appleNum")).toBe("3");
    await page.fill("#graph-in-tax", "abc");
    expect(await page.textContent("#graph-input-error")).toBe('tax must be a number, got "abc"');
    expect(await page.getAttribute("#graph-in-tax", "aria-invalid")).toBe("true");
    // The link reproduces the edited graph.
    const { page: again } = await openPage(browser!, `${url}?graph=apples&appleNum=3`);
    await again.click("#graph-run-all");
    expect((await graphValue(again, "mulTax")).fwd).toBe("330");
    await again.context().close();
    await page.context().close();
  });
});

describe("on a 390×844 phone", () => {
  test("no view scrolls sideways and every control is at least 44 px", async () => {
    for (const view of ["graph", "netgraph", "layers", "train", "predict", "gradcheck", "playground"]) {
      const { page } = await openPage(browser!, `${url}?view=${view}`, {
        viewport: { width: 390, height: 844 },
        deviceScaleFactor: 3,
        isMobile: true,
        hasTouch: true,
      });
      await page.waitForFunction((v) => document.body.dataset.ready === v, view);
      const { scrollWidth, small } = await page.evaluate(() => {
        const small: string[] = [];
        for (const el of document.querySelectorAll<HTMLElement>(
          "main button, main input, main select, nav a, summary",
        )) {
          const r = el.getBoundingClientRect();
          if (r.width === 0 || el.closest("[hidden]") !== null) continue;
          if (r.height < 44 || r.width < 44) small.push(`${el.tagName}#${el.id} ${r.width}x${r.height}`);
        }
        return { scrollWidth: document.documentElement.scrollWidth, small };
      });
      expect({ view, scrollWidth, small }).toEqual({ view, scrollWidth: 390, small: [] });
      if (view === "graph") {
        // The figure scrolls in its box, and says so on a narrow screen; the keyboard can scroll it.
        expect(await page.isVisible("#graph-figure-title .narrow-only")).toBe(true);
        expect(await page.getAttribute(".scroll-x[aria-labelledby=graph-figure-title]", "tabindex")).toBe("0");
      }
      if (view === "train") {
        // uPlot draws at the device pixel ratio (3 here): sharp lines and text.
        await page.waitForSelector("#train-chart canvas");
        const { css, px } = await page.evaluate(() => {
          const c = document.querySelector<HTMLCanvasElement>("#train-chart canvas")!;
          return { css: c.getBoundingClientRect().width, px: c.width };
        });
        expect(px).toBe(Math.round(css * 3));
      }
      if (view === "predict") {
        // A finger drawing on the pad: touch events become pointer events (pointerType "touch").
        const box = (await page.locator("#pad").boundingBox())!;
        const cdp = await page.context().newCDPSession(page);
        const x = box.x + box.width / 2;
        const touch = (type: "touchStart" | "touchMove" | "touchEnd", y: number) =>
          cdp.send("Input.dispatchTouchEvent", { type, touchPoints: type === "touchEnd" ? [] : [{ x, y }] });
        await touch("touchStart", box.y + box.height * 0.2);
        for (let i = 1; i <= 8; i++) await touch("touchMove", box.y + box.height * (0.2 + (0.6 * i) / 8));
        await touch("touchEnd", 0);
        await page.waitForFunction(() => {
          const c = document.getElementById("pad-input") as HTMLCanvasElement;
          return c
            .getContext("2d")!
            .getImageData(0, 0, 28, 28)
            .data.some((v, i) => i % 4 === 0 && v > 0);
        });
        expect(await page.textContent("#draw-prediction")).toContain("No model yet");
      }
      await screenshot(page, `phone-${view}`);
      await page.context().close();
    }
  });
});

/** A short run: 300 minibatches of 100 (half an epoch), so the run ends with one evaluation. */
const RUN = { iterations: 300, batch: 100, lr: 0.1, hidden: 50, seed: 0 };
const RUN_QUERY = `view=train&iterations=${RUN.iterations}`;

interface RunResult {
  state: string;
  final: { iteration: number; trainAccuracy: number; testAccuracy: number; loss: number };
  w2: number[];
  losses: number[];
}

/** The same run in Node through the library's Trainer (its seeded setup: Rng(seed) weights,
 * Rng(seed + 1) minibatches, the book's sampling). */
function nodeReference(): { w2: number[]; losses: number[] } {
  const net = new TwoLayerNet(784, RUN.hidden, 10, { seed: RUN.seed });
  const trainer = new Trainer(net, mnist(), {
    miniBatchSize: RUN.batch,
    iterations: RUN.iterations,
    optimizer: "sgd",
    optimizerParams: { lr: RUN.lr },
    seed: RUN.seed,
  });
  for (let i = 0; i < RUN.iterations; i++) trainer.trainStep();
  return { w2: Array.from(net.params.W2.data.subarray(0, 8)), losses: trainer.trainLossList };
}

/** The iteration the Train view shows ("123 / 300 (epoch 0.20)"). */
function iteration(page: Page): Promise<number> {
  return page.evaluate(() => Number.parseInt(document.getElementById("train-iteration")?.textContent ?? "0", 10));
}

async function waitState(page: Page, states: string[], timeout = 60_000): Promise<string> {
  await page.waitForFunction(
    (s) => s.includes(document.querySelector<HTMLElement>("section[aria-labelledby=train-title]")?.dataset.state ?? ""),
    states,
    { timeout },
  );
  return page.evaluate(
    () => document.querySelector<HTMLElement>("section[aria-labelledby=train-title]")!.dataset.state!,
  );
}

async function result(page: Page): Promise<RunResult> {
  return JSON.parse((await page.getAttribute("#train-result", "data-json")) ?? "null") as RunResult;
}

/** The page (and browser context) of the uninterrupted run, reused by the Predict tests. */
let trainedPage: Page | undefined;
let trainedContext: BrowserContext | undefined;
let uninterrupted: RunResult | undefined;
/** The wasm run that was paused, stepped and resumed. */
let resumedWasm: RunResult | undefined;

describe("training", () => {
  test("an uninterrupted run on cpu gives the Node run's numbers; the page keeps drawing frames", async () => {
    const { page, errors } = await openPage(browser!, `${url}?${RUN_QUERY}&backend=cpu`);
    trainedPage = page;
    trainedContext = page.context();
    const framesBefore = await page.evaluate(
      () => (globalThis as unknown as { bpDiagnostics: { frames: number } }).bpDiagnostics.frames,
    );
    await page.click("#start");
    // The same run in Node while Chromium trains (another process, so the two overlap).
    const ref = nodeReference();
    expect(await waitState(page, ["finished", "diverged", "idle"])).toBe("finished");
    const r = await result(page);
    const framesAfter = await page.evaluate(
      () => (globalThis as unknown as { bpDiagnostics: { frames: number } }).bpDiagnostics.frames,
    );
    expect(framesAfter).toBeGreaterThan(framesBefore);
    expect(r.losses).toHaveLength(RUN.iterations);
    expect(r.final.iteration).toBe(RUN.iterations);
    // The readouts that change every few milliseconds are plain text, not live regions.
    expect(await page.locator("[aria-live], [role=status], [role=alert], [role=log], output").count()).toBe(1);
    // Chromium's V8 and Node 20's round Math.exp and Math.log differently in the last bit (the
    // softmax uses both), so the page agrees with Node to about 2e-16, not bit for bit; one
    // different minibatch or update would move W2 by more than 1e-4.
    for (const [i, v] of r.w2.entries()) expect(Math.abs(v - ref.w2[i]!), `W2[${i}]`).toBeLessThan(1e-12);
    for (const [i, v] of r.losses.entries()) expect(Math.abs(v - ref.losses[i]!), `loss ${i + 1}`).toBeLessThan(1e-12);
    // Half an epoch of the book's net: measured here 0.87-0.88 test accuracy.
    expect(r.final.testAccuracy).toBeGreaterThan(0.85);
    expect(await page.locator("#epochs tbody tr").count()).toBe(1);
    expect(await page.getAttribute("#weights", "aria-label")).toContain("at iteration 300");
    expect(errors).toEqual([]);
    uninterrupted = r;
    await screenshot(page, "train");
  });

  test("paused, stepped and resumed on the wasm backend: exactly the uninterrupted cpu run's numbers, MNIST from the cache", async () => {
    expect(uninterrupted, "the uninterrupted run (previous test) produced no result").toBeDefined();
    // Same browser context as the first run: MNIST now comes from Cache Storage.
    const page = await trainedContext!.newPage();
    await page.goto(`${url}?${RUN_QUERY}&backend=wasm`);
    await page.waitForFunction(() => document.body.dataset.ready === "train");
    await page.click("#start");
    await page.waitForFunction(
      () => Number.parseInt(document.getElementById("train-iteration")?.textContent ?? "0", 10) >= 20,
    );
    await page.click("#pause");
    expect(await waitState(page, ["paused"])).toBe("paused");
    const at = await iteration(page);
    expect(at).toBeLessThan(RUN.iterations);
    await page.click("#step");
    await page.waitForFunction(
      (n) => Number.parseInt(document.getElementById("train-iteration")?.textContent ?? "0", 10) === n,
      at + 1,
    );
    await page.click("#step");
    await page.waitForFunction(
      (n) => Number.parseInt(document.getElementById("train-iteration")?.textContent ?? "0", 10) === n,
      at + 2,
    );
    expect(
      await page.evaluate(
        () => document.querySelector<HTMLElement>("section[aria-labelledby=train-title]")!.dataset.source,
      ),
    ).toBe("cache");
    await page.click("#resume");
    expect(await waitState(page, ["finished", "diverged", "idle"])).toBe("finished");
    const r = await result(page);
    resumedWasm = r;
    // Same engine, same kernels, same generators: identical to the last bit.
    expect({ w2: r.w2, losses: r.losses, final: r.final }).toEqual({
      w2: uninterrupted!.w2,
      losses: uninterrupted!.losses,
      final: uninterrupted!.final,
    });
    await page.close();
  });

  test("the same run on the worker backend (2 threads): bit for bit the cpu and wasm runs' weights, losses and accuracies", async () => {
    expect(uninterrupted, "the uninterrupted run produced no result").toBeDefined();
    expect(resumedWasm, "the wasm run produced no result").toBeDefined();
    // Same context: MNIST from Cache Storage. The worker backend's threads run the cpu backend's
    // kernels on slices of the rows, so every number is the same to the last bit.
    const page = await trainedContext!.newPage();
    await page.goto(`${url}?${RUN_QUERY}&backend=worker&threads=2`);
    await page.waitForFunction(() => document.body.dataset.ready === "train");
    await page.click("#start");
    expect(await waitState(page, ["finished", "diverged", "idle"])).toBe("finished");
    expect(await page.textContent("#train-status")).toContain("worker backend, 2 thread(s)");
    const r = await result(page);
    const numbers = (x: RunResult) => ({ w2: x.w2, losses: x.losses, final: x.final });
    expect(numbers(r)).toEqual(numbers(uninterrupted!));
    expect(numbers(r)).toEqual(numbers(resumedWasm!));
    await page.close();
  });

  test("Stop keeps the results; a NaN loss stops the run and says what to try; bad settings say what to enter", async () => {
    const { page, errors } = await openPage(browser!, `${url}?view=train&backend=worker&iterations=100000`);
    await page.click("#start");
    await page.waitForFunction(
      () => Number.parseInt(document.getElementById("train-iteration")?.textContent ?? "0", 10) >= 5,
    );
    await page.click("#stop");
    expect(await waitState(page, ["stopped"])).toBe("stopped");
    const stopped = await result(page);
    expect(stopped.state).toBe("stopped");
    expect(stopped.final.iteration).toBe(stopped.losses.length);
    expect(await page.textContent("#train-result")).toContain("Stopped after");
    expect(await page.textContent("#train-status")).toContain("worker backend, 2 thread(s)");
    // Reset: a new net at iteration 0, paused; Step runs exactly one iteration of it.
    await page.click("#reset");
    expect(await waitState(page, ["paused"])).toBe("paused");
    expect(await page.textContent("#train-iteration")).toBe("-");
    await page.click("#step");
    await page.waitForFunction(
      () => document.getElementById("train-iteration")?.textContent?.startsWith("1 / ") === true,
    );
    expect(await waitState(page, ["paused"])).toBe("paused");
    // A learning rate of 1e300 makes the weights overflow within two updates (measured in Node:
    // the loss is NaN at iteration 2); the Trainer's DivergenceError names what and where.
    await page.fill("#lr", "1e300");
    await page.click("#start");
    expect(await waitState(page, ["diverged", "finished"])).toBe("diverged");
    const message = (await page.textContent("#train-message")) ?? "";
    expect(message).toMatch(/^The (loss|parameter \w+) became (NaN|-?Infinity) at iteration [12]: /);
    expect(message).toContain("Try a smaller learning rate (it is 1e+300; the book uses 0.1 for SGD");
    // The lr 20: the loss stays finite but the net learns nothing; after the first epoch
    // (60 minibatches of 1000) the page says so (measured: mean loss 3.03, test accuracy 0.14).
    await page.fill("#lr", "20");
    await page.fill("#batch", "1000");
    await page.fill("#iterations", "60");
    await page.click("#start");
    expect(await waitState(page, ["finished", "diverged"])).toBe("finished");
    expect(await page.textContent("#train-message")).toMatch(
      /^After epoch 1\.00 the mean loss is \d+\.\d+ and the test accuracy 0\.\d+: no better than guessing .* The learning rate 20 is probably too large/,
    );
    await page.fill("#batch", "100");
    // Chapter 6: MultiLayerNetExtend with BatchNorm and Dropout, trained with Adam.
    await page.selectOption("#net", "multi-extend");
    await page.fill("#hidden", "40, 40");
    await page.selectOption("#optimizer", "adam");
    // (Choosing Adam suggests its book default, 0.001; this run uses 0.01.)
    expect(await page.inputValue("#lr")).toBe("0.001");
    await page.fill("#lr", "0.01");
    await page.check("#batchnorm");
    await page.fill("#dropout", "0.2");
    await page.fill("#iterations", "60");
    await page.click("#start");
    expect(await waitState(page, ["finished", "diverged"])).toBe("finished");
    expect(await page.textContent("#train-status")).toContain(
      "MultiLayerNetExtend 784-40-40-10 (ReLU, std 0.01 init, BatchNorm, Dropout 0.2)",
    );
    const multi = await result(page);
    // 60 Adam steps with BatchNorm: measured 0.90 test accuracy here.
    expect(multi.final.testAccuracy).toBeGreaterThan(0.8);
    expect(new URL(page.url()).searchParams.get("optimizer")).toBe("adam");
    await page.selectOption("#net", "two-layer");
    await page.fill("#lr", "abc");
    expect(await page.textContent("#lr-error")).toBe(
      'Learning rate: "abc" is not a number; enter a number greater than 0, such as 0.1.',
    );
    await page.fill("#iterations", "1.5");
    expect(await page.textContent("#iterations-error")).toBe(
      "Iterations: 1.5 is not a whole number; enter a whole number from 1 to 1000000, such as 1200.",
    );
    expect(await page.textContent("#hidden-error")).toBe(
      "Hidden units: TwoLayerNet has one hidden layer; enter one size, or choose MultiLayerNet or MultiLayerNetExtend for 2 layers.",
    );
    await page.click("#start");
    expect(await page.textContent("#train-message")).toBe("Fix the settings marked above, then start again.");
    expect(await page.getAttribute("#iterations", "aria-invalid")).toBe("true");
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

describe("chapter 7 in the Train view", () => {
  test("SimpleConvNet: a warning, the book's recipe on a subset, and a short run with the Node run's numbers", async () => {
    // The first run's context: MNIST from Cache Storage.
    const page = await trainedContext!.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${url}?view=train&backend=wasm`);
    await page.waitForFunction(() => document.body.dataset.ready === "train");
    expect(await page.isHidden("#conv-note")).toBe(true);
    // Threads only matter to the worker backend: hidden for wasm, and for auto (which picks wasm).
    expect(await page.isHidden("#threads")).toBe(true);
    await page.selectOption("#backend", "auto");
    expect(await page.isHidden("#threads")).toBe(true);
    await page.selectOption("#backend", "worker");
    expect(await page.isHidden("#threads")).toBe(false);
    await page.selectOption("#backend", "wasm");
    expect(await page.isHidden("#threads")).toBe(true);
    await page.selectOption("#net", "simple-conv");
    expect(await page.textContent("#conv-note")).toContain("SimpleConvNet is slow in a browser");
    await page.click("#conv-recipe");
    // ch07/train_convnet.py: Adam lr 0.001, hidden 100, init 0.01; here on the first 5000 images, 1 epoch.
    const fields = ["optimizer", "lr", "hidden", "init", "trainSize", "testSize", "iterations"];
    const values = await Promise.all(fields.map((f) => page.inputValue(`#${f}`)));
    expect(values).toEqual(["adam", "0.001", "100", "0.01", "5000", "1000", "50"]);
    expect(new URL(page.url()).searchParams.get("net")).toBe("simple-conv");
    // A short version of it for the test: 3 minibatches of the first 200 images, 100 test images.
    await page.fill("#trainSize", "200");
    await page.fill("#testSize", "100");
    await page.fill("#iterations", "3");
    await page.click("#start");
    const ref = convReference();
    expect(await waitState(page, ["finished", "diverged", "idle"])).toBe("finished");
    expect(await page.textContent("#train-status")).toContain(
      "SimpleConvNet 1x28x28-conv30x5x5-pool2x2-100-10: 200 training images, 100 test images; wasm backend",
    );
    const r = await result(page);
    expect(r.final.iteration).toBe(3);
    // As in the TwoLayerNet run: Chromium's and Node's Math.exp/log may differ in the last bit.
    for (const [i, v] of r.losses.entries()) expect(Math.abs(v - ref.losses[i]!), `loss ${i + 1}`).toBeLessThan(1e-12);
    expect(r.final.testAccuracy).toBe(ref.testAccuracy);
    expect(await page.getAttribute("#weights", "aria-label")).toBe(
      "The 30 filters of Conv1 (W1) as 5×5 images, at iteration 3",
    );
    await screenshot(page, "train-conv");
    // The gradient check of this net would need 2 × 433 890 forward passes: the view says so.
    await page.click("#nav-gradcheck");
    await page.waitForFunction(() => document.body.dataset.ready === "gradcheck");
    // Weights: Conv1 30·1·5·5 + 30, Affine1 (30·12·12)·100 + 100, Affine2 100·10 + 10 = 433 890.
    expect(await page.textContent("#gradcheck-net")).toContain("has about 434 thousand weights");
    expect(await page.isDisabled("#gradcheck-run")).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});

let mnistInNode: ReturnType<typeof loadMnist> | undefined;
function mnist(): ReturnType<typeof loadMnist> {
  mnistInNode ??= loadMnist({});
  return mnistInNode;
}

/** The conv test's run in Node: SimpleConvNet (seed 0) on the first 200 MNIST rows as images,
 * Adam lr 0.001, 3 minibatches of 100; the final accuracy on the first 100 test images. */
function convReference(): { losses: number[]; testAccuracy: number } {
  const all = mnist();
  const images = (x: Parameters<typeof firstRows>[0], n: number) => firstRows(x, n).reshape([-1, 1, 28, 28]);
  const data = {
    xTrain: images(all.xTrain, 200),
    tTrain: firstRows(all.tTrain, 200),
    xTest: images(all.xTest, 100),
    tTest: firstRows(all.tTest, 100),
  };
  const trainer = new Trainer(new SimpleConvNet({ seed: 0 }), data, {
    miniBatchSize: 100,
    iterations: 3,
    optimizer: "adam",
    optimizerParams: { lr: 0.001 },
    seed: 0,
  });
  for (let i = 0; i < 3; i++) trainer.trainStep();
  return { losses: trainer.trainLossList, testAccuracy: trainer.finish().final.testAccuracy };
}

/** Draws a vertical stroke, a "1", on the Predict view's pad with mouse pointer events. */
async function drawOne(page: Page): Promise<void> {
  const box = (await page.locator("#pad").boundingBox())!;
  const x = box.x + box.width * 0.52;
  await page.mouse.move(x, box.y + box.height * 0.15);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(x - i * 0.4, box.y + box.height * (0.15 + (0.7 * i) / 12));
  await page.mouse.up();
}

describe("predict", () => {
  test("after the short run: a drawn 1 is a 1, the test accuracy is the run's, misclassified only", async () => {
    const page = trainedPage!;
    expect(uninterrupted, "the uninterrupted run produced no result").toBeDefined();
    await page.click("#nav-predict");
    await page.waitForFunction(() => document.body.dataset.ready === "predict");
    await page.waitForFunction(() => document.getElementById("test-accuracy")?.dataset.accuracy !== undefined);
    // The page's own forward pass over the 10 000 test images agrees with the worker's accuracy.
    expect(Number(await page.getAttribute("#test-accuracy", "data-accuracy"))).toBe(uninterrupted!.final.testAccuracy);
    await drawOne(page);
    await page.waitForFunction(() => document.getElementById("draw-prediction")?.dataset.class !== undefined);
    expect(await page.getAttribute("#draw-prediction", "data-class")).toBe("1");
    expect(await page.locator("#draw-bars li").count()).toBe(10);
    // The 28×28 input: the stroke was scaled into the 20×20 box and centred, so rows 0-3 and 24-27 are empty.
    const rows = await page.evaluate(() => {
      const c = document.getElementById("pad-input") as HTMLCanvasElement;
      const d = c.getContext("2d")!.getImageData(0, 0, 28, 28).data;
      const ink: number[] = [];
      for (let y = 0; y < 28; y++) {
        let s = 0;
        for (let x = 0; x < 28; x++) s += d[(y * 28 + x) * 4]!;
        if (s > 0) ink.push(y);
      }
      return ink;
    });
    expect(rows[0]).toBe(4);
    expect(rows.at(-1)).toBe(23);
    await screenshot(page, "predict");
    await page.check("#misclassified");
    const labels = await page
      .locator("#gallery button")
      .evaluateAll((bs) => bs.map((b) => b.getAttribute("aria-label") ?? ""));
    expect(labels.length).toBeGreaterThan(0);
    for (const l of labels) {
      const m = /label (\d), predicted (\d)/.exec(l);
      expect(m, l).not.toBeNull();
      expect(m![1]).not.toBe(m![2]);
    }
    const wrong = Math.round((1 - uninterrupted!.final.testAccuracy) * 10_000);
    // (A count in prose is grouped as English writes it: 1,300.)
    expect(await page.textContent("#gallery-info")).toBe(
      `Showing 1-24 of ${wrong.toLocaleString("en")} misclassified test images.`,
    );
    await page.locator("#gallery button").nth(2).click();
    expect(await page.textContent("#chosen-text")).toContain("(wrong)");
  });
});

/** A vertical stroke like drawOne's, with pen pointer events (CDP's mouse events with pointerType "pen"). */
async function drawOneWithPen(page: Page): Promise<void> {
  const box = (await page.locator("#pad").boundingBox())!;
  const cdp = await page.context().newCDPSession(page);
  const x = box.x + box.width * 0.48;
  const pen = (type: "mousePressed" | "mouseMoved" | "mouseReleased", y: number) =>
    cdp.send("Input.dispatchMouseEvent", {
      type,
      x,
      y,
      button: "left",
      buttons: type === "mouseReleased" ? 0 : 1,
      clickCount: type === "mouseMoved" ? 0 : 1,
      pointerType: "pen",
      force: 0.5,
    });
  await pen("mousePressed", box.y + box.height * 0.2);
  for (let i = 1; i <= 10; i++) await pen("mouseMoved", box.y + box.height * (0.2 + (0.6 * i) / 10));
  await pen("mouseReleased", box.y + box.height * 0.8);
  await cdp.detach();
}

async function drawnClass(page: Page): Promise<string | null> {
  await page.waitForFunction(() => document.getElementById("draw-prediction")?.dataset.class !== undefined);
  return page.getAttribute("#draw-prediction", "data-class");
}

describe("predict without a pointer, and with a pen", () => {
  test("the keyboard draws a 1 on the pad's 28×28 grid; a test image goes onto the pad; a pen draws a 1", async () => {
    const page = trainedPage!;
    expect(await page.getAttribute("#test-accuracy", "data-accuracy"), "the predict test ran first").not.toBeNull();
    // The pad is a named keyboard widget, described by its instructions.
    const pad = page.getByRole("application", { name: "Drawing pad, 28 by 28 cells: draw one digit" });
    expect(await pad.count()).toBe(1);
    expect(await page.textContent("#pad-help")).toContain("arrow keys");
    await page.click("#clear-pad");
    expect(await page.getAttribute("#draw-prediction", "data-class")).toBeNull();
    // The cursor starts at row 5, column 15 (0-based 4, 14); Space paints, Shift+Down paints 19
    // cells down to row 24: a vertical bar, a 1.
    await pad.focus();
    await page.keyboard.press("Space");
    for (let i = 0; i < 19; i++) await page.keyboard.press("Shift+ArrowDown");
    expect(await page.getAttribute("#pad", "data-cursor")).toBe("23,14");
    expect(await drawnClass(page)).toBe("1");
    // What a screen reader hears after the key, once (the one polite status line, set on the next frame).
    await page.waitForFunction(() =>
      document.getElementById("announcer")?.textContent?.startsWith("Painted to row 24"),
    );
    expect(await page.textContent("#announcer")).toMatch(
      /^Painted to row 24, column 15\. The net says 1 \(\d+\.\d %\)\.$/,
    );
    // The probability bars carry their values as text: "digit: percent", ten of them adding up to 100 %.
    const bars = await page.locator("#draw-bars li").allTextContents();
    expect(bars).toHaveLength(10);
    for (const [c, t] of bars.entries()) expect(t).toMatch(new RegExp(`^${c}: \\d+\\.\\d %$`));
    const total = bars.reduce((sum, t) => sum + Number.parseFloat(t.slice(3)), 0);
    expect(Math.abs(total - 100)).toBeLessThan(0.6);
    await page.keyboard.press("Delete");
    expect(await page.getAttribute("#draw-prediction", "data-class")).toBeNull();
    // A test image onto the pad: test image #0 is a 7 (label 7), which this net gets right.
    await page.uncheck("#misclassified");
    await page.locator('#gallery button[data-index="0"]').click();
    expect(await page.textContent("#chosen-text")).toContain("label 7, the net says 7 (right)");
    await page.click("#chosen-to-pad");
    expect(await drawnClass(page)).toBe("7");
    // A pen.
    await page.click("#clear-pad");
    await drawOneWithPen(page);
    expect(await drawnClass(page)).toBe("1");
    expect(await page.getAttribute("#pad", "data-pointer")).toBe("pen");
    await screenshot(page, "predict-keyboard-pen");
  });
});

describe("models", () => {
  const cli = join(appDir, "..", "cli", "dist", "bin.js");
  let dir = "";

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "bp-web-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function bp(args: string[]): Record<string, unknown> {
    if (!existsSync(cli))
      throw new Error(`${cli} is missing: build the CLI first (pnpm turbo run build --filter @bp/cli)`);
    return JSON.parse(execFileSync(process.execPath, [cli, ...args], { encoding: "utf8" })) as Record<string, unknown>;
  }

  test("the page's download works in bp eval; a model from bp train --save loads with the CLI's test accuracy", async () => {
    const page = trainedPage!;
    // The Predict view shows the net of the uninterrupted run: download it and evaluate it with bp.
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-model")]);
    const mine = join(dir, "page.safetensors");
    await download.saveAs(mine);
    expect(download.suggestedFilename()).toBe("bp-mnist.safetensors");
    const evalMine = bp(["eval", "--model", mine, "--backend", "cpu", "--json"]);
    expect(evalMine.testAccuracy).toBe(uninterrupted!.final.testAccuracy);

    const saved = join(dir, "cli.safetensors");
    const cliTrain = bp(["train", "--iters", "100", "--backend", "cpu", "--save", saved, "--json", "--no-progress"]);
    // bp train's final test accuracy is the saved net's accuracy on the 10 000 test images.
    const cliAccuracy = (cliTrain.final as { testAccuracy: number }).testAccuracy;
    await page.setInputFiles("#load-model", saved);
    await page.waitForFunction(
      () => document.getElementById("model-info")?.textContent?.includes("loaded from cli.safetensors") === true,
    );
    await page.waitForFunction(() => document.getElementById("test-accuracy")?.dataset.accuracy !== undefined);
    expect(Number(await page.getAttribute("#test-accuracy", "data-accuracy"))).toBe(cliAccuracy);
    // A file that is not a model says why.
    await page.setInputFiles("#load-model", {
      name: "notes.safetensors",
      mimeType: "application/octet-stream",
      buffer: Buffer.from("hello"),
    });
    await page.waitForFunction(() => (document.getElementById("model-message")?.textContent ?? "") !== "");
    expect(await page.textContent("#model-message")).toMatch(/^notes\.safetensors could not be loaded: /);
  });

  test("a SimpleConvNet from bp train --net simple-conv --save loads and predicts test images as in Node", async () => {
    const page = trainedPage!;
    const saved = join(dir, "conv.safetensors");
    bp([
      "train",
      ...["--net", "simple-conv", "--train-size", "500", "--test-size", "200", "--epochs", "1"],
      ...["--backend", "cpu", "--save", saved, "--json", "--no-progress"],
    ]);
    await page.setInputFiles("#load-model", saved);
    await page.waitForFunction(
      () => document.getElementById("model-info")?.textContent?.includes("loaded from conv.safetensors") === true,
    );
    expect(await page.textContent("#model-info")).toMatch(/^SimpleConvNet \(float64\)/);
    // The same file in Node: decodeNet, then predict on test images as [N, 1, 28, 28] and softmax.
    // (The page's accuracy over all 10 000 test images takes a conv net tens of seconds, so the
    // test compares single images instead.)
    const { net } = decodeNet(new Uint8Array(readFileSync(saved)), { name: "conv.safetensors" });
    const xTest = mnist().xTest;
    for (const i of [0, 1]) {
      const probs = softmax(net.predict(xTest.gather(Int32Array.of(i)).reshape([1, 1, 28, 28]), false)).data;
      const best = probs.indexOf(Math.max(...probs));
      await page.locator(`#gallery button[data-index="${i}"]`).click();
      expect(await page.textContent("#chosen-text")).toContain(`the net says ${best} (`);
      expect(await page.locator("#chosen-bars li").allTextContents()).toEqual(
        Array.from(probs, (p, c) => `${c}: ${(p * 100).toFixed(1)} %`),
      );
    }
    // Nothing after this test uses the page, whose accuracy measurement would keep a core busy.
    await page.close();
  });
});

/** The numbers of a result table, row by row. */
async function tableValues(page: Page, id: string): Promise<number[][]> {
  return page
    .locator(`#${id} tbody tr`)
    .evaluateAll((rows) => rows.map((r) => Array.from(r.querySelectorAll("td"), (td) => Number(td.textContent))));
}

function expectClose(actual: number[][], expected: number[][], tol: number): void {
  expect(actual.map((r) => r.length)).toEqual(expected.map((r) => r.length));
  for (const [i, row] of expected.entries())
    for (const [j, v] of row.entries())
      expect(Math.abs(actual[i]![j]! - v), `[${i}][${j}]: ${actual[i]![j]} vs ${v}`).toBeLessThanOrEqual(tol);
}

describe("layers and gradient check", () => {
  test("Relu, Sigmoid, Affine and SoftmaxWithLoss on the default x = [[1, -0.5], [-2, 3]]", async () => {
    const { page, errors } = await openPage(browser!, `${url}?view=layers`);
    // Relu: out = x where x > 0 = [[1, 0], [0, 3]]; with dout = ones, dx = the mask [[1, 0], [0, 1]].
    expect(await tableValues(page, "layer-out")).toEqual([
      [1, 0],
      [0, 3],
    ]);
    expect(await tableValues(page, "layer-dx")).toEqual([
      [1, 0],
      [0, 1],
    ]);
    expect(await page.textContent("#layer-rules")).toContain("dx = dout where x was > 0");
    // Sigmoid: out = 1 / (1 + e^-x); dx = out (1 - out). σ(1) = 0.7310585786300049,
    // σ(-0.5) = 0.3775406687981454, σ(-2) = 0.11920292202211755, σ(3) = 0.9525741268224334.
    await page.selectOption("#layer-choice", "Sigmoid");
    const sig = [
      [0.7310585786300049, 0.3775406687981454],
      [0.11920292202211755, 0.9525741268224334],
    ];
    expectClose(await tableValues(page, "layer-out"), sig, 1e-15);
    expectClose(
      await tableValues(page, "layer-dx"),
      sig.map((r) => r.map((y) => y * (1 - y))),
      1e-15,
    );
    // Affine with W = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], b = [0.1, 0.2, 0.3]:
    // out row 1 = [0.1 - 0.2 + 0.1, 0.2 - 0.25 + 0.2, 0.3 - 0.3 + 0.3] = [0, 0.15, 0.3],
    // row 2 = [-0.2 + 1.2 + 0.1, -0.4 + 1.5 + 0.2, -0.6 + 1.8 + 0.3] = [1.1, 1.3, 1.5];
    // dout = [[1, 0, 0], [0, 1, 0]]: dx = dout · Wᵀ = [[0.1, 0.4], [0.2, 0.5]],
    // dW = xᵀ · dout = [[1, -2, 0], [-0.5, 3, 0]], db = [1, 1, 0].
    await page.selectOption("#layer-choice", "Affine");
    expectClose(
      await tableValues(page, "layer-out"),
      [
        [0, 0.15, 0.3],
        [1.1, 1.3, 1.5],
      ],
      1e-15,
    );
    expectClose(
      await tableValues(page, "layer-dx"),
      [
        [0.1, 0.4],
        [0.2, 0.5],
      ],
      0,
    );
    expectClose(
      await tableValues(page, "layer-dW"),
      [
        [1, -2, 0],
        [-0.5, 3, 0],
      ],
      0,
    );
    expectClose(await tableValues(page, "layer-db"), [[1, 1, 0]], 0);
    await screenshot(page, "layers");
    // SoftmaxWithLoss with t = [0, 1]: y row 1 = softmax(1, -0.5) = [1, e^-1.5] / (1 + e^-1.5)
    // = [0.8175744761936437, 0.18242552380635635], row 2 = softmax(-2, 3) = [0.0066928509242848554,
    // 0.9933071490757153]; loss = -(ln 0.81757 + ln 0.99331) / 2 = 0.1040643; dx = (y - t) / 2.
    await page.selectOption("#layer-choice", "SoftmaxWithLoss");
    const y = [
      [0.8175744761936437, 0.18242552380635635],
      [0.0066928509242848554, 0.9933071490757153],
    ];
    expectClose(await tableValues(page, "layer-out"), y, 1e-15);
    expect(Math.abs(Number((await page.textContent("#layer-loss"))!.slice(7)) - 0.1040643)).toBeLessThan(1e-6);
    expectClose(
      await tableValues(page, "layer-dx"),
      [
        [(y[0]![0]! - 1) / 2, y[0]![1]! / 2],
        [y[1]![0]! / 2, (y[1]![1]! - 1) / 2],
      ],
      1e-15,
    );
    // Bad input: a ragged matrix, then a dout whose shape the layer refuses (its own ShapeError).
    await page.fill("#layer-x", "1, 2; 3");
    expect(await page.textContent("#layer-error")).toBe(
      "x: row 2 has 1 values but row 1 has 2; every row needs the same count.",
    );
    await page.selectOption("#layer-choice", "Relu");
    await page.fill("#layer-x", "1, 2; 3, 4");
    await page.fill("#layer-dout", "1, 1, 1");
    expect(await page.textContent("#layer-error")).toMatch(/^ShapeError: Relu\.backward: dout has shape \[1, 3\]/);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("the book's gradient check on the first 3 images passes for every parameter", async () => {
    const { page, errors } = await openPage(browser!, `${url}?view=gradcheck&hidden=10`);
    expect(await page.textContent("#gradcheck-net")).toContain("TwoLayerNet 784-10-10, float64, seed 0: 7,960 weights");
    const rows = await runGradCheck(page);
    expect(rows.map((r) => [r.name, r.result])).toEqual([
      ["W1", "pass"],
      ["b1", "pass"],
      ["W2", "pass"],
      ["b2", "pass"],
    ]);
    // Measured here: W1 4.0e-10, b1 2.9e-9, W2 5.2e-9, b2 1.4e-7. The last layers differ most because the loss
    // is -log(y + 1e-7) (CROSS_ENTROPY_DELTA), whose derivative 1/(y + δ) the backward rule (y - t)
    // leaves out: a relative difference of δ/y ≈ 1e-6 for y ≈ 0.1. A wrong rule gives 1e-3 or more.
    for (const r of rows) expect(r.mean, r.name ?? "").toBeLessThan(1e-6);
    await screenshot(page, "gradcheck");
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

// End-to-end tests of the four languages (English, Korean, Japanese, Simplified Chinese) on the
// production build: every view opens in each with no console error and no sideways scroll on a
// phone; `?lang=`, the picker, the remembered choice and the browser's language pick it; a
// switch redraws the view in place (a stepped graph keeps its step, a playing net keeps training).
// Screenshots of the graph and train views in ko, ja and zh-Hans go to apps/web/reports/shots (or $BP_SHOTS).
import type { Page } from "playwright-core";
import { describe, expect, test } from "vitest";
import { openPage, screenshot } from "./harness.js";
import { DESKTOP, PHONE, servedApp } from "./suite.js";

const app = servedApp();

const VIEWS = ["graph", "netgraph", "layers", "train", "predict", "gradcheck", "playground"] as const;
const LANGS = ["en", "ko", "ja", "zh-Hans"] as const;

/** The view is drawn, with what it loads (the MNIST test images) in place. */
async function viewDrawn(page: Page, view: (typeof VIEWS)[number]): Promise<void> {
  await page.waitForFunction((v) => document.body.dataset.ready === v, view);
  if (view === "netgraph")
    await page.waitForFunction(() => document.getElementById("net-labels")?.textContent !== "", undefined, {
      timeout: 60_000,
    });
  if (view === "predict")
    await page.waitForFunction(() => document.querySelectorAll("#gallery li").length > 0, undefined, {
      timeout: 60_000,
    });
}

const pageWidth = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth);
const navTexts = (page: Page) => page.locator("nav#views a").allTextContents();

describe("every view in every language", () => {
  test.each(LANGS)(
    "%s: each view opens on a phone without an error or sideways scroll",
    async (lang) => {
      const { page, errors } = await openPage(app.browser, `${app.url}?lang=${lang}`, PHONE);
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang);
      for (const view of VIEWS) {
        await page.click(`#nav-${view}`);
        await viewDrawn(page, view);
        expect(await pageWidth(page), `${view} in ${lang}`).toBe(390);
        // The stepped graphs at their widest: every value and gradient shown.
        const runAll = view === "graph" ? "#graph-run-all" : view === "netgraph" ? "#net-run-all" : null;
        if (runAll !== null) {
          await page.click(runAll);
          expect(await pageWidth(page), `${view} run through in ${lang}`).toBe(390);
        }
        expect(new URL(page.url()).searchParams.get("lang")).toBe(lang);
      }
      expect(errors).toEqual([]);
      await page.context().close();
    },
    240_000,
  );
});

describe("choosing the language", () => {
  test("?lang=ja: the graph speaks the book's Japanese (順伝播, 逆伝播, 計算グラフ, りんご)", async () => {
    const { page, errors } = await openPage(app.browser, `${app.url}?lang=ja`, DESKTOP);
    expect(await page.textContent("#graph-title")).toBe("計算グラフ");
    expect(await page.textContent("#graph-step")).toBe("順伝播を1ステップ");
    for (let i = 0; i < 4; i++) await page.click("#graph-step");
    // After the four forward steps, the next step is backward: 逆伝播.
    expect(await page.textContent("#graph-step")).toBe("逆伝播を1ステップ");
    expect(await page.textContent('#graph-table tr[data-id="appleNum"] th')).toBe("りんごの個数");
    // The numbers stay JavaScript's exact ones: 650 × 1.1 = 715.0000000000001.
    expect(await page.textContent("#fwd-mulTax")).toBe("715.0000000000001");
    expect(await page.textContent("#graph-status")).toBe(
      "ステップ 4/8: MulLayer.forward(650, 1.1) = 650 × 1.1 = 715.0000000000001 (支払金額)",
    );
    expect(await page.title()).toBe("計算グラフ · bp: 誤差逆伝播法を見る");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("the picker switches in place, lands in the URL, and is remembered", async () => {
    const { page, errors } = await openPage(app.browser, url("?graph=apples"), DESKTOP);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
    await page.click("#graph-step");
    await page.click("#graph-step");
    await page.selectOption("#lang", "ko");
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("ko");
    expect(new URL(page.url()).searchParams.get("lang")).toBe("ko");
    // The view was redrawn, not rebuilt: still at step 2 of 4, its log now in Korean.
    expect(await page.getAttribute("section[aria-labelledby=graph-title]", "data-position")).toBe("2");
    expect(await page.textContent("#graph-status")).toMatch(/^4단계 중 2단계: MulLayer\.forward\(200, 1\.1\)/);
    expect(await navTexts(page)).toEqual([
      "계산 그래프",
      "신경망 그래프",
      "계층",
      "학습",
      "추론",
      "기울기 확인",
      "플레이그라운드",
    ]);
    expect(await page.getAttribute("nav#views", "aria-label")).toBe("화면");
    // The view links keep the language.
    expect(await page.getAttribute("#nav-train", "href")).toContain("lang=ko");
    // A new page of the same browser (same storage) without ?lang= starts in Korean.
    const again = await page.context().newPage();
    await again.goto(app.url);
    await again.waitForFunction(() => document.body.dataset.ready !== undefined);
    expect(await again.evaluate(() => document.documentElement.lang)).toBe("ko");
    expect(await again.inputValue("#lang")).toBe("ko");
    expect(errors).toEqual([]);
    await page.context().close();
  });

  test("without ?lang= or a remembered choice, the browser's language: zh-CN opens in Simplified Chinese", async () => {
    const { page } = await openPage(app.browser, app.url, { ...DESKTOP, locale: "zh-CN" });
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("zh-Hans");
    expect(await page.textContent("#nav-gradcheck")).toBe("梯度确认");
    // Picking the browser's own language writes no ?lang= (links stay short).
    await page.selectOption("#lang", "ja");
    expect(new URL(page.url()).searchParams.get("lang")).toBe("ja");
    await page.selectOption("#lang", "zh-Hans");
    expect(new URL(page.url()).searchParams.get("lang")).toBeNull();
    await page.context().close();
  });

  test("switching language while the playground trains keeps it training, with its settings", async () => {
    const { page, errors } = await openPage(app.browser, url("?view=playground"), DESKTOP);
    await page.fill("#pg-hidden", "6,4");
    await page.dispatchEvent("#pg-hidden", "change");
    await page.click("#pg-play");
    const epoch = () =>
      page.evaluate(() =>
        Number(document.querySelector<HTMLElement>("section[aria-labelledby=playground-title]")?.dataset.epoch),
      );
    await page.waitForFunction(
      () => Number(document.querySelector<HTMLElement>("section[aria-labelledby=playground-title]")?.dataset.epoch) > 5,
    );
    const before = await epoch();
    await page.selectOption("#lang", "zh-Hans");
    expect(await page.textContent("#pg-play")).toBe("暂停");
    await page.waitForFunction(
      (n) =>
        Number(document.querySelector<HTMLElement>("section[aria-labelledby=playground-title]")?.dataset.epoch) > n + 5,
      before,
    );
    expect(await page.inputValue("#pg-hidden")).toBe("6,4");
    expect(await page.textContent("#pg-stats")).toMatch(/^epoch \d+ · 每个 epoch /);
    expect(await page.locator("#pg-neurons .neuron-layer span").allTextContents()).toEqual(["隐藏层 1", "隐藏层 2"]);
    await page.click("#pg-play");
    expect(await page.textContent("#pg-play")).toBe("播放");
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

describe("the Train view in another language", () => {
  test("a switch mid-run keeps the run and its settings; the worker then speaks the new language", async () => {
    const query = "?view=train&lang=ko&backend=cpu&iterations=400&trainSize=1000&testSize=200&batch=50";
    const { page, errors } = await openPage(app.browser, url(query), DESKTOP);
    expect(await page.textContent("#train-title")).toBe("학습");
    expect(await page.textContent("#start")).toBe("시작");
    await page.click("#start");
    await page.waitForFunction(() => (document.getElementById("train-loss")?.textContent ?? "-") !== "-", undefined, {
      timeout: 60_000,
    });
    await page.selectOption("#lang", "ja");
    expect(await page.textContent("#start")).toBe("開始");
    expect(await page.textContent("#config legend")).toBe("設定");
    // The run goes on to its end, with the settings it started with.
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>("section[aria-labelledby=train-title]")?.dataset.state === "finished",
      undefined,
      { timeout: 120_000 },
    );
    const result = JSON.parse((await page.getAttribute("#train-result", "data-json")) ?? "null") as {
      final: { iteration: number };
    };
    expect(result.final.iteration).toBe(400);
    expect(await page.inputValue("#iterations")).toBe("400");
    expect(new URL(page.url()).searchParams.get("iterations")).toBe("400");
    expect(await page.textContent("#train-state")).toBe("完了");
    expect(await page.textContent("#train-result")).toMatch(/^400 イテレーションで完了（学習時間 [\d.]+ 秒）: /);
    expect(await page.textContent("#train-status")).toContain(
      "訓練データ 1,000 枚、テストデータ 200 枚。cpu バックエンド",
    );
    // (The run is kept, then the list is drawn again.)
    await page.waitForFunction(() => document.querySelector("#runs-list .run-use")?.textContent === "推論で使用中");
    // A run that overflows: the worker's message is in Japanese, with JavaScript's numbers.
    await page.fill("#lr", "1e300");
    await page.fill("#iterations", "5");
    await page.click("#start");
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>("section[aria-labelledby=train-title]")?.dataset.state === "diverged",
      undefined,
      { timeout: 60_000 },
    );
    expect(await page.textContent("#train-message")).toMatch(
      /がイテレーション [12] で (NaN|-?Infinity) になりました。更新が大きくなりすぎて数値があふれたため、学習を止めました。学習率を小さくしてください（現在 1e\+300。/,
    );
    expect(await pageWidth(page)).toBe(1280);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 240_000);
});

function url(query: string): string {
  return `${app.url}${query}`;
}

describe("screenshots", () => {
  test("the graph and train views in ko, ja and zh-Hans, desktop and phone", async () => {
    for (const lang of ["ko", "ja", "zh-Hans"] as const) {
      for (const [device, options] of [
        ["desktop", DESKTOP],
        ["phone", PHONE],
      ] as const) {
        const { page, errors } = await openPage(app.browser, url(`?lang=${lang}`), options);
        for (let i = 0; i < 6; i++) await page.click("#graph-step");
        await screenshot(page, `graph-${lang}-${device}`);
        await page.click("#nav-train");
        await viewDrawn(page, "train");
        // A short run, so that the chart, the table, the W1 images and the runs list have something.
        await page.fill("#iterations", "200");
        await page.fill("#trainSize", "1000");
        await page.fill("#testSize", "500");
        await page.click("#start");
        await page.waitForFunction(
          () =>
            document.querySelector<HTMLElement>("section[aria-labelledby=train-title]")?.dataset.state === "finished",
          undefined,
          { timeout: 60_000 },
        );
        await page.waitForFunction(() => document.querySelector("#runs-list .run-use") !== null);
        await screenshot(page, `train-${lang}-${device}`);
        expect(await pageWidth(page)).toBe(options.viewport.width);
        expect(errors).toEqual([]);
        await page.context().close();
      }
    }
  }, 240_000);
});

// The string catalogue (src/i18n): every key of en.ts in all four languages, no empty text, the
// same {parameters} as the English, each text translated (only texts made of the book's names and
// formulas stay the same), the book's terms as its translations use them, and the language a page
// starts in (?lang=, then the remembered choice, then the browser's languages).
import { describe, expect, test } from "vitest";
import { en, type MessageKey } from "../src/i18n/en.js";
import { browserLang, CATALOGUES, chooseLang, LANGS, langOfTag, translate } from "../src/i18n/index.js";

/** Texts that are only the book's names and formulas: the same in every language. */
const SAME_IN_EVERY_LANGUAGE = new Set<MessageKey>([
  "net.mask",
  "net.step5",
  "rule.Sigmoid.forward",
  "diag.backend",
  "predict.info",
  "common.colon",
]);
/** The Chinese translation keeps the English words epoch and mini-batch. */
const SAME_IN: Partial<Record<(typeof LANGS)[number], MessageKey[]>> = { "zh-Hans": ["chart.colEpoch"] };

const keys = Object.keys(en) as MessageKey[];
const paramsOf = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
/** Code spans (between backticks) stay code in every language. */
const codeOf = (text: string): string[] =>
  text
    .split("`")
    .filter((_, i) => i % 2 === 1)
    .sort();

describe("the catalogue", () => {
  test.each(LANGS)("%s has every key, none empty, with the English parameters and code", (lang) => {
    const c = CATALOGUES[lang];
    expect(Object.keys(c).sort()).toEqual([...keys].sort());
    for (const k of keys) {
      expect(c[k].trim(), k).not.toBe("");
      expect(paramsOf(c[k]), k).toEqual(paramsOf(en[k]));
      expect(codeOf(c[k]), k).toEqual(codeOf(en[k]));
      expect(c[k].split("`").length % 2, `${k}: unbalanced backticks`).toBe(1);
    }
  });

  test.each(["ko", "ja", "zh-Hans"] as const)("%s translates every text but the book's names and formulas", (lang) => {
    const c = CATALOGUES[lang];
    const untranslated = keys.filter(
      (k) => c[k] === en[k] && !SAME_IN_EVERY_LANGUAGE.has(k) && !(SAME_IN[lang] ?? []).includes(k),
    );
    expect(untranslated).toEqual([]);
  });

  // The book's words in its Japanese original and its Korean and Chinese translations.
  const TERMS: [MessageKey, Record<"ko" | "ja" | "zh-Hans", string>][] = [
    ["graph.title", { ja: "計算グラフ", ko: "계산 그래프", "zh-Hans": "计算图" }],
    ["step.forward", { ja: "順伝播", ko: "순전파", "zh-Hans": "正向传播" }],
    ["step.backward", { ja: "逆伝播", ko: "역전파", "zh-Hans": "反向传播" }],
    ["app.name", { ja: "誤差逆伝播法", ko: "오차역전파법", "zh-Hans": "误差反向传播法" }],
    ["view.gradcheck", { ja: "勾配確認", ko: "기울기 확인", "zh-Hans": "梯度确认" }],
    ["gc.caption", { ja: "勾配", ko: "기울기", "zh-Hans": "梯度" }],
    ["net.intro", { ja: "損失関数", ko: "손실 함수", "zh-Hans": "损失函数" }],
    ["pg.stats", { ja: "認識精度", ko: "정확도", "zh-Hans": "识别精度" }],
    ["pg.lr", { ja: "学習率", ko: "학습률", "zh-Hans": "学习率" }],
    ["net.dW1", { ja: "重み", ko: "가중치", "zh-Hans": "权重" }],
    ["gc.bnBias", { ja: "バイアス", ko: "편향", "zh-Hans": "偏置" }],
    ["pg.activation", { ja: "活性化関数", ko: "활성화 함수", "zh-Hans": "激活函数" }],
    ["gc.conv", { ja: "畳み込み", ko: "합성곱", "zh-Hans": "卷积" }],
    ["gc.bnNote", { ja: "ミニバッチ", ko: "미니배치", "zh-Hans": "mini-batch" }],
    ["pg.stepEpoch", { ja: "エポック", ko: "에폭", "zh-Hans": "epoch" }],
  ];
  test.each(TERMS)("%s uses the book's term", (key, terms) => {
    for (const [lang, term] of Object.entries(terms)) expect(CATALOGUES[lang as "ja"][key], lang).toContain(term);
  });

  test("parameters: numbers in the language's format, strings as given (exact float64 values)", () => {
    expect(
      translate("en", "gc.net", { net: "N", dtype: "float64", seed: "0", weights: 7960, evals: 15920, n: 3 }),
    ).toBe("N, float64, seed 0: 7,960 weights, so 15,920 loss evaluations on the first 3 training images.");
    expect(translate("en", "net.loss", { loss: String(110.00000000000001) })).toBe("loss L = 110.00000000000001");
    expect(translate("ja", "step.ready", { total: 8, n: 4 })).toBe(
      "準備完了: 全 8 ステップ（順伝播 4、続いて逆伝播 4）。",
    );
  });
});

describe("the language a page starts in", () => {
  test("a BCP 47 tag: ko-KR, ja, zh-CN and zh-Hans-* speak, Traditional Chinese does not", () => {
    expect(langOfTag("ko-KR")).toBe("ko");
    expect(langOfTag("ja")).toBe("ja");
    expect(langOfTag("zh-CN")).toBe("zh-Hans");
    expect(langOfTag("zh")).toBe("zh-Hans");
    expect(langOfTag("zh-Hans-HK")).toBe("zh-Hans");
    expect(langOfTag("zh-TW")).toBeNull();
    expect(langOfTag("zh-Hant")).toBeNull();
    expect(langOfTag("en-GB")).toBe("en");
    expect(langOfTag("fr-FR")).toBeNull();
  });

  test("?lang= first, then the remembered choice, then the first browser language the page speaks", () => {
    expect(browserLang(["fr-FR", "zh-TW", "ja-JP", "ko"])).toBe("ja");
    expect(browserLang(["fr"])).toBe("en");
    expect(chooseLang("ko", "ja", ["zh-CN"])).toBe("ko");
    expect(chooseLang(null, "ja", ["zh-CN"])).toBe("ja");
    expect(chooseLang("xx", "yy", ["zh-CN"])).toBe("zh-Hans");
    expect(chooseLang(null, null, [])).toBe("en");
  });
});

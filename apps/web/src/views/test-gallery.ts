// The Predict view's test images: a page of the 10 000 MNIST test images (or only those the net
// gets wrong), and the chosen one with the net's class probabilities.
import { h } from "../dom.js";
import { attr, onLang, t, tx } from "../i18n/index.js";
import { classify } from "../model-store.js";
import { testImage, type Predictions, type TestSet } from "../test-set.js";
import { drawDigit, renderBars } from "./digit-images.js";
import type { AppContext } from "./view.js";

const PAGE = 24;

export interface TestGallery {
  elements: HTMLElement[];
  /** The chosen image's canvas (what "Put this test image on the pad" copies). */
  chosenImage: HTMLCanvasElement;
  /** Its index in the test set. */
  readonly chosen: number;
  /** Says why there are no images (the test set did not load). */
  fail(text: string): void;
  /** Drops the previous model's predictions (a new model is being measured). */
  forgetPredictions(): void;
  /** Shows the test set with the current model's predictions (null: none yet). */
  render(set: TestSet | null, predictions: Predictions | null): void;
}

export function createTestGallery(ctx: AppContext, toPad: HTMLButtonElement): TestGallery {
  let testSet: TestSet | null = null;
  let predictions: Predictions | null = null;
  let pageStart = 0;
  let chosen = 0;

  const misclassifiedBox = h("input", {
    type: "checkbox",
    id: "misclassified",
    onchange: () => {
      pageStart = 0;
      renderGallery();
    },
  });
  const gallery = h("ul", { id: "gallery", class: "gallery" });
  const prevButton = h("button", { type: "button", id: "gallery-prev", onclick: () => turn(-1) }, tx("gal.prev"));
  const nextButton = h("button", { type: "button", id: "gallery-next", onclick: () => turn(1) }, tx("gal.next"));
  const galleryInfo = h("p", { id: "gallery-info", class: "hint" });
  const chosenImage = attr(
    h("canvas", { class: "digit28", role: "img", id: "chosen-image" }),
    "aria-label",
    "gal.chosenImage",
  );
  const chosenText = h("p", { id: "chosen-text" });
  const chosenBars = attr(h("ul", { id: "chosen-bars", class: "bars" }), "aria-label", "gal.chosenBars");

  function shown(): number[] {
    if (testSet === null) return [];
    const all = Array.from({ length: testSet.count }, (_, i) => i);
    if (!misclassifiedBox.checked || predictions === null) return all;
    return all.filter((i) => predictions!.predicted[i] !== testSet!.labels[i]);
  }

  function turn(dir: number): void {
    const n = shown().length;
    pageStart = Math.max(0, Math.min(pageStart + dir * PAGE, Math.max(0, n - 1)));
    renderGallery();
  }

  function item(set: TestSet, i: number): HTMLLIElement {
    const canvas = h("canvas", { "aria-hidden": "true" });
    drawDigit(canvas, set.images.subarray(i * 784, (i + 1) * 784));
    const label = set.labels[i]!;
    const pred = predictions?.predicted[i];
    const text =
      pred === undefined
        ? t("gal.item", { i: String(i), label: String(label) })
        : t("gal.itemPredicted", { i: String(i), label: String(label), pred: String(pred) });
    const attrs = { type: "button", "aria-pressed": String(i === chosen), "data-index": i, "aria-label": text };
    const wrong = pred !== undefined && pred !== label ? "wrong" : undefined;
    const caption = h("span", { class: wrong }, pred === undefined ? `${label}` : `${label} → ${pred}`);
    return h("li", {}, h("button", { ...attrs, onclick: () => choose(i) }, canvas, caption));
  }

  function renderGallery(): void {
    if (testSet === null) {
      galleryInfo.textContent = t("gal.loading");
      return;
    }
    const set = testSet;
    const list = shown();
    const items = list.slice(pageStart, pageStart + PAGE);
    galleryInfo.textContent =
      misclassifiedBox.checked && predictions === null
        ? t("gal.needsModel")
        : t(misclassifiedBox.checked ? "gal.showingWrong" : "gal.showing", {
            from: list.length === 0 ? 0 : pageStart + 1,
            to: pageStart + items.length,
            n: list.length,
          });
    prevButton.disabled = pageStart === 0;
    nextButton.disabled = pageStart + PAGE >= list.length;
    gallery.replaceChildren(...items.map((i) => item(set, i)));
    if (items.length > 0 && !items.includes(chosen)) chosen = items[0]!;
    showChosen();
  }

  function choose(i: number): void {
    chosen = i;
    for (const b of gallery.querySelectorAll("button"))
      b.setAttribute("aria-pressed", String(b.dataset.index === String(i)));
    showChosen();
  }

  function showChosen(): void {
    if (testSet === null) return;
    const label = testSet.labels[chosen]!;
    drawDigit(chosenImage, testSet.images.subarray(chosen * 784, (chosen + 1) * 784));
    const model = ctx.model.current;
    if (model === null) {
      chosenText.textContent = t("gal.chosen", { i: String(chosen), label: String(label) });
      chosenBars.replaceChildren();
      return;
    }
    const { classes, probs } = classify(model, testImage(testSet, chosen), 1);
    chosenText.textContent = t(classes[0] === label ? "gal.right" : "gal.wrong", {
      i: String(chosen),
      label: String(label),
      c: String(classes[0]),
    });
    renderBars(chosenBars, probs, label);
  }

  onLang(renderGallery);
  return {
    elements: [
      h("h3", {}, tx("gal.title")),
      h("label", { class: "field inline" }, misclassifiedBox, tx("gal.wrongOnly")),
      galleryInfo,
      h("div", { class: "buttons" }, prevButton, nextButton),
      gallery,
      h(
        "div",
        { class: "predict-grid" },
        h("div", {}, chosenImage, chosenText, h("div", { class: "buttons" }, toPad)),
        chosenBars,
      ),
    ],
    chosenImage,
    get chosen() {
      return chosen;
    },
    forgetPredictions() {
      predictions = null;
    },
    fail(text) {
      galleryInfo.textContent = text;
    },
    render(set, p) {
      testSet = set;
      predictions = p;
      renderGallery();
    },
  };
}

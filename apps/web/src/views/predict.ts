// Predict view: the current net (trained in the Train view or loaded from a file) on a digit you
// draw and on the 10 000 test images; download the net or load one. The pad is draw-pad.ts, the
// test images test-gallery.ts; this file holds the model and what follows when it changes.
import { h } from "../dom.js";
import { onLang, t, tx } from "../i18n/index.js";
import { describeModel, modelFromBytes, type Model } from "../model-store.js";
import { loadTestSet, predictAll, type TestSet } from "../test-set.js";
import { createDrawPad } from "./draw-pad.js";
import { createTestGallery } from "./test-gallery.js";
import type { ViewFactory } from "./view.js";

export const createPredictView: ViewFactory = (ctx) => {
  const modelInfo = h("p", { id: "model-info" });
  const download = h(
    "a",
    { id: "download-model", class: "button", download: "bp-mnist.safetensors" },
    tx("predict.download"),
  );
  const fileInput = h("input", { id: "load-model", type: "file", accept: ".safetensors,application/octet-stream" });
  const modelMessage = h("p", { id: "model-message", class: "message" });
  const accuracyOut = h("p", { id: "test-accuracy" });
  let downloadUrl: string | null = null;
  /** The last measured test accuracy (drawn again in another language). */
  let lastAccuracy: { correct: number; n: number } | null = null;
  function describeAccuracy(): void {
    if (lastAccuracy === null) return;
    const { correct, n } = lastAccuracy;
    accuracyOut.textContent = t("predict.accuracy", { accuracy: (correct / n).toFixed(4), correct, n });
  }
  let testSet: TestSet | null = null;

  const pad = createDrawPad(ctx);
  const toPadButton = h(
    "button",
    { type: "button", id: "chosen-to-pad", onclick: () => chosenToPad() },
    tx("predict.toPad"),
  );
  const gallery = createTestGallery(ctx, toPadButton);

  const element = h(
    "section",
    { "aria-labelledby": "predict-title", class: "view" },
    h("h2", { id: "predict-title" }, tx("predict.title")),
    h("h3", {}, tx("predict.model")),
    modelInfo,
    accuracyOut,
    h("div", { class: "buttons" }, download, h("label", { class: "field" }, tx("predict.load"), fileInput)),
    modelMessage,
    h("div", { class: "predict-grid" }, pad.padColumn, pad.inputColumn),
    ...gallery.elements,
  );

  /** The chosen test image, scaled up onto the pad (then preprocessed like any drawing). */
  function chosenToPad(): void {
    pad.put(gallery.chosenImage);
    ctx.announce(t("predict.onPad", { i: String(gallery.chosen), prediction: pad.prediction() }));
  }

  function showModel(model: Model | null): void {
    gallery.forgetPredictions();
    delete accuracyOut.dataset.accuracy;
    lastAccuracy = null;
    if (downloadUrl !== null) URL.revokeObjectURL(downloadUrl);
    downloadUrl = null;
    if (model === null) {
      modelInfo.textContent = t("predict.noModel");
      download.removeAttribute("href");
      download.setAttribute("aria-disabled", "true");
      accuracyOut.textContent = "";
    } else {
      modelInfo.textContent = t("predict.info", { model: describeModel(model), source: model.source });
      downloadUrl = URL.createObjectURL(
        new Blob([model.bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }),
      );
      download.href = downloadUrl;
      download.removeAttribute("aria-disabled");
      accuracyOut.textContent = t("predict.measuring");
    }
    pad.update();
    void evaluate();
  }

  async function evaluate(): Promise<void> {
    const model = ctx.model.current;
    try {
      testSet ??= await loadTestSet();
    } catch (e) {
      gallery.fail(t("predict.noTestSet", { error: e instanceof Error ? e.message : String(e) }));
      return;
    }
    if (model === null) return gallery.render(testSet, null);
    const p = await predictAll(model, testSet);
    if (ctx.model.current !== model) return;
    lastAccuracy = { correct: p.correct, n: testSet.count };
    describeAccuracy();
    accuracyOut.dataset.accuracy = String(p.correct / testSet.count);
    gallery.render(testSet, p);
  }

  fileInput.addEventListener("change", async () => {
    const file = fileInput.files?.[0];
    if (file === undefined) return;
    modelMessage.textContent = "";
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const model = modelFromBytes(bytes, t("predict.loadedFrom", { file: file.name }), file.name);
      ctx.model.set(model);
      ctx.announce(t("predict.loaded", { file: file.name, model: describeModel(model) }));
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      modelMessage.textContent = t("predict.loadFailed", { file: file.name, error });
    }
  });

  ctx.model.on(showModel);
  pad.clear();
  showModel(ctx.model.current);
  // A new language: the model's lines again (the pad and the gallery follow on their own).
  onLang(() => {
    const model = ctx.model.current;
    if (model === null) modelInfo.textContent = t("predict.noModel");
    else modelInfo.textContent = t("predict.info", { model: describeModel(model), source: model.source });
    describeAccuracy();
  });
  return { element };
};

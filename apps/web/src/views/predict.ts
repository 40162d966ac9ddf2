// Predict view: the current net (trained in the Train view or loaded from a file) on a digit you
// draw and on the 10 000 test images; download the net or load one. The pad is draw-pad.ts, the
// test images test-gallery.ts; this file holds the model and what follows when it changes.
import { h } from "../dom.js";
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
    "Download model (.safetensors)",
  );
  const fileInput = h("input", { id: "load-model", type: "file", accept: ".safetensors,application/octet-stream" });
  const modelMessage = h("p", { id: "model-message", class: "message" });
  const accuracyOut = h("p", { id: "test-accuracy" });
  let downloadUrl: string | null = null;
  let testSet: TestSet | null = null;

  const pad = createDrawPad(ctx);
  const toPadButton = h(
    "button",
    { type: "button", id: "chosen-to-pad", onclick: () => chosenToPad() },
    "Put this test image on the pad",
  );
  const gallery = createTestGallery(ctx, toPadButton);

  const element = h(
    "section",
    { "aria-labelledby": "predict-title", class: "view" },
    h("h2", { id: "predict-title" }, "Predict"),
    h("h3", {}, "The model"),
    modelInfo,
    accuracyOut,
    h(
      "div",
      { class: "buttons" },
      download,
      h("label", { class: "field" }, "Load a model file (from this page or bp train --save)", fileInput),
    ),
    modelMessage,
    h("div", { class: "predict-grid" }, pad.padColumn, pad.inputColumn),
    ...gallery.elements,
  );

  /** The chosen test image, scaled up onto the pad (then preprocessed like any drawing). */
  function chosenToPad(): void {
    pad.put(gallery.chosenImage);
    ctx.announce(`Test image #${gallery.chosen} is on the pad. ${pad.prediction()}`);
  }

  function showModel(model: Model | null): void {
    gallery.forgetPredictions();
    delete accuracyOut.dataset.accuracy;
    if (downloadUrl !== null) URL.revokeObjectURL(downloadUrl);
    downloadUrl = null;
    if (model === null) {
      modelInfo.textContent = "No model yet: train one in the Train view, or load a file.";
      download.removeAttribute("href");
      download.setAttribute("aria-disabled", "true");
      accuracyOut.textContent = "";
    } else {
      modelInfo.textContent = `${describeModel(model)}, ${model.source}.`;
      downloadUrl = URL.createObjectURL(
        new Blob([model.bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }),
      );
      download.href = downloadUrl;
      download.removeAttribute("aria-disabled");
      accuracyOut.textContent = "Test accuracy: measuring on the 10 000 test images…";
    }
    pad.update();
    void evaluate();
  }

  async function evaluate(): Promise<void> {
    const model = ctx.model.current;
    try {
      testSet ??= await loadTestSet();
    } catch (e) {
      gallery.fail(`The test images could not be loaded: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (model === null) return gallery.render(testSet, null);
    const p = await predictAll(model, testSet);
    if (ctx.model.current !== model) return;
    accuracyOut.textContent = `Test accuracy: ${(p.correct / testSet.count).toFixed(4)} (${p.correct} of ${testSet.count} test images).`;
    accuracyOut.dataset.accuracy = String(p.correct / testSet.count);
    gallery.render(testSet, p);
  }

  fileInput.addEventListener("change", async () => {
    const file = fileInput.files?.[0];
    if (file === undefined) return;
    modelMessage.textContent = "";
    try {
      const model = modelFromBytes(new Uint8Array(await file.arrayBuffer()), `loaded from ${file.name}`, file.name);
      ctx.model.set(model);
      ctx.announce(`Loaded ${file.name}: ${describeModel(model)}.`);
    } catch (e) {
      modelMessage.textContent = `${file.name} could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
    }
  });

  ctx.model.on(showModel);
  pad.clear();
  showModel(ctx.model.current);
  return { element };
};

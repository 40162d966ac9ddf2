// Predict view: the current net (trained in the Train view or loaded from a file) on a digit you
// draw (mouse, pen or touch through pointer events) and on the 10 000 test images; download the
// net or load one.
import { h } from "../dom.js";
import { classify, describeModel, modelFromBytes, type Model } from "../model-store.js";
import { SIDE, toMnist } from "../preprocess.js";
import { loadTestSet, predictAll, testImage, type Predictions, type TestSet } from "../test-set.js";
import type { ViewFactory } from "./view.js";

const PAD = 280;
const PAGE = 24;

/** Draws 784 values in [0, 1] (or bytes 0..255) on a 28×28 canvas, white on black. */
function drawDigit(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, scale = 1): void {
  canvas.width = SIDE;
  canvas.height = SIDE;
  const ctx = canvas.getContext("2d")!;
  const img = ctx.createImageData(SIDE, SIDE);
  for (let p = 0; p < SIDE * SIDE; p++) {
    const v = Math.round(pixels[p]! * scale);
    img.data.set([v, v, v, 255], p * 4);
  }
  ctx.putImageData(img, 0, 0);
}

/** The ten class probabilities as a list of bars (text first, so it reads well without the bars). */
function renderBars(list: HTMLUListElement, probs: ArrayLike<number>, trueLabel?: number): void {
  let best = 0;
  for (let c = 1; c < 10; c++) if (probs[c]! > probs[best]!) best = c;
  list.replaceChildren(
    ...Array.from({ length: 10 }, (_, c) =>
      h(
        "li",
        { class: [c === best ? "top" : "", c === trueLabel ? "true-label" : ""].join(" ").trim() || undefined },
        h("span", {}, String(c)),
        h("span", { class: "visually-hidden" }, ": "),
        h("span", { class: "bar", "aria-hidden": "true", style: `width: ${(probs[c]! * 100).toFixed(1)}%` }),
        h("span", {}, `${(probs[c]! * 100).toFixed(1)} %`),
      ),
    ),
  );
}

export const createPredictView: ViewFactory = (ctx) => {
  // ---- the model ----
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

  // ---- drawing ----
  // The pad is also a keyboard widget: a cursor on the 28×28 grid that arrow keys move and
  // Space/Enter paint, for those who cannot draw with a pointer.
  const pad = h("canvas", {
    id: "pad",
    class: "pad",
    width: PAD,
    height: PAD,
    tabindex: 0,
    role: "application",
    "aria-roledescription": "drawing pad",
    "aria-label": "Drawing pad, 28 by 28 cells: draw one digit",
    "aria-describedby": "pad-help",
  });
  const padCursor = h("div", { class: "pad-cursor", "aria-hidden": "true" });
  const padHelp = h(
    "p",
    { id: "pad-help", class: "hint" },
    "Draw with a mouse, pen or finger. With the keyboard: focus the pad, move its cursor with the arrow keys, paint with Space or Enter (Shift + arrow paints as it moves), clear with Delete. Or put a test image on the pad with the button under the chosen test image.",
  );
  const input28 = h("canvas", {
    id: "pad-input",
    class: "digit28",
    role: "img",
    "aria-label": "Your drawing as the net sees it: 28×28 pixels",
  });
  const drawBars = h("ul", { id: "draw-bars", class: "bars", "aria-label": "Class probabilities of your drawing" });
  const drawPrediction = h("p", { id: "draw-prediction" }, "Draw a digit in the black square.");
  const clearButton = h("button", { type: "button", id: "clear-pad", onclick: () => clearPad() }, "Clear");
  const toPadButton = h(
    "button",
    { type: "button", id: "chosen-to-pad", onclick: () => chosenToPad() },
    "Put this test image on the pad",
  );

  // ---- test images ----
  const misclassifiedBox = h("input", {
    type: "checkbox",
    id: "misclassified",
    onchange: () => {
      pageStart = 0;
      renderGallery();
    },
  });
  const gallery = h("ul", { id: "gallery", class: "gallery" });
  const prevButton = h("button", { type: "button", id: "gallery-prev", onclick: () => turn(-1) }, "Previous");
  const nextButton = h("button", { type: "button", id: "gallery-next", onclick: () => turn(1) }, "Next");
  const galleryInfo = h("p", { id: "gallery-info", class: "hint" });
  const chosenImage = h("canvas", {
    class: "digit28",
    role: "img",
    id: "chosen-image",
    "aria-label": "The chosen test image",
  });
  const chosenText = h("p", { id: "chosen-text" });
  const chosenBars = h("ul", {
    id: "chosen-bars",
    class: "bars",
    "aria-label": "Class probabilities of the chosen test image",
  });

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
    h(
      "div",
      { class: "predict-grid" },
      h(
        "div",
        {},
        h("h3", {}, "Draw a digit"),
        h("div", { class: "pad-wrap" }, pad, padCursor),
        // The prediction right under the pad, so that it is on screen while drawing on a phone.
        drawPrediction,
        h("div", { class: "buttons" }, clearButton),
        padHelp,
      ),
      h(
        "div",
        {},
        h("h3", {}, "What the net sees"),
        input28,
        h(
          "p",
          { class: "hint" },
          "Like MNIST: the drawing's bounding box scaled to 20×20, its centre of mass moved to the centre of 28×28.",
        ),
        drawBars,
      ),
    ),
    h("h3", {}, "Test images"),
    h("label", { class: "field inline" }, misclassifiedBox, "Misclassified only"),
    galleryInfo,
    h("div", { class: "buttons" }, prevButton, nextButton),
    gallery,
    h(
      "div",
      { class: "predict-grid" },
      h("div", {}, chosenImage, chosenText, h("div", { class: "buttons" }, toPadButton)),
      chosenBars,
    ),
  );

  let testSet: TestSet | null = null;
  let predictions: Predictions | null = null;
  let pageStart = 0;
  let chosen = 0;

  // ---- model ----
  function showModel(model: Model | null): void {
    predictions = null;
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
    updateDrawing();
    void evaluate();
  }

  async function evaluate(): Promise<void> {
    const model = ctx.model.current;
    try {
      testSet ??= await loadTestSet();
    } catch (e) {
      galleryInfo.textContent = `The test images could not be loaded: ${e instanceof Error ? e.message : String(e)}`;
      return;
    }
    if (model !== null) {
      const p = await predictAll(model, testSet);
      if (ctx.model.current !== model) return;
      predictions = p;
      accuracyOut.textContent = `Test accuracy: ${(p.correct / testSet.count).toFixed(4)} (${p.correct} of ${testSet.count} test images).`;
      accuracyOut.dataset.accuracy = String(p.correct / testSet.count);
    }
    renderGallery();
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

  // ---- drawing ----
  const padCtx = pad.getContext("2d", { willReadFrequently: true })!;
  function clearPad(): void {
    padCtx.fillStyle = "#000";
    padCtx.fillRect(0, 0, PAD, PAD);
    updateDrawing();
  }
  let last: { x: number; y: number } | null = null;
  const at = (e: PointerEvent) => {
    const r = pad.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * PAD) / r.width, y: ((e.clientY - r.top) * PAD) / r.height };
  };
  pad.addEventListener("pointerdown", (e) => {
    pad.setPointerCapture(e.pointerId);
    // Which kind of pointer drew last ("mouse", "pen" or "touch"; read by the e2e tests).
    pad.dataset.pointer = e.pointerType;
    last = at(e);
    stroke(last, last);
  });
  pad.addEventListener("pointermove", (e) => {
    if (last === null) return;
    const p = at(e);
    stroke(last, p);
    last = p;
  });
  const end = () => {
    last = null;
  };
  pad.addEventListener("pointerup", end);
  pad.addEventListener("pointercancel", end);

  // ---- drawing with the keyboard ----
  const CELL = PAD / SIDE;
  const cursor = { row: 4, col: 14 };
  const cellCentre = () => ({ x: (cursor.col + 0.5) * CELL, y: (cursor.row + 0.5) * CELL });
  function placeCursor(): void {
    padCursor.style.left = `${(cursor.col * 100) / SIDE}%`;
    padCursor.style.top = `${(cursor.row * 100) / SIDE}%`;
    pad.dataset.cursor = `${cursor.row},${cursor.col}`;
  }
  const MOVES: Record<string, [number, number]> = {
    ArrowUp: [-1, 0],
    ArrowDown: [1, 0],
    ArrowLeft: [0, -1],
    ArrowRight: [0, 1],
  };
  pad.addEventListener("keydown", (e) => {
    const move = MOVES[e.key];
    let said = "";
    if (move !== undefined) {
      const from = cellCentre();
      cursor.row = Math.min(SIDE - 1, Math.max(0, cursor.row + move[0]));
      cursor.col = Math.min(SIDE - 1, Math.max(0, cursor.col + move[1]));
      placeCursor();
      if (e.shiftKey) stroke(from, cellCentre(), false);
      said = `${e.shiftKey ? "Painted to" : "Cursor at"} row ${cursor.row + 1}, column ${cursor.col + 1}.`;
    } else if (e.key === " " || e.key === "Enter") {
      stroke(cellCentre(), cellCentre(), false);
      said = `Painted row ${cursor.row + 1}, column ${cursor.col + 1}.`;
    } else if (e.key === "Delete" || e.key === "Backspace") {
      clearPad();
      said = "Pad cleared.";
    } else return;
    e.preventDefault();
    const prediction = drawPrediction.dataset.class === undefined ? "" : ` ${drawPrediction.textContent}`;
    ctx.announce(`${said}${prediction}`);
  });
  placeCursor();

  /** The chosen test image, scaled up onto the pad (then preprocessed like any drawing). */
  function chosenToPad(): void {
    padCtx.imageSmoothingEnabled = true;
    padCtx.drawImage(chosenImage, 0, 0, PAD, PAD);
    updateDrawing();
    ctx.announce(`Test image #${chosen} is on the pad. ${drawPrediction.textContent}`);
  }

  let pending = false;
  /** Paints a line from a to b; the prediction follows on the next frame, or at once (`later`
   * false, so a keyboard user hears the new prediction). */
  function stroke(a: { x: number; y: number }, b: { x: number; y: number }, later = true): void {
    padCtx.strokeStyle = "#fff";
    padCtx.lineWidth = 20;
    padCtx.lineCap = "round";
    padCtx.lineJoin = "round";
    padCtx.beginPath();
    padCtx.moveTo(a.x, a.y);
    padCtx.lineTo(b.x, b.y);
    padCtx.stroke();
    if (!later) updateDrawing();
    else if (!pending) {
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        updateDrawing();
      });
    }
  }

  function updateDrawing(): void {
    const rgba = padCtx.getImageData(0, 0, PAD, PAD).data;
    const gray = new Float64Array(PAD * PAD);
    for (let i = 0; i < gray.length; i++) gray[i] = rgba[i * 4]! / 255;
    const x = toMnist(gray, PAD, PAD);
    drawDigit(input28, x ?? new Float64Array(784), 255);
    const model = ctx.model.current;
    if (x === null) {
      drawPrediction.textContent = "Draw a digit in the black square.";
      delete drawPrediction.dataset.class;
      drawBars.replaceChildren();
      return;
    }
    if (model === null) {
      drawPrediction.textContent = "No model yet: train one in the Train view, or load a file above.";
      return;
    }
    const { classes, probs } = classify(model, x, 1);
    const c = classes[0]!;
    drawPrediction.textContent = `The net says ${c} (${(probs[c]! * 100).toFixed(1)} %).`;
    drawPrediction.dataset.class = String(c);
    renderBars(drawBars, probs);
  }

  // ---- test images ----
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

  function renderGallery(): void {
    if (testSet === null) {
      galleryInfo.textContent = "Loading the test images…";
      return;
    }
    const set = testSet;
    const list = shown();
    const items = list.slice(pageStart, pageStart + PAGE);
    galleryInfo.textContent =
      misclassifiedBox.checked && predictions === null
        ? "Misclassified needs a model: showing all test images."
        : `Showing ${list.length === 0 ? 0 : pageStart + 1}-${pageStart + items.length} of ${list.length}${misclassifiedBox.checked ? " misclassified" : ""} test images.`;
    prevButton.disabled = pageStart === 0;
    nextButton.disabled = pageStart + PAGE >= list.length;
    gallery.replaceChildren(
      ...items.map((i) => {
        const canvas = h("canvas", { "aria-hidden": "true" });
        drawDigit(canvas, set.images.subarray(i * 784, (i + 1) * 784));
        const label = set.labels[i]!;
        const pred = predictions?.predicted[i];
        const text = pred === undefined ? `#${i}: label ${label}` : `#${i}: label ${label}, predicted ${pred}`;
        return h(
          "li",
          {},
          h(
            "button",
            {
              type: "button",
              "aria-pressed": String(i === chosen),
              "data-index": i,
              "aria-label": text,
              onclick: () => choose(i),
            },
            canvas,
            h(
              "span",
              { class: pred !== undefined && pred !== label ? "wrong" : undefined },
              pred === undefined ? `${label}` : `${label} → ${pred}`,
            ),
          ),
        );
      }),
    );
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
      chosenText.textContent = `Test image #${chosen}: label ${label}.`;
      chosenBars.replaceChildren();
      return;
    }
    const { classes, probs } = classify(model, testImage(testSet, chosen), 1);
    chosenText.textContent = `Test image #${chosen}: label ${label}, the net says ${classes[0]} (${classes[0] === label ? "right" : "wrong"}).`;
    renderBars(chosenBars, probs, label);
  }

  ctx.model.on(showModel);
  clearPad();
  showModel(ctx.model.current);
  return { element };
};

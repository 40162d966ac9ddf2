// Drawing helpers of the Predict view: a 28×28 digit on a canvas and the ten class probabilities.
import { h } from "../dom.js";
import { t } from "../i18n/index.js";
import { SIDE } from "../preprocess.js";

/** Draws 784 values in [0, 1] (or bytes 0..255) on a 28×28 canvas, white on black. */
export function drawDigit(canvas: HTMLCanvasElement, pixels: ArrayLike<number>, scale = 1): void {
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
export function renderBars(list: HTMLUListElement, probs: ArrayLike<number>, trueLabel?: number): void {
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
        h("span", {}, t("common.percent", { p: (probs[c]! * 100).toFixed(1) })),
      ),
    ),
  );
}

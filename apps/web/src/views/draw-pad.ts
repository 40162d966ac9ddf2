// The Predict view's drawing pad: a 280×280 canvas drawn on with a mouse, pen or finger (pointer
// events) or the keyboard (a cursor on the 28×28 grid that arrow keys move and Space/Enter paint),
// what the net sees (the drawing preprocessed like MNIST) and what it says.
import { h } from "../dom.js";
import { attr, fill, onLang, t, tx } from "../i18n/index.js";
import { classify } from "../model-store.js";
import { SIDE, toMnist } from "../preprocess.js";
import { drawDigit, renderBars } from "./digit-images.js";
import type { AppContext } from "./view.js";

const PAD = 280;
const CELL = PAD / SIDE;

export interface DrawPad {
  /** The pad with its prediction, buttons and help. */
  padColumn: HTMLElement;
  /** What the net sees, and its class probabilities. */
  inputColumn: HTMLElement;
  /** Clears the pad. */
  clear(): void;
  /** Scales an image onto the pad (then preprocessed like any drawing). */
  put(image: CanvasImageSource): void;
  /** Draws the input and the prediction again (a new model). */
  update(): void;
  /** The prediction as a sentence. */
  prediction(): string;
}

export function createDrawPad(ctx: AppContext): DrawPad {
  const pad = h("canvas", {
    id: "pad",
    class: "pad",
    width: PAD,
    height: PAD,
    tabindex: 0,
    role: "application",
    "aria-describedby": "pad-help",
  });
  attr(pad, "aria-roledescription", "pad.role");
  attr(pad, "aria-label", "pad.label");
  const padCursor = h("div", { class: "pad-cursor", "aria-hidden": "true" });
  const padHelp = fill(h("p", { id: "pad-help", class: "hint" }), "pad.help");
  const input28 = attr(h("canvas", { id: "pad-input", class: "digit28", role: "img" }), "aria-label", "pad.input");
  const drawBars = attr(h("ul", { id: "draw-bars", class: "bars" }), "aria-label", "pad.bars");
  const drawPrediction = h("p", { id: "draw-prediction" }, t("pad.empty"));
  const clearButton = h("button", { type: "button", id: "clear-pad", onclick: () => clear() }, tx("pad.clear"));
  const padCtx = pad.getContext("2d", { willReadFrequently: true })!;

  function clear(): void {
    padCtx.fillStyle = "#000";
    padCtx.fillRect(0, 0, PAD, PAD);
    update();
  }

  // ---- pointer ----
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

  // ---- keyboard ----
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
      said = t(e.shiftKey ? "pad.paintedTo" : "pad.cursorAt", { row: cursor.row + 1, col: cursor.col + 1 });
    } else if (e.key === " " || e.key === "Enter") {
      stroke(cellCentre(), cellCentre(), false);
      said = t("pad.painted", { row: cursor.row + 1, col: cursor.col + 1 });
    } else if (e.key === "Delete" || e.key === "Backspace") {
      clear();
      said = t("pad.cleared");
    } else return;
    e.preventDefault();
    const prediction = drawPrediction.dataset.class === undefined ? "" : ` ${drawPrediction.textContent}`;
    ctx.announce(`${said}${prediction}`);
  });
  placeCursor();

  let pending = false;
  /** Paints a line from a to b; the prediction follows on the next frame, or at once (`later`
   * false, so a keyboard user hears the new prediction). */
  function stroke(a: { x: number; y: number }, b: { x: number; y: number }, later = true): void {
    Object.assign(padCtx, { strokeStyle: "#fff", lineWidth: 20, lineCap: "round", lineJoin: "round" });
    padCtx.beginPath();
    padCtx.moveTo(a.x, a.y);
    padCtx.lineTo(b.x, b.y);
    padCtx.stroke();
    if (!later) update();
    else if (!pending) {
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        update();
      });
    }
  }

  function update(): void {
    const rgba = padCtx.getImageData(0, 0, PAD, PAD).data;
    const gray = new Float64Array(PAD * PAD);
    for (let i = 0; i < gray.length; i++) gray[i] = rgba[i * 4]! / 255;
    const x = toMnist(gray, PAD, PAD);
    drawDigit(input28, x ?? new Float64Array(784), 255);
    const model = ctx.model.current;
    if (x === null) {
      drawPrediction.textContent = t("pad.empty");
      delete drawPrediction.dataset.class;
      drawBars.replaceChildren();
      return;
    }
    if (model === null) {
      drawPrediction.textContent = t("pad.noModel");
      return;
    }
    const { classes, probs } = classify(model, x, 1);
    const c = classes[0]!;
    drawPrediction.textContent = t("pad.says", { c: String(c), p: (probs[c]! * 100).toFixed(1) });
    drawPrediction.dataset.class = String(c);
    renderBars(drawBars, probs);
  }

  onLang(update);
  return {
    padColumn: h(
      "div",
      {},
      h("h3", {}, tx("pad.draw")),
      h("div", { class: "pad-wrap" }, pad, padCursor),
      // The prediction right under the pad, so that it is on screen while drawing on a phone.
      drawPrediction,
      h("div", { class: "buttons" }, clearButton),
      padHelp,
    ),
    inputColumn: h(
      "div",
      {},
      h("h3", {}, tx("pad.sees")),
      input28,
      h("p", { class: "hint" }, tx("pad.like")),
      drawBars,
    ),
    clear,
    put(image) {
      padCtx.imageSmoothingEnabled = true;
      padCtx.drawImage(image, 0, 0, PAD, PAD);
      update();
    },
    update,
    prediction: () => drawPrediction.textContent ?? "",
  };
}

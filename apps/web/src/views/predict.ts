import { h } from "../dom.js";
import type { ViewFactory } from "./view.js";

export const createPredictView: ViewFactory = () => ({
  element: h("section", { class: "view" }, h("h2", {}, "Predict"), h("p", {}, "Coming in a later commit.")),
});

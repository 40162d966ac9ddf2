import { h } from "../dom.js";
import type { ViewFactory } from "./view.js";

export const createLayersView: ViewFactory = () => ({
  element: h("section", { class: "view" }, h("h2", {}, "Layers"), h("p", {}, "Coming in a later commit.")),
});

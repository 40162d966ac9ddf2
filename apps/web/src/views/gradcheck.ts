import { h } from "../dom.js";
import type { ViewFactory } from "./view.js";

export const createGradCheckView: ViewFactory = () => ({
  element: h("section", { class: "view" }, h("h2", {}, "GradCheck"), h("p", {}, "Coming in a later commit.")),
});

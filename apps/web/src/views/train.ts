import { h } from "../dom.js";
import type { ViewFactory } from "./view.js";

export const createTrainView: ViewFactory = () => ({
  element: h("section", { class: "view" }, h("h2", {}, "Train"), h("p", {}, "Coming in a later commit.")),
});

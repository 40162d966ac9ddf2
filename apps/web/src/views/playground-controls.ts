// The playground's settings: its form controls, and the configuration they describe (a clear
// error naming the setting when one is out of range).
import { OPTIMIZER_CLASS_NAMES, OPTIMIZER_NAMES, type OptimizerName } from "@bp/nets";
import { h } from "../dom.js";
import { type MessageKey, t, tx } from "../i18n/index.js";
import type { PlaygroundConfig } from "../playground-model.js";
import { DATASETS, type DatasetName } from "../toy-data.js";

const select = (id: string, options: readonly string[], value: string, labels?: (o: string) => string | Text) => {
  const el = h("select", { id }, ...options.map((o) => h("option", { value: o }, labels?.(o) ?? o)));
  el.value = value;
  return el;
};
const input = (id: string, value: string | number, attrs: Record<string, string | number> = {}) =>
  h("input", { id, value, inputmode: "decimal", ...attrs });

export function playgroundControls() {
  return {
    dataset: select("pg-dataset", DATASETS, "circles", (o) => tx(`pg.${o as DatasetName}`)),
    noise: input("pg-noise", 0.1),
    trainRatio: input("pg-train", 0.5),
    hidden: input("pg-hidden", "8,8"),
    activation: select("pg-activation", ["relu", "sigmoid"], "relu"),
    init: select("pg-init", ["he", "xavier", "0.1", "0.01"], "he"),
    optimizer: select("pg-optimizer", OPTIMIZER_NAMES, "adam", (o) => OPTIMIZER_CLASS_NAMES[o as OptimizerName]),
    lr: input("pg-lr", 0.01),
    batch: input("pg-batch", 10),
    weightDecay: input("pg-decay", 0),
    dropout: input("pg-dropout", 0),
    batchnorm: h("input", { id: "pg-batchnorm", type: "checkbox" }),
    showTest: h("input", { id: "pg-show-test", type: "checkbox", checked: true }),
  };
}

export type PlaygroundControls = ReturnType<typeof playgroundControls>;

export function readPlaygroundConfig(c: PlaygroundControls): PlaygroundConfig {
  const num = (el: HTMLInputElement, name: MessageKey, min: number, max: number, int = false): number => {
    const v = Number(el.value);
    const ok = el.value.trim() !== "" && Number.isFinite(v) && v >= min && v <= max && (!int || Number.isInteger(v));
    el.setAttribute("aria-invalid", String(!ok));
    if (!ok)
      throw new Error(
        t(int ? "pg.badInteger" : "pg.badNumber", {
          name: t(name),
          min: String(min),
          max: String(max),
          value: el.value,
        }),
      );
    return v;
  };
  const hidden = c.hidden.value.split(",").map((s) => Number(s.trim()));
  const hiddenOk =
    hidden.length >= 1 && hidden.length <= 6 && hidden.every((n) => Number.isInteger(n) && n >= 1 && n <= 16);
  c.hidden.setAttribute("aria-invalid", String(!hiddenOk));
  if (!hiddenOk) throw new Error(t("pg.badHidden", { value: c.hidden.value }));
  const init = c.init.value;
  return {
    dataset: c.dataset.value as DatasetName,
    noise: num(c.noise, "pg.noise", 0, 0.5),
    trainRatio: num(c.trainRatio, "pg.trainShare", 0.1, 0.9),
    points: 400,
    hidden,
    activation: c.activation.value as "relu" | "sigmoid",
    init: init === "he" || init === "xavier" ? init : Number(init),
    optimizer: c.optimizer.value as OptimizerName,
    lr: num(c.lr, "pg.lr", 1e-6, 10),
    batch: num(c.batch, "pg.batch", 1, 400, true),
    weightDecay: num(c.weightDecay, "pg.decay", 0, 1),
    dropout: num(c.dropout, "pg.dropout", 0, 0.9),
    batchnorm: c.batchnorm.checked,
    seed: 0,
  };
}

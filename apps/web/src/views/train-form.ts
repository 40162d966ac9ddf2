// The Train view's settings form: one field per TrainConfig entry (train-config.ts), the net and
// backend pickers, and the chapter 7 note. It keeps the last valid configuration and shows only
// the fields that the chosen net takes (`NETS` of @bp/nets).
import { h } from "../dom.js";
import { fill as fillText, onLang, t, tx } from "../i18n/index.js";
import type { TrainConfig } from "../messages.js";
import {
  CONV_RECIPE,
  drawsCurve,
  isOptimizer,
  NET_CHOICES,
  parseTexts,
  TEXT_FIELDS,
  takes,
  withoutUnusedSettings,
} from "../train-config.js";
import { lrWarning, SUGGESTED_LR } from "../learning-rate.js";
import { createPickers } from "./train-pickers.js";
import type { AppContext } from "./view.js";

export interface TrainForm {
  element: HTMLFormElement;
  /** The last valid configuration. */
  readonly config: TrainConfig;
  /** The configuration in the form, or null (with messages at the fields) when a field is wrong. */
  read(): TrainConfig | null;
  fill(config: TrainConfig): void;
  firstInvalid(): HTMLInputElement | undefined;
}

const CURVE_FIELDS: (keyof TrainConfig)[] = ["curveEvery", "curveRows"];

const formatField = (f: (typeof TEXT_FIELDS)[number], config: TrainConfig) =>
  (f.format as (v: unknown) => string)(config[f.name]);

/** `onInput`: a field changed; `onSubmit`: Enter in a field. */
export function createTrainForm(
  ctx: AppContext,
  initial: TrainConfig,
  onInput: () => void,
  onSubmit: () => void,
): TrainForm {
  let config = initial;
  const inputs = new Map<string, HTMLInputElement>();
  const errors = new Map<string, HTMLElement>();
  /** Fields shown only for the nets that take their setting. */
  const bySetting: { el: HTMLElement; setting: Parameters<typeof takes>[1] }[] = [];
  let threadsLabel: HTMLElement | null = null;
  /** The accuracy curve's fields (not for SimpleConvNet, whose run draws no curve). */
  const curveLabels: HTMLElement[] = [];
  const lrWarningOut = h("span", { class: "field-warning", id: "lr-warning" });
  const fieldEls = TEXT_FIELDS.map((f) => {
    const input = h("input", {
      id: f.name,
      name: f.name,
      type: "text",
      inputmode: f.name === "hidden" || f.name === "init" || f.name === "curveEvery" ? "text" : "decimal",
      autocomplete: "off",
      value: formatField(f, config),
      "aria-describedby": `${f.name}-hint ${f.name}-error${f.name === "lr" ? " lr-warning" : ""}`,
      oninput: () => onInput(),
    });
    const error = h("span", { class: "field-error", id: `${f.name}-error` });
    inputs.set(f.name, input);
    errors.set(f.name, error);
    const hint = h("span", { class: "hint", id: `${f.name}-hint` }, tx(f.hint));
    const label = h("label", { class: "field" }, tx(f.label), input, hint, error);
    if (f.name === "lr") label.append(lrWarningOut);
    if (f.setting !== undefined) bySetting.push({ el: label, setting: f.setting });
    if (f.name === "threads") threadsLabel = label;
    if (CURVE_FIELDS.includes(f.name)) curveLabels.push(label);
    return label;
  });
  const { netSelect, optimizerSelect, dtypeSelect, backendSelect, backendHint } = createPickers(ctx, config, onInput);
  // A new optimizer brings its own suggested learning rate (the book's default for it).
  optimizerSelect.addEventListener("change", () => {
    if (!isOptimizer(optimizerSelect.value)) return;
    const lr = SUGGESTED_LR[optimizerSelect.value];
    inputs.get("lr")!.value = String(lr);
    onInput();
    ctx.announce(t("train.lrSet", { lr: String(lr) }));
  });
  const batchnormBox = h("input", { id: "batchnorm", type: "checkbox", onchange: () => onInput() });
  batchnormBox.checked = config.batchnorm;
  const batchnormLabel = h("label", { class: "field inline" }, batchnormBox, tx("train.batchnorm"));
  bySetting.push({ el: batchnormLabel, setting: "batchnorm" });

  /** Fills the form with chapter 7's recipe on a subset (CONV_RECIPE). */
  function useConvRecipe(): void {
    const recipe = { ...config, ...CONV_RECIPE };
    for (const f of TEXT_FIELDS) inputs.get(f.name)!.value = formatField(f, recipe);
    netSelect.value = recipe.net;
    optimizerSelect.value = recipe.optimizer;
    onInput();
    ctx.announce(
      t("train.recipeSaid", { lr: String(recipe.lr), train: recipe.trainSize, iterations: recipe.iterations }),
    );
  }
  const convNote = h(
    "div",
    { id: "conv-note", class: "note" },
    fillText(h("p"), "train.convNote"),
    h("button", { type: "button", id: "conv-recipe", onclick: () => useConvRecipe() }, tx("train.convRecipe")),
  );
  const element = h(
    "form",
    {
      id: "config",
      novalidate: true,
      onsubmit: (e: Event) => {
        e.preventDefault();
        onSubmit();
      },
    },
    h(
      "fieldset",
      {},
      h("legend", {}, tx("train.settings")),
      h(
        "div",
        { class: "fields" },
        h("label", { class: "field" }, tx("train.net"), netSelect),
        h("label", { class: "field" }, tx("train.optimizer"), optimizerSelect),
        ...fieldEls,
        h("label", { class: "field" }, "dtype", dtypeSelect),
        h("label", { class: "field" }, tx("train.backend"), backendSelect),
        batchnormLabel,
      ),
      convNote,
      h("details", {}, h("summary", {}, tx("train.aboutBackends")), backendHint),
    ),
  );

  function read(): TrainConfig | null {
    const texts: Record<string, string> = {};
    for (const [name, input] of inputs) texts[name] = input.value;
    const chosen = NET_CHOICES.find((c) => c.value === netSelect.value)?.value ?? "two-layer";
    const base = withoutUnusedSettings({
      ...config,
      net: chosen,
      optimizer: isOptimizer(optimizerSelect.value) ? optimizerSelect.value : "sgd",
      dtype: dtypeSelect.value === "float32" ? "float32" : "float64",
      backend: ctx.backends.isAvailable(backendSelect.value) ? backendSelect.value : config.backend,
      batchnorm: batchnormBox.checked,
    });
    const parsed = parseTexts(texts, base);
    const curve = drawsCurve(base);
    for (const el of curveLabels) el.hidden = !curve;
    // A net without the curve ignores its fields (withoutUnusedSettings sets their defaults).
    if (!curve) for (const name of CURVE_FIELDS) delete parsed.errors[name];
    for (const { el, setting } of bySetting) el.hidden = !takes(base, setting);
    convNote.hidden = base.net !== "simple-conv";
    // Threads only matter to the worker backend ("auto" picks wasm where it works, else cpu).
    if (threadsLabel !== null) threadsLabel.hidden = base.backend !== "worker";
    for (const [name, input] of inputs) {
      const error = parsed.errors[name as keyof TrainConfig] ?? "";
      errors.get(name)!.textContent = error;
      input.setAttribute("aria-invalid", String(error !== ""));
    }
    lrWarningOut.textContent =
      parsed.errors.lr === undefined ? lrWarning(parsed.config.optimizer, parsed.config.lr) : "";
    if (Object.keys(parsed.errors).length > 0) return null;
    config = withoutUnusedSettings(parsed.config);
    return config;
  }

  function fill(next: TrainConfig): void {
    config = next;
    for (const f of TEXT_FIELDS) inputs.get(f.name)!.value = formatField(f, config);
    netSelect.value = config.net;
    optimizerSelect.value = config.optimizer;
    dtypeSelect.value = config.dtype;
    backendSelect.value = config.backend;
    batchnormBox.checked = config.batchnorm;
    read();
  }

  // A new language: the field messages again (the values stay as they are).
  onLang(() => void read());
  return {
    element,
    get config() {
      return config;
    },
    read,
    fill,
    firstInvalid: () => [...inputs.values()].find((i) => i.getAttribute("aria-invalid") === "true"),
  };
}

// The Train form's pickers: the net (the names of `NETS`, as `bp train --net` takes them), the
// optimizer (by the book's class names), the dtype and the backend (the library's `BACKEND_NAMES`, those this page can run
// enabled), with a list that says what each backend is.
import { OPTIMIZER_CLASS_NAMES, OPTIMIZER_NAMES } from "@bp/nets";
import { h } from "../dom.js";
import { liveText, t } from "../i18n/index.js";
import type { TrainConfig } from "../messages.js";
import { NET_CHOICES } from "../train-config.js";
import type { AppContext } from "./view.js";

export function createPickers(ctx: AppContext, config: TrainConfig, onInput: () => void) {
  /** Labels are read in the language of the moment and follow a switch (tx). */
  const select = (
    id: string,
    options: { value: string; readonly label: string; disabled?: boolean }[],
    value: string,
  ) => {
    const el = h(
      "select",
      { id, onchange: () => onInput() },
      ...options.map((o) =>
        h(
          "option",
          { value: o.value, disabled: o.disabled === true },
          liveText(() => o.label),
        ),
      ),
    );
    el.value = value;
    return el;
  };
  const optimizers = OPTIMIZER_NAMES.map((o) => ({ value: o, label: OPTIMIZER_CLASS_NAMES[o] }));
  const dtypes = [
    {
      value: "float64",
      get label() {
        return t("train.float64");
      },
    },
    { value: "float32", label: "float32" },
  ];
  const backends = ctx.backends.choices.map((c) => ({
    value: c.name,
    disabled: !c.available,
    get label() {
      return c.available ? c.name : t("train.backendOff", { name: c.name, why: c.short });
    },
  }));
  const backendSelect = select("backend", backends, config.backend);
  backendSelect.setAttribute("aria-describedby", "backend-hint");
  return {
    netSelect: select("net", NET_CHOICES, config.net),
    optimizerSelect: select("optimizer", optimizers, config.optimizer),
    dtypeSelect: select("dtype", dtypes, config.dtype),
    backendSelect,
    backendHint: h(
      "ul",
      { id: "backend-hint", class: "hint" },
      ...ctx.backends.choices.map((c) =>
        h(
          "li",
          {},
          h("strong", {}, c.name),
          liveText(() => t("common.colon", { text: c.reason })),
        ),
      ),
    ),
  };
}

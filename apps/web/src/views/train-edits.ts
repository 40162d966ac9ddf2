// Settings edited while a run is under way (running or paused) do not change that run: the
// library's Trainer fixed them when it was made. So the page says so, next to the buttons, and
// keeps the URL describing the run that is running; Start (or Reset) begins a new run with them.
import { h } from "../dom.js";
import { t } from "../i18n/index.js";
import type { TrainConfig } from "../messages.js";
import { configToParams } from "../train-config.js";
import type { AppContext } from "./view.js";

/** "lr 0.1 → 0.5, seed 0 → 1": the URL parameters that differ (a parameter left out is its default). */
export function settingChanges(ctx: AppContext, from: TrainConfig, to: TrainConfig): string[] {
  const a = configToParams(from, ctx.backends);
  const b = configToParams(to, ctx.backends);
  const shown = (c: TrainConfig, k: string, v: string | null | undefined) =>
    v ?? String((c as unknown as Record<string, unknown>)[k]);
  return Object.keys({ ...a, ...b })
    .filter((k) => (a[k] ?? null) !== (b[k] ?? null))
    .map((k) => `${k} ${shown(from, k, a[k])} → ${shown(to, k, b[k])}`);
}

export function createEditNote(ctx: AppContext): {
  element: HTMLElement;
  /** Shows what the form changed against the run under way, or hides the note when nothing. */
  update(run: TrainConfig | null, form: TrainConfig | null): void;
} {
  const element = h("p", { id: "edit-note", class: "note", hidden: true });
  return {
    element,
    update(run, form) {
      const changes = run === null || form === null ? [] : settingChanges(ctx, run, form);
      element.hidden = changes.length === 0;
      element.textContent = changes.length === 0 ? "" : t("train.notApplied", { changes: changes.join(", ") });
      element.dataset.changes = JSON.stringify(changes);
    },
  };
}

// The Train view's kept runs (run-store.ts): one row per run with its outcome, a box to overlay it
// on the comparison charts (train-runs-chart.ts), a button to make its net the one Predict uses,
// and Rename and Delete. A diverged or failed run is kept and marked, and takes over Predict only
// when picked here; deleting the run Predict uses leaves Predict without a net until another is
// picked or loaded (it never silently falls back to some other run).
import { h } from "../dom.js";
import { onLang, t } from "../i18n/index.js";
import { modelFromBytes } from "../model-store.js";
import { chooseRun, chosenRunId, deleteRun, listRuns, renameRun, type RunRecord } from "../run-store.js";
import { colourOf, createRunsOverlay } from "./train-runs-chart.js";
import type { AppContext } from "./view.js";

/** The words of the runs list, in the page's language. */
export const RUNS_WORDS = {
  compared: (n: number) => t("runs.compared", { n }),
  compare: (title: string) => t("runs.compare", { title }),
  renameLabel: (title: string) => t("runs.renameLabel", { title }),
  deleteQuestion: (title: string) => t("runs.deleteQuestion", { title }),
  nowUses: (title: string) => t("runs.nowUses", { title }),
  renamed: (title: string) => t("runs.renamed", { title }),
  deleted: (title: string) => t("runs.deleted", { title }),
  deletedChosen: (title: string) => t("runs.deletedChosen", { title }),
};

export function createTrainRuns(ctx: AppContext): { element: HTMLElement; refresh(): Promise<void> } {
  // Focusable by script only: where the focus goes when the row that had it is deleted.
  const list = h("ul", { id: "runs-list", class: "runs", tabindex: "-1", "aria-labelledby": "runs-title" });
  const overlay = createRunsOverlay();
  const hint = h("p", { id: "runs-hint", class: "hint" });
  const compared = new Set<number>();
  let runs: RunRecord[] = [];

  function draw(): void {
    const shown = runs.filter((r) => compared.has(r.id));
    hint.textContent = shown.length < 2 ? t("runs.tickMore") : RUNS_WORDS.compared(shown.length);
    overlay.draw(shown);
  }

  /** Redraws the list, then puts the focus back on run `id`'s `button` (keyboard users stay put). */
  async function refreshFocus(id: number, button: string): Promise<void> {
    await refresh();
    list.querySelector<HTMLElement>(`li[data-run="${id}"] ${button}`)?.focus();
  }

  async function use(run: RunRecord): Promise<void> {
    if (run.model === null) return;
    ctx.model.set({ ...modelFromBytes(run.model, `${run.title} (${run.note})`), runId: run.id });
    await chooseRun(run.id);
    await refresh();
    ctx.announce(RUNS_WORDS.nowUses(run.title));
  }

  /** The row's title becomes a name field with Save and Cancel (Enter saves, Escape cancels). */
  function startRename(run: RunRecord, li: HTMLElement): void {
    const input = h("input", {
      type: "text",
      class: "run-name",
      value: run.title,
      "aria-label": RUNS_WORDS.renameLabel(run.title),
      "aria-describedby": `run-${run.id}-name-error`,
    });
    const error = h("span", { class: "field-error", id: `run-${run.id}-name-error` });
    const save = async (): Promise<void> => {
      try {
        const renamed = await renameRun(run.id, input.value);
        if (ctx.model.current?.runId === run.id) {
          ctx.model.set({ ...ctx.model.current, source: `${renamed.title} (${renamed.note})` });
        }
        await refreshFocus(run.id, ".run-rename");
        ctx.announce(RUNS_WORDS.renamed(renamed.title));
      } catch (e) {
        error.textContent = e instanceof Error ? e.message : String(e);
        input.setAttribute("aria-invalid", "true");
        input.focus();
      }
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") void save();
      if (e.key === "Escape") void refreshFocus(run.id, ".run-rename");
    });
    const form = h(
      "div",
      { class: "run-edit" },
      input,
      h("button", { type: "button", class: "run-save primary", onclick: () => void save() }, t("runs.save")),
      h(
        "button",
        { type: "button", class: "run-cancel", onclick: () => void refreshFocus(run.id, ".run-rename") },
        t("runs.cancel"),
      ),
      error,
    );
    li.replaceChildren(form);
    input.focus();
    input.select();
  }

  /** The row asks first; Delete run deletes, Keep puts the row back. */
  function askDelete(run: RunRecord, li: HTMLElement, chosen: boolean): void {
    const remove = async (): Promise<void> => {
      const wasChosen = await deleteRun(run.id);
      compared.delete(run.id);
      if (ctx.model.current?.runId === run.id) ctx.model.set(null);
      await refresh();
      list.focus();
      ctx.announce(wasChosen ? RUNS_WORDS.deletedChosen(run.title) : RUNS_WORDS.deleted(run.title));
    };
    const keep = h(
      "button",
      { type: "button", class: "run-keep", onclick: () => void refreshFocus(run.id, ".run-delete") },
      t("runs.deleteNo"),
    );
    li.replaceChildren(
      h(
        "div",
        { class: "run-edit", role: "group" },
        h("p", { class: "run-question" }, RUNS_WORDS.deleteQuestion(run.title), chosen ? t("runs.deleteChosen") : ""),
        h(
          "button",
          { type: "button", class: "run-delete-yes danger", onclick: () => void remove() },
          t("runs.deleteYes"),
        ),
        keep,
      ),
    );
    keep.focus();
  }

  function row(run: RunRecord, chosen: number | undefined): HTMLElement {
    const box = h("input", {
      type: "checkbox",
      class: "run-compare",
      "aria-label": RUNS_WORDS.compare(run.title),
      onchange: () => {
        if (box.checked) compared.add(run.id);
        else compared.delete(run.id);
        draw();
      },
    });
    box.checked = compared.has(run.id);
    const isChosen = chosen === run.id;
    const useButton = h(
      "button",
      { type: "button", class: "run-use", onclick: () => void use(run) },
      isChosen ? t("runs.used") : t("runs.use"),
    );
    useButton.disabled = run.model === null || isChosen;
    const bad = run.outcome === "diverged" || run.outcome === "failed";
    const li: HTMLElement = h(
      "li",
      { "data-run": String(run.id), "data-outcome": run.outcome, class: bad ? "run bad" : "run" },
      h(
        "label",
        { class: "check" },
        box,
        h("span", { class: "run-swatch", style: `background:${colourOf(run)}`, "aria-hidden": "true" }),
        h("span", { class: "run-title" }, run.title),
      ),
      h(
        "span",
        { class: "run-note" },
        `${bad ? `⚠ ${t(run.outcome === "diverged" ? "runs.diverged" : "runs.failed")}: ` : ""}${run.note}`,
      ),
      h(
        "span",
        { class: "run-buttons" },
        useButton,
        h("button", { type: "button", class: "run-rename", onclick: () => startRename(run, li) }, t("runs.rename")),
        h(
          "button",
          { type: "button", class: "run-delete", onclick: () => askDelete(run, li, isChosen) },
          t("runs.delete"),
        ),
      ),
    );
    return li;
  }

  async function refresh(): Promise<void> {
    runs = await listRuns();
    const chosen = await chosenRunId();
    list.replaceChildren(...runs.map((r) => row(r, chosen)));
    if (runs.length === 0) list.append(h("li", {}, t("runs.none")));
    draw();
  }

  const title = h("h3", { id: "runs-title" }, t("runs.title"));
  const intro = h("p", { class: "hint" }, t("runs.intro"));
  // A new language: the list again (a rename or delete under way is dropped, as Cancel would).
  onLang(() => {
    title.textContent = t("runs.title");
    intro.textContent = t("runs.intro");
    void refresh();
  });
  const element = h(
    "section",
    { id: "runs", "aria-labelledby": "runs-title" },
    title,
    intro,
    list,
    hint,
    ...overlay.elements,
  );
  return { element, refresh };
}

// The Train view's kept runs (run-store.ts): one row per run with its outcome, a box to overlay
// its loss on the comparison chart, and a button to make its net the one Predict uses. A diverged
// or failed run is kept and marked, and takes over Predict only when picked here.
import uPlot from "uplot";
import { h } from "../dom.js";
import { modelFromBytes } from "../model-store.js";
import { chooseRun, chosenRunId, listRuns, type RunRecord } from "../run-store.js";
import type { AppContext } from "./view.js";

const COLOURS = ["#1554b0", "#c2410c", "#1b6e2a", "#7e22ce", "#b91c1c", "#0e7490"];
const POINTS = 200;

/** The mean loss over buckets of iterations (at most POINTS of them) for `runs`, aligned on x. */
function overlayData(runs: RunRecord[]): uPlot.AlignedData {
  const longest = Math.max(1, ...runs.map((r) => r.losses.length));
  const size = Math.ceil(longest / POINTS);
  const xs = Array.from({ length: Math.ceil(longest / size) }, (_, b) => Math.min(longest, (b + 1) * size));
  const ys = runs.map((r) =>
    xs.map((_, b) => {
      const part = r.losses.slice(b * size, (b + 1) * size).filter((l) => Number.isFinite(l));
      return part.length === 0 ? null : part.reduce((s, l) => s + l, 0) / part.length;
    }),
  );
  return [xs, ...ys] as uPlot.AlignedData;
}

export function createTrainRuns(ctx: AppContext): { element: HTMLElement; refresh(): Promise<void> } {
  const list = h("ul", { id: "runs-list", class: "runs" });
  const chartBox = h("div", {
    id: "runs-chart",
    class: "chart",
    role: "img",
    "aria-label": "The ticked runs' losses on one chart",
  });
  const hint = h("p", { id: "runs-hint", class: "hint" });
  const compared = new Set<number>();
  let runs: RunRecord[] = [];
  let plot: uPlot | null = null;

  function draw(): void {
    const shown = runs.filter((r) => compared.has(r.id));
    chartBox.dataset.series = JSON.stringify(shown.map((r) => r.title));
    plot?.destroy();
    plot = null;
    hint.textContent =
      shown.length < 2 ? "Tick two or more runs to compare their losses." : `${shown.length} runs compared.`;
    if (shown.length === 0) return;
    plot = new uPlot(
      {
        width: Math.max(280, Math.min(900, chartBox.clientWidth || 600)),
        height: 240,
        legend: { live: false },
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.min(Math.max(2.5, max), 10)] } },
        axes: [{ label: "iteration" }, { label: "mean minibatch loss", size: 48 }],
        series: [
          { label: "iteration" },
          ...shown.map((r, i) => ({
            label: `Run ${r.id}`,
            stroke: COLOURS[i % COLOURS.length]!,
            width: 2,
            spanGaps: true,
          })),
        ],
      },
      overlayData(shown),
      chartBox,
    );
  }

  async function use(run: RunRecord): Promise<void> {
    if (run.model === null) return;
    ctx.model.set(modelFromBytes(run.model, `${run.title} (${run.note})`));
    await chooseRun(run.id);
    await refresh();
    ctx.announce(`Predict now uses ${run.title}.`);
  }

  function row(run: RunRecord, chosen: number | undefined): HTMLElement {
    const box = h("input", {
      type: "checkbox",
      class: "run-compare",
      "aria-label": `Compare ${run.title}`,
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
      isChosen ? "Used by Predict" : "Use in Predict",
    );
    useButton.disabled = run.model === null || isChosen;
    const bad = run.outcome === "diverged" || run.outcome === "failed";
    return h(
      "li",
      { "data-run": String(run.id), "data-outcome": run.outcome, class: bad ? "run bad" : "run" },
      h("label", { class: "check" }, box, h("span", { class: "run-title" }, run.title)),
      h("span", { class: "run-note" }, `${bad ? `⚠ ${run.outcome}: ` : ""}${run.note}`),
      useButton,
    );
  }

  async function refresh(): Promise<void> {
    runs = await listRuns();
    const chosen = await chosenRunId();
    list.replaceChildren(...runs.map((r) => row(r, chosen)));
    if (runs.length === 0) list.append(h("li", {}, "No runs yet: each run you finish, stop or lose is kept here."));
    draw();
  }

  const element = h(
    "section",
    { id: "runs", "aria-labelledby": "runs-title" },
    h("h3", { id: "runs-title" }, "Runs (kept in this browser)"),
    h(
      "p",
      { class: "hint" },
      "Every run is kept with its settings, losses and net. A run that diverged or learned nothing is marked and does not replace the net Predict uses unless you pick it.",
    ),
    list,
    hint,
    h("figure", {}, chartBox),
  );
  return { element, refresh };
}

// The kept runs overlaid for comparison (train-runs.ts ticks them): their losses on one chart and
// their accuracy curves on another, each run in its own colour (the colour of its id, so a run
// keeps it whichever others are ticked), the test-subset accuracy solid and the running minibatch
// (training) accuracy dashed.
import uPlot from "uplot";
import { h } from "../dom.js";
import { attr, t, tx } from "../i18n/index.js";
import { cssDash } from "../loss-chart.js";
import type { RunRecord } from "../run-store.js";

export const COLOURS = ["#1554b0", "#c2410c", "#1b6e2a", "#7e22ce", "#b91c1c", "#0e7490"];
/** A run's colour, by its id. */
export const colourOf = (run: Pick<RunRecord, "id">): string => COLOURS[(run.id - 1) % COLOURS.length]!;
const POINTS = 200;

/** The mean loss over buckets of iterations (at most POINTS of them) for `runs`, aligned on x. */
function lossData(runs: RunRecord[]): uPlot.AlignedData {
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

/** Every run's curve points (test, then minibatch accuracy per run), on the union of their iterations. */
export function accuracyData(runs: RunRecord[]): (number | null)[][] {
  const xs = [...new Set(runs.flatMap((r) => r.curve.map((p) => p[0])))].sort((a, b) => a - b);
  const at = new Map(xs.map((x, i) => [x, i]));
  const columns: (number | null)[][] = [xs];
  for (const r of runs) {
    const test: (number | null)[] = xs.map(() => null);
    const train: (number | null)[] = xs.map(() => null);
    for (const [iteration, testAcc, batchAcc] of r.curve) {
      test[at.get(iteration)!] = testAcc;
      train[at.get(iteration)!] = batchAcc;
    }
    columns.push(test, train);
  }
  return columns;
}

/** One row per run (its colour, a solid and a dashed line, its whole name, wrapped). */
function legendRows(runs: RunRecord[]): HTMLElement[] {
  const line = (colour: string, dash: boolean) =>
    h("span", {
      class: dash ? "runs-line dashed" : "runs-line",
      style: `border-top-color:${colour}`,
      "aria-hidden": "true",
    });
  return runs.map((r) =>
    h("li", { "data-run": String(r.id) }, line(colourOf(r), false), line(colourOf(r), true), h("span", {}, r.title)),
  );
}

export interface RunsOverlay {
  elements: HTMLElement[];
  draw(shown: RunRecord[]): void;
}

export function createRunsOverlay(): RunsOverlay {
  const lossBox = attr(h("div", { id: "runs-chart", class: "chart", role: "img" }), "aria-label", "overlay.lossLabel");
  const accBox = attr(
    h("div", { id: "runs-acc-chart", class: "chart", role: "img" }),
    "aria-label",
    "overlay.accLabel",
  );
  const legend = h("ul", { id: "runs-legend", class: "runs-legend" });
  const key = h(
    "p",
    { class: "runs-key" },
    h("span", {}, h("span", { class: "runs-line", "aria-hidden": "true" }), tx("overlay.legendTest")),
    h("span", {}, h("span", { class: "runs-line dashed", "aria-hidden": "true" }), tx("overlay.legendTrain")),
  );
  const accFigure = h("figure", {}, accBox, key, legend, h("figcaption", { class: "hint" }, tx("overlay.accCaption")));
  const lossFigure = h("figure", {}, lossBox, h("figcaption", { class: "hint" }, tx("overlay.lossCaption")));
  let plots: uPlot[] = [];
  const width = (box: HTMLElement) =>
    Math.max(280, Math.min(900, box.clientWidth || box.parentElement?.clientWidth || 600));

  function draw(shown: RunRecord[]): void {
    lossBox.dataset.series = JSON.stringify(shown.map((r) => r.title));
    accBox.dataset.series = JSON.stringify(
      shown.flatMap((r) => [`${r.title} ${t("overlay.test")}`, `${r.title} ${t("overlay.train")}`]),
    );
    for (const p of plots) p.destroy();
    plots = [];
    legend.replaceChildren(...legendRows(shown));
    lossFigure.hidden = accFigure.hidden = shown.length === 0;
    if (shown.length === 0) return;
    const axis = { font: "13px system-ui, sans-serif", labelFont: "600 13px system-ui, sans-serif" };
    plots.push(
      new uPlot(
        {
          width: width(lossBox),
          height: 240,
          legend: { show: false },
          scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.min(Math.max(2.5, max), 10)] } },
          axes: [
            { ...axis, label: t("overlay.iteration") },
            { ...axis, label: t("overlay.meanLoss"), size: 48 },
          ],
          series: [
            { label: t("overlay.iteration") },
            ...shown.map((r) => ({ label: r.title, stroke: colourOf(r), width: 2, spanGaps: true })),
          ],
        },
        lossData(shown),
        lossBox,
      ),
      new uPlot(
        {
          width: width(accBox),
          height: 240,
          legend: { show: false },
          scales: { x: { time: false }, y: { range: [0, 1] } },
          axes: [
            { ...axis, label: t("overlay.iteration") },
            { ...axis, label: t("overlay.accuracy"), size: 48 },
          ],
          series: [
            { label: t("overlay.iteration") },
            ...shown.flatMap((r) => [
              {
                label: `${r.title} ${t("overlay.test")}`,
                stroke: colourOf(r),
                width: 2,
                spanGaps: true,
                points: { show: true, size: 4 },
              },
              {
                label: `${r.title} ${t("overlay.train")}`,
                stroke: colourOf(r),
                width: 1.5,
                dash: cssDash(5, 4),
                spanGaps: true,
                points: { show: false },
              },
            ]),
          ],
        },
        accuracyData(shown) as uPlot.AlignedData,
        accBox,
      ),
    );
  }
  lossFigure.hidden = accFigure.hidden = true;
  return { elements: [accFigure, lossFigure], draw };
}

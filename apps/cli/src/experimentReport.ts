import type { Figure, Marker, Panel } from "./plot.js";
import { smoothCurve } from "./smooth.js";

/**
 * What an experiment measured, in three shapes: minibatch loss curves (optimizers, init),
 * train/test accuracy per epoch of a few runs (weight decay, dropout), and train accuracy per
 * epoch with and without BatchNorm at each weight scale (batchnorm).
 */
export type ExperimentResult = LossCurves | AccuracyRuns | ScaleRuns;

export interface LossCurves {
  kind: "loss";
  /** The loss after each iteration's update, on that iteration's minibatch (the book's train_loss). */
  curves: { name: string; losses: number[] }[];
  /** matplotlib's ylim of the book's figure. */
  yMax: number;
}

export interface AccuracyRuns {
  kind: "accuracy";
  /** Train and test accuracy at each epoch (the book measures after the first update of an epoch). */
  runs: { name: string; trainAccuracy: number[]; testAccuracy: number[] }[];
}

export interface ScaleRuns {
  kind: "scales";
  /** Train accuracy per epoch at each initial weight scale, without and with BatchNorm. */
  scales: { weightScale: number; normal: number[]; batchnorm: number[] }[];
}

/** Iterations averaged for the loss a curve ends at (fewer for short runs). */
export function tailLength(n: number): number {
  return Math.max(1, Math.min(100, Math.floor(n / 10)));
}

/** The mean of the last `tailLength` losses: what a curve ends at, without one minibatch's noise. */
export function endLoss(losses: readonly number[]): number {
  const tail = losses.slice(losses.length - tailLength(losses.length));
  return tail.reduce((a, b) => a + b, 0) / tail.length;
}

/** A short summary per experiment, for the JSON output and the last lines of the table. */
export function summarize(result: ExperimentResult): Record<string, unknown> {
  switch (result.kind) {
    case "loss":
      return {
        endLoss: Object.fromEntries(result.curves.map((c) => [c.name, endLoss(c.losses)])),
        tail: tailLength(result.curves[0]?.losses.length ?? 0),
      };
    case "accuracy":
      return {
        final: Object.fromEntries(
          result.runs.map((r) => {
            const train = r.trainAccuracy.at(-1) ?? NaN;
            const test = r.testAccuracy.at(-1) ?? NaN;
            return [r.name, { trainAccuracy: train, testAccuracy: test, gap: train - test }];
          }),
        ),
      };
    case "scales": {
      const wins = result.scales.filter((s) => (s.batchnorm.at(-1) ?? 0) > (s.normal.at(-1) ?? 0)).length;
      return { batchnormHigher: wins, scales: result.scales.length };
    }
  }
}

/** The rows to print: every `step`-th index and the last one. */
function sampledRows(n: number, step: number): number[] {
  const rows: number[] = [];
  for (let i = 0; i < n; i += step) rows.push(i);
  if (n > 0 && rows.at(-1) !== n - 1) rows.push(n - 1);
  return rows;
}

/** A step of 1, 2, 5 x 10^k giving at most about `max` rows. */
function rowStep(n: number, max: number): number {
  const raw = Math.max(1, n / max);
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

const f4 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? "-" : x.toFixed(4));

/**
 * The table printed on stdout: a header and rows of strings (right-aligned by the caller), and
 * summary lines after it.
 */
export function resultTable(result: ExperimentResult): { header: string[]; rows: string[][]; notes: string[] } {
  switch (result.kind) {
    case "loss": {
      const n = result.curves[0]?.losses.length ?? 0;
      const header = ["iteration", ...result.curves.map((c) => c.name)];
      // The book prints the loss every 100 iterations.
      const rows = sampledRows(n, rowStep(n, 20)).map((i) => [String(i), ...result.curves.map((c) => f4(c.losses[i]))]);
      const tail = tailLength(n);
      rows.push([`last ${tail} mean`, ...result.curves.map((c) => f4(endLoss(c.losses)))]);
      const order = [...result.curves].sort((a, b) => endLoss(a.losses) - endLoss(b.losses)).map((c) => c.name);
      return {
        header,
        rows,
        notes: [`lowest to highest mean loss over the last ${tail} iterations: ${order.join(" < ")}`],
      };
    }
    case "accuracy": {
      const n = result.runs[0]?.trainAccuracy.length ?? 0;
      const header = ["epoch", ...result.runs.flatMap((r) => [`train (${r.name})`, `test (${r.name})`])];
      const rows = sampledRows(n, rowStep(n, 20)).map((e) => [
        String(e),
        ...result.runs.flatMap((r) => [f4(r.trainAccuracy[e]), f4(r.testAccuracy[e])]),
      ]);
      const final = summarize(result).final as Record<
        string,
        { trainAccuracy: number; testAccuracy: number; gap: number }
      >;
      const notes = result.runs.map((r) => {
        const s = final[r.name]!;
        return `${r.name}: final train ${f4(s.trainAccuracy)}, test ${f4(s.testAccuracy)}, gap ${f4(s.gap)}`;
      });
      return { header, rows, notes };
    }
    case "scales": {
      const header = ["#", "weight scale", "normal", "batchnorm", "higher"];
      const rows = result.scales.map((s, i) => {
        const normal = s.normal.at(-1) ?? NaN;
        const bn = s.batchnorm.at(-1) ?? NaN;
        return [
          String(i + 1),
          formatScale(s.weightScale),
          f4(normal),
          f4(bn),
          bn > normal ? "batchnorm" : bn < normal ? "normal" : "tie",
        ];
      });
      const { batchnormHigher, scales } = summarize(result) as { batchnormHigher: number; scales: number };
      const epochs = result.scales[0]?.normal.length ?? 0;
      return {
        header,
        rows,
        notes: [
          `train accuracy after ${epochs} epochs: BatchNorm higher at ${batchnormHigher} of ${scales} weight scales`,
        ],
      };
    }
  }
}

/** A weight scale as the book's title prints it, to 4 significant digits ("W:0.0001848"). */
export function formatScale(w: number): string {
  return String(Number(w.toPrecision(4)));
}

/** The markers of the book's figures, in the order of its series. */
const MARKERS: Marker[] = ["o", "x", "s", "D", "^"];

/**
 * The figure of an experiment, drawn like the book's matplotlib figure; `markers` are the loss
 * curves' markers in order (the book's: o x s D for the optimizers, o s D for the inits).
 */
export function resultFigure(result: ExperimentResult, title: string, markers: readonly Marker[] = MARKERS): Figure {
  switch (result.kind) {
    case "loss": {
      const n = result.curves[0]?.losses.length ?? 0;
      const x = Array.from({ length: n }, (_, i) => i);
      const markEvery = Math.max(1, rowStep(n, 20));
      return {
        title,
        panels: [
          {
            xLabel: "iterations",
            yLabel: "loss",
            yRange: [0, result.yMax],
            series: result.curves.map((c, i) => ({
              label: c.name,
              x,
              y: smoothCurve(c.losses),
              marker: markers[i % markers.length]!,
              markEvery,
            })),
          },
        ],
      };
    }
    case "accuracy": {
      const panels: Panel[] = result.runs.map((r) => {
        const x = Array.from({ length: r.trainAccuracy.length }, (_, i) => i);
        const markEvery = Math.max(1, rowStep(x.length, 20));
        return {
          title: r.name,
          xLabel: "epochs",
          yLabel: "accuracy",
          yRange: [0, 1],
          legend: "lower right",
          series: [
            { label: "train", x, y: r.trainAccuracy, marker: "o", markEvery },
            { label: "test", x, y: r.testAccuracy, marker: "s", markEvery },
          ],
        };
      });
      return { title, columns: panels.length, panelWidth: 520, panelHeight: 400, panels };
    }
    case "scales": {
      const count = result.scales.length;
      const columns = Math.min(4, count);
      const lastRowStart = count - (count % columns || columns);
      const panels: Panel[] = result.scales.map((s, i) => {
        const x = Array.from({ length: s.normal.length }, (_, e) => e);
        const last = i === count - 1;
        return {
          title: `W:${formatScale(s.weightScale)}`,
          yRange: [0, 1],
          yLabel: i % columns === 0 ? "accuracy" : undefined,
          xLabel: i >= lastRowStart ? "epochs" : undefined,
          yTickLabels: i % columns === 0,
          xTickLabels: i >= lastRowStart,
          legend: last ? "lower right" : "none",
          series: [
            { label: "Batch Normalization", x, y: s.batchnorm },
            { label: "Normal(without BatchNorm)", x, y: s.normal, dashed: true },
          ],
        };
      });
      return { title, columns, panelWidth: 260, panelHeight: 200, panels };
    }
  }
}

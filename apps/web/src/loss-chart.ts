// The Train view's live chart (uPlot, sharp at any pixel ratio): minibatch loss at every iteration;
// per epoch the mean loss and train/test accuracies; a test-subset accuracy curve every N iterations
// (the Accuracy every setting; auto: about ten times per epoch) and the running minibatch accuracy; the loss on a linear or log axis.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { t } from "./i18n/index.js";
import type { EpochRow } from "./messages.js";

const FONT = "13px system-ui, sans-serif";

/** A dash pattern in CSS pixels (uPlot draws `dash` in canvas pixels: at 3 device pixels per CSS
 * pixel an unscaled dash looks dotted). */
export const cssDash = (...lengths: number[]): number[] => lengths.map((l) => l * uPlot.pxRatio);
const LABEL_FONT = "600 13px system-ui, sans-serif";
export class LossChart {
  private readonly xs: number[] = [];
  private readonly loss: (number | null)[] = [];
  private readonly epochLoss: (number | null)[] = [];
  private readonly trainAcc: (number | null)[] = [];
  private readonly testAcc: (number | null)[] = [];
  private readonly curveTest: (number | null)[] = [];
  private readonly curveBatch: (number | null)[] = [];
  /** Points of the accuracy curve so far: [iteration, test subset accuracy, minibatch accuracy]. */
  readonly curve: [number, number, number | null][] = [];
  private perEpoch = 600;
  private pending = false;
  private plot: uPlot;
  private log = false;
  constructor(private readonly container: HTMLElement) {
    this.plot = this.build();
    addEventListener("resize", () => this.plot.setSize({ width: this.width(), height: 300 }));
  }

  /** Draws the chart again with its labels in the page's language. */
  relabel(): void {
    this.plot.destroy();
    this.plot = this.build();
  }

  /** Loss on a log scale (shows how far a diverging loss grew). */
  setLogScale(on: boolean): void {
    if (on === this.log) return;
    this.log = on;
    this.plot.destroy();
    this.plot = this.build();
  }

  /** Linear: 0 to 2.5 or 1.5 × the first loss (higher ones run off the top); log: every loss. */
  private lossRange(min: number, max: number): uPlot.Range.MinMax {
    if (this.log)
      return uPlot.rangeLog(Number.isFinite(min) && min > 0 ? min : 0.01, Number.isFinite(max) ? max : 10, 10, true);
    const first = this.loss.find((l) => l !== null);
    return [0, Math.max(2.5, (first ?? 0) * 1.5)];
  }

  private build(): uPlot {
    const opts: uPlot.Options = {
      width: this.width(),
      height: 300,
      pxAlign: false,
      cursor: { drag: { x: false, y: false } },
      legend: { live: false },
      scales: {
        x: { time: false },
        loss: { distr: this.log ? 3 : 1, range: (_u, min, max) => this.lossRange(min, max) },
        acc: { range: [0, 1] },
      },
      axes: [
        { label: t("chart.colEpoch"), font: FONT, labelFont: LABEL_FONT, size: 40, labelSize: 24 },
        {
          scale: "loss",
          label: t(this.log ? "chart.axisLossLog" : "chart.axisLoss"),
          font: FONT,
          labelFont: LABEL_FONT,
          size: 48,
          labelSize: 24,
        },
        {
          scale: "acc",
          side: 1,
          label: t("chart.axisAccuracy"),
          font: FONT,
          labelFont: LABEL_FONT,
          size: 48,
          labelSize: 24,
          grid: { show: false },
        },
      ],
      series: [
        { label: t("chart.colEpoch") },
        {
          label: t("chart.minibatchLoss"),
          scale: "loss",
          stroke: "rgba(21, 84, 176, 0.55)",
          width: 1,
          points: { show: false },
        },
        {
          label: t("chart.epochLoss"),
          scale: "loss",
          stroke: "#0b2e66",
          width: 2.5,
          spanGaps: true,
          points: { show: true, size: 7 },
        },
        {
          label: t("chart.colTrain"),
          scale: "acc",
          stroke: "#1b6e2a",
          width: 2,
          spanGaps: true,
          points: { show: true, size: 7 },
        },
        {
          label: t("chart.colTest"),
          scale: "acc",
          stroke: "#c77700",
          width: 2,
          dash: cssDash(6, 4),
          spanGaps: true,
          points: { show: true, size: 7 },
        },
        {
          label: t("chart.curve"),
          scale: "acc",
          stroke: "#c77700",
          width: 1.5,
          spanGaps: true,
          points: { show: true, size: 4 },
        },
        {
          label: t("chart.batchAccuracy"),
          scale: "acc",
          stroke: "#1b6e2a",
          width: 1,
          dash: cssDash(2, 3),
          spanGaps: true,
          points: { show: false },
        },
      ],
    };
    this.container.dataset.lossScale = this.log ? "log" : "linear";
    return new uPlot(opts, this.data(), this.container);
  }

  private width(): number {
    return Math.max(280, this.container.clientWidth || 640);
  }

  private data(): uPlot.AlignedData {
    const { xs, loss, epochLoss, trainAcc, testAcc, curveTest, curveBatch } = this;
    return [xs, loss, epochLoss, trainAcc, testAcc, curveTest, curveBatch] as uPlot.AlignedData;
  }

  reset(iterationsPerEpoch: number): void {
    this.perEpoch = iterationsPerEpoch;
    for (const a of [this.xs, this.loss, this.epochLoss, this.trainAcc, this.testAcc, this.curveTest, this.curveBatch])
      a.length = 0;
    this.curve.length = 0;
    this.redraw();
  }

  addLosses(first: number, losses: number[]): void {
    for (const [i, l] of losses.entries()) {
      this.xs.push((first + i) / this.perEpoch);
      this.loss.push(Number.isFinite(l) ? l : null);
      this.epochLoss.push(null);
      this.trainAcc.push(null);
      this.testAcc.push(null);
      this.curveTest.push(null);
      this.curveBatch.push(null);
    }
    this.redraw();
  }

  /** The index of iteration `iteration` among the losses so far, or -1. */
  private indexOf(iteration: number): number {
    const x = iteration / this.perEpoch;
    let i = this.xs.length - 1;
    while (i >= 0 && this.xs[i]! > x) i--;
    return i >= 0 && this.xs[i] === x ? i : -1;
  }

  addCurve(iteration: number, testAccuracy: number, batchAccuracy: number | null): void {
    this.curve.push([iteration, testAccuracy, batchAccuracy]);
    const i = this.indexOf(iteration);
    if (i < 0) return;
    this.curveTest[i] = testAccuracy;
    this.curveBatch[i] = batchAccuracy;
    this.redraw();
  }

  addEpoch(row: EpochRow): void {
    const i = this.indexOf(row.iteration);
    if (i < 0) return;
    this.epochLoss[i] = row.loss;
    this.trainAcc[i] = row.trainAccuracy;
    this.testAcc[i] = row.testAccuracy;
    this.redraw();
  }

  /** Redraws at most once per animation frame. */
  private redraw(): void {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.plot.setData(this.data());
    });
  }
}

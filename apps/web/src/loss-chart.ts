// The Train view's live chart (uPlot): minibatch loss at every iteration and, once per epoch, the
// epoch's mean loss and the train and test accuracies, against epochs. uPlot draws at the
// device's pixel ratio, so lines and text stay sharp at DPR 2-3.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { EpochRow } from "./messages.js";

const FONT = "13px system-ui, sans-serif";
const LABEL_FONT = "600 13px system-ui, sans-serif";

export class LossChart {
  private readonly plot: uPlot;
  private readonly xs: number[] = [];
  private readonly loss: (number | null)[] = [];
  private readonly epochLoss: (number | null)[] = [];
  private readonly trainAcc: (number | null)[] = [];
  private readonly testAcc: (number | null)[] = [];
  private perEpoch = 600;
  private pending = false;

  constructor(private readonly container: HTMLElement) {
    const opts: uPlot.Options = {
      width: this.width(),
      height: 300,
      pxAlign: false,
      cursor: { drag: { x: false, y: false } },
      legend: { live: false },
      scales: {
        x: { time: false },
        loss: { range: (_u, _min, max) => [0, Math.max(2.5, Number.isFinite(max) ? max : 0)] },
        acc: { range: [0, 1] },
      },
      axes: [
        { label: "epoch", font: FONT, labelFont: LABEL_FONT, size: 40, labelSize: 24 },
        { scale: "loss", label: "cross-entropy loss", font: FONT, labelFont: LABEL_FONT, size: 48, labelSize: 24 },
        {
          scale: "acc",
          side: 1,
          label: "accuracy",
          font: FONT,
          labelFont: LABEL_FONT,
          size: 48,
          labelSize: 24,
          grid: { show: false },
        },
      ],
      series: [
        { label: "epoch" },
        {
          label: "minibatch loss",
          scale: "loss",
          stroke: "rgba(21, 84, 176, 0.55)",
          width: 1,
          points: { show: false },
        },
        {
          label: "epoch mean loss",
          scale: "loss",
          stroke: "#0b2e66",
          width: 2.5,
          spanGaps: true,
          points: { show: true, size: 7 },
        },
        {
          label: "train accuracy",
          scale: "acc",
          stroke: "#1b6e2a",
          width: 2,
          spanGaps: true,
          points: { show: true, size: 7 },
        },
        {
          label: "test accuracy",
          scale: "acc",
          stroke: "#c77700",
          width: 2,
          dash: [6, 4],
          spanGaps: true,
          points: { show: true, size: 7 },
        },
      ],
    };
    this.plot = new uPlot(opts, this.data(), container);
    addEventListener("resize", () => this.plot.setSize({ width: this.width(), height: 300 }));
  }

  private width(): number {
    return Math.max(280, this.container.clientWidth || 640);
  }

  private data(): uPlot.AlignedData {
    return [this.xs, this.loss, this.epochLoss, this.trainAcc, this.testAcc] as uPlot.AlignedData;
  }

  reset(iterationsPerEpoch: number): void {
    this.perEpoch = iterationsPerEpoch;
    for (const a of [this.xs, this.loss, this.epochLoss, this.trainAcc, this.testAcc]) a.length = 0;
    this.redraw();
  }

  addLosses(first: number, losses: number[]): void {
    for (const [i, l] of losses.entries()) {
      this.xs.push((first + i) / this.perEpoch);
      this.loss.push(Number.isFinite(l) ? l : null);
      this.epochLoss.push(null);
      this.trainAcc.push(null);
      this.testAcc.push(null);
    }
    this.redraw();
  }

  addEpoch(row: EpochRow): void {
    const x = row.iteration / this.perEpoch;
    let i = this.xs.length - 1;
    while (i >= 0 && this.xs[i]! > x) i--;
    if (i < 0 || this.xs[i] !== x) return;
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

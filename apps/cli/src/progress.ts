import type { Output, Style } from "./io.js";

/**
 * A one-line progress bar redrawn in place with "\r" (iteration, bar, percent, loss, ETA). It is
 * meant for a terminal: `bp` only makes one when stderr is a TTY. Redraws at most every 100 ms.
 */
export class ProgressBar {
  private readonly start: number;
  private lastDraw = -Infinity;
  private shown = false;

  constructor(
    private readonly out: Output,
    private readonly total: number,
    private readonly style: Style,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.start = now();
  }

  update(iteration: number, loss: number): void {
    const t = this.now();
    if (iteration < this.total && t - this.lastDraw < 100) return;
    this.lastDraw = t;
    const frac = iteration / this.total;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = this.style.cyan("━".repeat(filled)) + this.style.dim("─".repeat(width - filled));
    const elapsed = (t - this.start) / 1000;
    const eta = iteration > 0 ? (elapsed * (this.total - iteration)) / iteration : NaN;
    const digits = String(this.total).length;
    this.out.write(
      `\r\x1b[2K${String(iteration).padStart(digits)}/${this.total} ${bar} ${(frac * 100).toFixed(0).padStart(3)}%` +
        `  loss ${loss.toFixed(4)}  ETA ${formatDuration(eta)}`,
    );
    this.shown = true;
  }

  /** Erases the bar so other output can be printed; the next update draws it again. */
  clear(): void {
    if (this.shown) this.out.write("\r\x1b[2K");
    this.shown = false;
    this.lastDraw = -Infinity;
  }
}

/** 83.2 -> "1:23", 3725 -> "1:02:05"; "--:--" when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "--:--";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

/**
 * A small SVG renderer for the line charts of the book's chapter 6 (matplotlib's `plt.plot` with
 * `xlabel`, `ylabel`, `ylim`, `legend`, markers every N points, and `subplot` grids). It draws
 * only what those figures need: axes with ticks and numbers, axis labels, a title per panel,
 * solid or dashed lines, markers, a legend box, and clipping of values outside the y range.
 * The output is deterministic text (numbers rounded to 0.01 px), so tests can read it.
 */

export type Marker = "o" | "s" | "D" | "x" | "^";

export interface Series {
  /** Legend text; series without a label are left out of the legend. */
  label?: string;
  x: readonly number[];
  /** One value per x; NaN or ±Infinity breaks the line. */
  y: readonly number[];
  dashed?: boolean;
  /** A marker drawn at every `markEvery`-th point (matplotlib's `markevery`). */
  marker?: Marker;
  markEvery?: number;
}

export interface Panel {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** matplotlib's `xlim`/`ylim`; otherwise the data range, widened to round tick values. */
  xRange?: readonly [number, number];
  yRange?: readonly [number, number];
  series: Series[];
  /** Where the legend box goes (default "upper right"; "none" for no legend). */
  legend?: "upper right" | "lower right" | "none";
  /** Print the tick numbers (default true); the ticks themselves are always drawn. */
  xTickLabels?: boolean;
  yTickLabels?: boolean;
}

export interface Figure {
  /** A title over the whole figure. */
  title?: string;
  panels: Panel[];
  /** Panels per row (default 1). */
  columns?: number;
  /** Size of one panel including its margins, in px (default 640 x 440). */
  panelWidth?: number;
  panelHeight?: number;
}

/** matplotlib's default colour cycle ("tab10"), so the figures look like the book's. */
export const COLORS = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#bcbd22",
  "#17becf",
];

const FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"';

/** Renders `figure` as a standalone SVG document. */
export function renderSvg(figure: Figure): string {
  const columns = Math.max(1, figure.columns ?? 1);
  const pw = figure.panelWidth ?? 640;
  const ph = figure.panelHeight ?? 440;
  const rows = Math.max(1, Math.ceil(figure.panels.length / columns));
  const top = figure.title !== undefined ? 32 : 0;
  const width = columns * pw;
  const height = top + rows * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  if (figure.title !== undefined) {
    out.push(text(width / 2, 22, figure.title, { size: 16, anchor: "middle", cls: "figure-title" }));
  }
  figure.panels.forEach((panel, i) => {
    const x0 = (i % columns) * pw;
    const y0 = top + Math.floor(i / columns) * ph;
    out.push(`<g class="panel" transform="translate(${x0},${y0})">`);
    out.push(...renderPanel(panel, pw, ph, i));
    out.push("</g>");
  });
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

function renderPanel(panel: Panel, width: number, height: number, index: number): string[] {
  const small = width < 400;
  const fontSize = small ? 10 : 13;
  const margin = {
    left: panel.yLabel !== undefined ? (small ? 48 : 70) : small ? 34 : 54,
    right: small ? 10 : 20,
    top: panel.title !== undefined ? (small ? 24 : 32) : small ? 10 : 16,
    bottom: panel.xLabel !== undefined ? (small ? 40 : 56) : small ? 24 : 36,
  };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const xs = panel.series.flatMap((s) => s.x.filter(Number.isFinite));
  const ys = panel.series.flatMap((s) => s.y.filter(Number.isFinite));
  const xAxis = axis(panel.xRange, xs, small ? 4 : 6);
  const yAxis = axis(panel.yRange, ys, small ? 4 : 6);
  const sx = (v: number) => margin.left + ((v - xAxis.min) / (xAxis.max - xAxis.min)) * plotW;
  const sy = (v: number) => margin.top + plotH - ((v - yAxis.min) / (yAxis.max - yAxis.min)) * plotH;
  const clip = `clip${index}`;
  const out: string[] = [
    `<clipPath id="${clip}"><rect x="${r(margin.left)}" y="${r(margin.top)}" width="${r(plotW)}" height="${r(plotH)}"/></clipPath>`,
  ];
  if (panel.title !== undefined) {
    out.push(
      text(margin.left + plotW / 2, margin.top - (small ? 8 : 10), panel.title, {
        size: fontSize + 1,
        anchor: "middle",
        cls: "title",
      }),
    );
  }
  // Axes: a frame around the plot area as matplotlib draws it, with ticks pointing out.
  const tick = small ? 3 : 5;
  const axisParts: string[] = [
    `<rect x="${r(margin.left)}" y="${r(margin.top)}" width="${r(plotW)}" height="${r(plotH)}" fill="none" stroke="black" stroke-width="1"/>`,
  ];
  const bottom = margin.top + plotH;
  for (const v of xAxis.ticks) {
    const x = sx(v);
    axisParts.push(`<line x1="${r(x)}" y1="${r(bottom)}" x2="${r(x)}" y2="${r(bottom + tick)}" stroke="black"/>`);
    if (panel.xTickLabels !== false)
      axisParts.push(
        text(x, bottom + tick + fontSize + 1, formatTick(v, xAxis.step), {
          size: fontSize,
          anchor: "middle",
          cls: "xtick",
        }),
      );
  }
  for (const v of yAxis.ticks) {
    const y = sy(v);
    axisParts.push(
      `<line x1="${r(margin.left - tick)}" y1="${r(y)}" x2="${r(margin.left)}" y2="${r(y)}" stroke="black"/>`,
    );
    if (panel.yTickLabels !== false)
      axisParts.push(
        text(margin.left - tick - 3, y + fontSize / 3, formatTick(v, yAxis.step), {
          size: fontSize,
          anchor: "end",
          cls: "ytick",
        }),
      );
  }
  if (panel.xLabel !== undefined)
    axisParts.push(
      text(margin.left + plotW / 2, height - (small ? 8 : 14), panel.xLabel, {
        size: fontSize + 1,
        anchor: "middle",
        cls: "xlabel",
      }),
    );
  if (panel.yLabel !== undefined) {
    const cx = small ? 12 : 18;
    const cy = margin.top + plotH / 2;
    axisParts.push(
      text(cx, cy, panel.yLabel, {
        size: fontSize + 1,
        anchor: "middle",
        cls: "ylabel",
        rotate: { cx, cy },
      }),
    );
  }
  out.push(`<g class="axes">`, ...axisParts, "</g>");

  // Series, clipped to the plot area like matplotlib's ylim.
  panel.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const parts: string[] = [];
    for (const seg of segments(s)) {
      const pts = seg.map(([x, y]) => `${r(sx(x))},${r(sy(y))}`).join(" ");
      parts.push(
        `<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="1.5"${s.dashed === true ? ' stroke-dasharray="6,4"' : ""}/>`,
      );
    }
    if (s.marker !== undefined) {
      const every = Math.max(1, s.markEvery ?? 1);
      for (let k = 0; k < s.x.length; k += every) {
        const x = s.x[k]!;
        const y = s.y[k]!;
        if (Number.isFinite(x) && Number.isFinite(y)) parts.push(marker(s.marker, sx(x), sy(y), color, small ? 3 : 4));
      }
    }
    out.push(`<g class="series" data-label="${escapeXml(s.label ?? "")}" clip-path="url(#${clip})">`, ...parts, "</g>");
  });

  const labelled = panel.series.map((s, i) => ({ s, i })).filter(({ s }) => s.label !== undefined);
  if (panel.legend !== "none" && labelled.length > 0) {
    const rowH = fontSize + 7;
    const sample = 28;
    const textW = Math.max(...labelled.map(({ s }) => s.label!.length)) * fontSize * 0.62;
    const boxW = 8 + sample + 6 + textW + 8;
    const boxH = labelled.length * rowH + 8;
    const bx = margin.left + plotW - boxW - 8;
    const by = panel.legend === "lower right" ? margin.top + plotH - boxH - 8 : margin.top + 8;
    const parts = [
      `<rect x="${r(bx)}" y="${r(by)}" width="${r(boxW)}" height="${r(boxH)}" fill="white" fill-opacity="0.8" stroke="#cccccc" rx="3"/>`,
    ];
    labelled.forEach(({ s, i }, row) => {
      const color = COLORS[i % COLORS.length]!;
      const y = by + 4 + rowH * row + rowH / 2;
      parts.push(
        `<line x1="${r(bx + 8)}" y1="${r(y)}" x2="${r(bx + 8 + sample)}" y2="${r(y)}" stroke="${color}" stroke-width="1.5"${s.dashed === true ? ' stroke-dasharray="6,4"' : ""}/>`,
      );
      if (s.marker !== undefined) parts.push(marker(s.marker, bx + 8 + sample / 2, y, color, small ? 3 : 4));
      parts.push(text(bx + 8 + sample + 6, y + fontSize / 3, s.label!, { size: fontSize, anchor: "start" }));
    });
    out.push(`<g class="legend">`, ...parts, "</g>");
  }
  return out;
}

interface Axis {
  min: number;
  max: number;
  step: number;
  ticks: number[];
}

/** The range of an axis (given, or the data's widened to whole steps) and its tick values. */
function axis(range: readonly [number, number] | undefined, values: number[], count: number): Axis {
  let lo = range?.[0] ?? (values.length > 0 ? Math.min(...values) : 0);
  let hi = range?.[1] ?? (values.length > 0 ? Math.max(...values) : 1);
  if (!(hi > lo)) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep((hi - lo) / count);
  if (range === undefined) {
    lo = Math.floor(lo / step + 1e-9) * step;
    hi = Math.ceil(hi / step - 1e-9) * step;
  }
  const ticks: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) ticks.push(k * step);
  return { min: lo, max: hi, step, ticks };
}

/** The smallest of 1, 2, 2.5, 5 times a power of ten that is at least `raw`. */
export function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= raw * (1 - 1e-12)) return m * p;
  return 10 * p;
}

/** A tick value with as many decimals as its step needs (0.2 * 3 prints as 0.6, not 0.6000000000000001). */
export function formatTick(v: number, step: number): string {
  const power = Math.floor(Math.log10(step) + 1e-9);
  const quarter = Math.abs(step / 10 ** power - 2.5) < 1e-9;
  const decimals = Math.max(0, -power + (quarter ? 1 : 0));
  const s = v.toFixed(Math.min(decimals, 20));
  return s === "-0" || /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

/** Runs of consecutive finite points. */
function segments(s: Series): [number, number][][] {
  const out: [number, number][][] = [];
  let cur: [number, number][] = [];
  const n = Math.min(s.x.length, s.y.length);
  for (let i = 0; i < n; i++) {
    const x = s.x[i]!;
    const y = s.y[i]!;
    if (Number.isFinite(x) && Number.isFinite(y)) cur.push([x, y]);
    else if (cur.length > 0) {
      out.push(cur);
      cur = [];
    }
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

function marker(kind: Marker, x: number, y: number, color: string, size: number): string {
  const c = `class="marker" stroke="${color}"`;
  switch (kind) {
    case "o":
      return `<circle ${c} cx="${r(x)}" cy="${r(y)}" r="${size}" fill="${color}"/>`;
    case "s":
      return `<rect ${c} x="${r(x - size)}" y="${r(y - size)}" width="${2 * size}" height="${2 * size}" fill="${color}"/>`;
    case "D":
      return `<polygon ${c} points="${r(x)},${r(y - size - 1)} ${r(x + size)},${r(y)} ${r(x)},${r(y + size + 1)} ${r(x - size)},${r(y)}" fill="${color}"/>`;
    case "^":
      return `<polygon ${c} points="${r(x)},${r(y - size - 1)} ${r(x + size)},${r(y + size)} ${r(x - size)},${r(y + size)}" fill="${color}"/>`;
    case "x":
      return `<path ${c} d="M${r(x - size)},${r(y - size)}L${r(x + size)},${r(y + size)}M${r(x - size)},${r(y + size)}L${r(x + size)},${r(y - size)}" stroke-width="1.5" fill="none"/>`;
  }
}

function text(
  x: number,
  y: number,
  content: string,
  o: { size: number; anchor: "start" | "middle" | "end"; cls?: string; rotate?: { cx: number; cy: number } },
): string {
  const cls = o.cls !== undefined ? ` class="${o.cls}"` : "";
  const rot = o.rotate !== undefined ? ` transform="rotate(-90 ${r(o.rotate.cx)} ${r(o.rotate.cy)})"` : "";
  return `<text${cls} x="${r(x)}" y="${r(y)}" font-size="${o.size}" text-anchor="${o.anchor}" ${FONT}${rot}>${escapeXml(content)}</text>`;
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A coordinate rounded to 0.01 px. */
function r(v: number): string {
  return String(Math.round(v * 100) / 100);
}

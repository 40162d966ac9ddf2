import type { Tensor } from "@bp/tensor";
import { escapeXml } from "./plot.js";

export interface FilterPanel {
  title: string;
  /** Filters [FN, C, FH, FW]; channel 0 of each is drawn. */
  filters: Tensor;
}

/** Filters per row (the book's visualize_filter.py draws 30 filters as 5 rows of 6). */
const COLUMNS = 6;
const CELL = 12;
const GAP = 6;

/**
 * The first channel of each filter as a small grey image, the way the book's `filter_show` draws
 * it (`imshow(..., cmap=plt.cm.gray_r)`): each filter scaled on its own from its minimum (white) to
 * its maximum (black), one square per weight, `COLUMNS` filters per row; one panel per entry side
 * by side. Deterministic text (grey levels 0-255), so tests can read it.
 */
export function renderFilterSvg(panels: readonly FilterPanel[]): string {
  const sizes = panels.map((p) => {
    const [fn, , fh, fw] = p.filters.shape as [number, number, number, number];
    const rows = Math.ceil(fn / COLUMNS);
    return { fn, fh, fw, width: COLUMNS * (fw * CELL + GAP) + GAP, height: 30 + rows * (fh * CELL + GAP) + GAP };
  });
  const width = sizes.reduce((w, s) => w + s.width, 0);
  const height = Math.max(...sizes.map((s) => s.height));
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" shape-rendering="crispEdges">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
  ];
  let left = 0;
  panels.forEach((panel, p) => {
    const { fn, fh, fw, width: pw } = sizes[p]!;
    out.push(
      `<text class="panel-title" x="${left + pw / 2}" y="20" font-size="14" text-anchor="middle" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">${escapeXml(panel.title)}</text>`,
    );
    const d = panel.filters.data;
    const perFilter = d.length / fn;
    for (let f = 0; f < fn; f++) {
      const base = f * perFilter;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < fh * fw; i++) {
        lo = Math.min(lo, d[base + i]!);
        hi = Math.max(hi, d[base + i]!);
      }
      const x0 = left + GAP + (f % COLUMNS) * (fw * CELL + GAP);
      const y0 = 30 + Math.floor(f / COLUMNS) * (fh * CELL + GAP);
      out.push(`<g class="filter" data-index="${f}">`);
      for (let y = 0; y < fh; y++) {
        for (let x = 0; x < fw; x++) {
          const v = d[base + y * fw + x]!;
          const level = hi > lo ? Math.round(255 * (1 - (v - lo) / (hi - lo))) : 128;
          out.push(
            `<rect x="${x0 + x * CELL}" y="${y0 + y * CELL}" width="${CELL}" height="${CELL}" fill="rgb(${level},${level},${level})"/>`,
          );
        }
      }
      out.push("</g>");
    }
    left += pw;
  });
  out.push("</svg>", "");
  return out.join("\n");
}

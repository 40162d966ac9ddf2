import { formatTable } from "@bp/tensor";
import type { Style } from "./io.js";

/** Right-aligned columns under a header, two spaces apart. */
export function table(header: string[], rows: string[][], style: Style): string[] {
  const [head = "", ...lines] = formatTable(header, rows, { align: "right" });
  return [style.bold(head), ...lines];
}

/** The row of `table` for one row of values, given the header widths (for rows printed as they come). */
export function tableRow(header: string[], cells: string[]): string {
  return formatTable(header, [cells], { align: "right" })[1]!;
}

const RAMP = " .:-=+*#%@";

/**
 * A grey image (values in [0, 1], row-major) drawn with two characters per pixel: grey
 * background cells when colours are on, an ASCII ramp otherwise.
 */
export function drawImage(pixels: ArrayLike<number>, width: number, style: Style): string[] {
  const height = Math.floor(pixels.length / width);
  const lines: string[] = [];
  for (let r = 0; r < height; r++) {
    let s = "";
    for (let c = 0; c < width; c++) {
      const v = Math.max(0, Math.min(1, pixels[r * width + c]!));
      s += style.enabled
        ? style.greyBackground("  ", v * 23)
        : RAMP[Math.min(RAMP.length - 1, Math.floor(v * RAMP.length))]!.repeat(2);
    }
    lines.push(style.enabled ? s : s.trimEnd());
  }
  return lines;
}

/** A horizontal bar of `width` cells for a value in [0, 1]. */
export function bar(value: number, width: number): string {
  const cells = Math.round(Math.max(0, Math.min(1, value)) * width);
  return "█".repeat(cells) + " ".repeat(width - cells);
}

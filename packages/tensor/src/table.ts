import { checkOptions } from "./shape.js";
/** How a column's cells line up: text columns to the left, numbers to the right. */
export type Align = "left" | "right";

export interface TableOptions {
  /** One alignment for every column, or one per column (default "left"). */
  align?: Align | readonly Align[];
  /**
   * `true`: a markdown table (`| a | b |`, then a rule whose right-aligned columns end in `:`).
   * `false` (default): plain columns two spaces apart, trailing spaces trimmed.
   */
  markdown?: boolean;
}

/**
 * A table as lines of text: the header, (for markdown) the rule, then one line per row, every
 * column as wide as its widest cell. Used for gradient-check reports, the CLI's epoch tables and the
 * benchmarks' markdown output, so all of them line up the same way.
 */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string[] {
  checkOptions("formatTable", options, "options");
  const { align = "left", markdown = false } = options;
  const alignOf = (i: number): Align => (typeof align === "string" ? align : (align[i] ?? "left"));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const pad = (cell: string, i: number): string =>
    alignOf(i) === "right" ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
  const line = (cells: readonly string[]): string => {
    const padded = header.map((_, i) => pad(cells[i] ?? "", i));
    return markdown ? `| ${padded.join(" | ")} |` : padded.join("  ").trimEnd();
  };
  const lines = [line(header)];
  if (markdown) {
    const rule = widths.map((w, i) => (alignOf(i) === "right" ? `${"-".repeat(w - 1)}:` : "-".repeat(w)));
    lines.push(`| ${rule.join(" | ")} |`);
  }
  for (const r of rows) lines.push(line(r));
  return lines;
}

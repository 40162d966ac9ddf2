// Small matrices as text: rows separated by ";" or new lines, values by commas or spaces
// ("1, -0.5; -2, 3"), parsed with messages that say which value is wrong and what was expected.
import { t } from "./i18n/index.js";

export interface Matrix {
  rows: number;
  cols: number;
  data: Float64Array;
}

export function parseMatrix(label: string, text: string): { value: Matrix } | { error: string } {
  const lines = text
    .split(/[;\n]/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  if (lines.length === 0) return { error: t("matrix.empty", { label }) };
  const rows = lines.map((l) => l.split(/[\s,]+/).filter((v) => v !== ""));
  const cols = rows[0]!.length;
  const data: number[] = [];
  for (const [r, row] of rows.entries()) {
    if (row.length !== cols)
      return {
        error: t("matrix.ragged", { label, row: r + 1, count: row.length, cols }),
      };
    for (const [c, v] of row.entries()) {
      const n = Number(v);
      if (!Number.isFinite(n)) return { error: t("matrix.notNumber", { label, value: v, row: r + 1, col: c + 1 }) };
      data.push(n);
    }
  }
  if (rows.length > 8 || cols > 8) return { error: t("matrix.tooBig", { label, rows: rows.length, cols }) };
  return { value: { rows: rows.length, cols, data: Float64Array.from(data) } };
}

// Small matrices as text: rows separated by ";" or new lines, values by commas or spaces
// ("1, -0.5; -2, 3"), parsed with messages that say which value is wrong and what was expected.

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
  if (lines.length === 0) return { error: `${label} is empty: enter rows of numbers such as 1, -0.5; -2, 3.` };
  const rows = lines.map((l) => l.split(/[\s,]+/).filter((v) => v !== ""));
  const cols = rows[0]!.length;
  const data: number[] = [];
  for (const [r, row] of rows.entries()) {
    if (row.length !== cols)
      return {
        error: `${label}: row ${r + 1} has ${row.length} values but row 1 has ${cols}; every row needs the same count.`,
      };
    for (const [c, v] of row.entries()) {
      const n = Number(v);
      if (!Number.isFinite(n)) return { error: `${label}: "${v}" (row ${r + 1}, column ${c + 1}) is not a number.` };
      data.push(n);
    }
  }
  if (rows.length > 8 || cols > 8) return { error: `${label}: at most 8 × 8 here (got ${rows.length} × ${cols}).` };
  return { value: { rows: rows.length, cols, data: Float64Array.from(data) } };
}

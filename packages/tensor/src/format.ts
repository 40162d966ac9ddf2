import type { Tensor } from "./tensor.js";
import { formatShape } from "./shape.js";

const EDGE = 3; // items shown at each end of a long axis
const SUMMARIZE_OVER = 1000;

/** A NumPy-like rendering: a header line, then nested rows; long axes are elided with "...". */
export function formatTensor(t: Tensor): string {
  const header = `Tensor(${t.dtype}, shape=${formatShape(t.shape)}, backend=${t.backend.name})`;
  if (t.rank === 0) return `${header}\n${formatNumber(t.data[0]!, t.dtype)}`;
  const summarize = t.size > SUMMARIZE_OVER;
  const strides = t.strides;
  const render = (dim: number, offset: number, indent: string): string => {
    const n = t.shape[dim]!;
    const idx = summarize && n > 2 * EDGE ? [...range(0, EDGE), -1, ...range(n - EDGE, n)] : range(0, n);
    if (dim === t.rank - 1) {
      return `[${idx.map((i) => (i < 0 ? "..." : formatNumber(t.data[offset + i]!, t.dtype))).join(", ")}]`;
    }
    const sep = `,\n${"\n".repeat(t.rank - dim - 2)}${indent} `;
    return `[${idx.map((i) => (i < 0 ? "..." : render(dim + 1, offset + i * strides[dim]!, `${indent} `))).join(sep)}]`;
  };
  return `${header}\n${render(0, 0, "")}`;
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i < b; i++) out.push(i);
  return out;
}

function formatNumber(v: number, dtype: string): string {
  if (dtype === "int32" || Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(dtype === "float32" ? 6 : 8)));
}

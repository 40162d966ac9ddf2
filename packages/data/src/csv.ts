import { Tensor, cpu, isFloatDType, type Backend, type FloatDType, checkOptions } from "@bp/tensor";
import { DataError, shortJson, shortText } from "./errors.js";

/** Options of `parseCsv` / `loadCsv`. */
export interface CsvOptions {
  /**
   * Whether the first non-blank line is a header of column names. Default "auto": it is a header
   * when any of its cells is not a number.
   */
  header?: boolean | "auto";
  /**
   * The column holding the class label: a 0-based index (negative counts from the end, -1 is the
   * last column) or a header name. Default 0, the first column, as in the book readers'
   * "trainset.csv" (label, then 784 pixel values).
   */
  labelColumn?: number | string;
  /** The field separator, one character. Default ",". */
  delimiter?: string;
  /** Divide every feature by this number (e.g. 255 for pixel values). Default: keep the values. */
  divideBy?: number;
  /** Element type of the features: "float64" (default) or "float32". */
  dtype?: FloatDType;
  /** Backend the tensors are made on; default the shared `cpu`. */
  backend?: Backend;
  /** The file name used in error messages. Default "<csv>". */
  name?: string;
  /**
   * Most classes accepted: every label must be below this. Default `CSV_MAX_CLASSES` (10 000), so
   * a stray huge label is reported instead of building a net with millions of outputs.
   */
  maxClasses?: number;
}

/** Default class-count limit of `parseCsv`: labels must lie in 0..9999. */
export const CSV_MAX_CLASSES = 10_000;

/** A labelled numeric table: features `x` [rows, features], int32 labels `t` [rows]. */
export interface CsvData {
  x: Tensor;
  t: Tensor;
  /** Column names from the header line (label column included), or null when there was none. */
  header: string[] | null;
  /** 1 + the largest label. */
  numClasses: number;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const OP = "parseCsv";

/**
 * Parses a CSV table of numbers with one integer class label per row. Blank lines are skipped;
 * cells are trimmed. Every problem is reported with the file name, the 1-based line and column and
 * what was expected: a non-numeric or empty cell, a row with the wrong number of fields, an empty
 * file, a label that is not a non-negative integer.
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvData {
  checkOptions("parseCsv", options, "options");
  const name = options.name ?? "<csv>";
  const delimiter = options.delimiter ?? ",";
  const dtype = options.dtype ?? "float64";
  const backend = options.backend ?? cpu;
  if (typeof text !== "string")
    throw new DataError(OP, { file: name }, `expected the CSV text as a string, got ${typeof text}`);
  if (
    typeof delimiter !== "string" ||
    delimiter.length !== 1 ||
    delimiter === "\n" ||
    delimiter === "\r" ||
    delimiter === '"'
  ) {
    throw new DataError(
      OP,
      { file: name },
      `delimiter must be one character other than a quote or line break, got ${shortJson(delimiter)}`,
    );
  }
  if (!isFloatDType(dtype)) {
    throw new DataError(OP, { file: name }, `dtype must be "float64" or "float32", got ${shortJson(dtype)}`);
  }
  const maxClasses = options.maxClasses ?? CSV_MAX_CLASSES;
  if (!Number.isInteger(maxClasses) || maxClasses < 1 || maxClasses > 2147483647) {
    throw new DataError(OP, { file: name }, `maxClasses must be an integer in [1, 2^31 - 1], got ${maxClasses}`);
  }
  const divideBy = options.divideBy;
  if (divideBy !== undefined && (!Number.isFinite(divideBy) || divideBy === 0)) {
    throw new DataError(OP, { file: name }, `divideBy must be a finite non-zero number, got ${divideBy}`);
  }

  const lines = text.split("\n");
  const rows: { line: number; cells: string[] }[] = [];
  for (let i = 0; i < lines.length; i++) {
    let s = lines[i]!;
    if (s.endsWith("\r")) s = s.slice(0, -1);
    if (i === 0 && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    if (s.trim() === "") continue;
    rows.push({ line: i + 1, cells: s.split(delimiter).map(cleanCell) });
  }
  if (rows.length === 0)
    throw new DataError(
      OP,
      { file: name },
      "the file is empty (expected a table of numbers, one labelled row per line)",
    );

  const first = rows[0]!;
  const headerOpt = options.header ?? "auto";
  const hasHeader = headerOpt === "auto" ? first.cells.some((c) => !NUMBER.test(c)) : headerOpt;
  const header = hasHeader ? first.cells : null;
  const data = hasHeader ? rows.slice(1) : rows;
  const width = first.cells.length;
  if (data.length === 0) {
    throw new DataError(OP, { file: name, line: first.line }, "the file has a header line but no data rows");
  }
  if (width < 2) {
    throw new DataError(
      OP,
      { file: name, line: first.line },
      `rows have ${width} field; expected a label and at least one feature (is the delimiter ${JSON.stringify(delimiter)} right?)`,
    );
  }
  const label = labelIndex(options.labelColumn ?? 0, header, width, name, first.line);

  const features = width - 1;
  const x = backend.alloc(dtype, data.length * features);
  const t = backend.alloc("int32", data.length);
  let maxLabel = 0;
  for (let r = 0; r < data.length; r++) {
    const { line, cells } = data[r]!;
    if (cells.length !== width) {
      throw new DataError(
        OP,
        { file: name, line, column: Math.min(cells.length, width) + 1 },
        `row has ${cells.length} fields, expected ${width} (as on line ${first.line})`,
      );
    }
    let k = r * features;
    for (let c = 0; c < width; c++) {
      const cell = cells[c]!;
      if (!NUMBER.test(cell)) {
        const what = cell === "" ? "empty cell" : `${shortJson(cell)} is not a number`;
        throw new DataError(OP, { file: name, line, column: c + 1 }, `${what} (expected a decimal number)`);
      }
      const v = Number(cell);
      if (c === label) {
        if (!Number.isInteger(v) || v < 0) {
          throw new DataError(
            OP,
            { file: name, line, column: c + 1 },
            `label ${shortText(cell)} is not a non-negative integer (expected a class index 0, 1, 2, ...)`,
          );
        }
        if (v >= maxClasses) {
          throw new DataError(
            OP,
            { file: name, line, column: c + 1 },
            `label ${shortText(cell)} is beyond the limit of ${maxClasses} classes (expected a class index 0..${maxClasses - 1}; pass maxClasses to allow more)`,
          );
        }
        t[r] = v;
        if (v > maxLabel) maxLabel = v;
      } else {
        if (!Number.isFinite(v)) {
          throw new DataError(
            OP,
            { file: name, line, column: c + 1 },
            `${shortText(cell)} is out of range (expected a finite number)`,
          );
        }
        const f = divideBy === undefined ? v : v / divideBy;
        // The value as stored: float32 turns numbers beyond 3.4e38 into Infinity.
        if (!Number.isFinite(dtype === "float32" ? Math.fround(f) : f)) {
          const what = divideBy === undefined ? shortText(cell) : `${shortText(cell)} divided by ${divideBy}`;
          throw new DataError(
            OP,
            { file: name, line, column: c + 1 },
            `${what} is out of the ${dtype} range (expected a finite number)`,
          );
        }
        x[k++] = f;
      }
    }
  }
  return {
    x: new Tensor(x, [data.length, features], dtype, backend),
    t: new Tensor(t, [data.length], "int32", backend),
    header,
    numClasses: maxLabel + 1,
  };
}

function cleanCell(cell: string): string {
  const s = cell.trim();
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).trim() : s;
}

function labelIndex(
  labelColumn: number | string,
  header: string[] | null,
  width: number,
  file: string,
  line: number,
): number {
  if (typeof labelColumn === "string") {
    if (header === null) {
      throw new DataError(
        OP,
        { file, line },
        `labelColumn ${shortJson(labelColumn)} is a name but the file has no header line`,
      );
    }
    const i = header.indexOf(labelColumn);
    if (i < 0) {
      const shown = header.length > 8 ? `${header.slice(0, 8).join(", ")}, ...` : header.join(", ");
      throw new DataError(
        OP,
        { file, line },
        `no column named ${shortJson(labelColumn)} in the header (columns: ${shortText(shown)})`,
      );
    }
    return i;
  }
  if (!Number.isInteger(labelColumn) || labelColumn >= width || labelColumn < -width) {
    throw new DataError(
      OP,
      { file, line },
      `labelColumn ${labelColumn} is outside the ${width} columns (expected 0..${width - 1}, or -1 for the last)`,
    );
  }
  return labelColumn < 0 ? width + labelColumn : labelColumn;
}

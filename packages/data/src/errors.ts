import { BpError } from "@bp/tensor";

/** Where in an input a problem was found. `line` and `column` are 1-based. */
export interface DataLocation {
  /** The file name (or the `name` given to a parser of in-memory bytes). */
  file: string;
  line?: number;
  column?: number;
  /** A byte offset, for binary formats. */
  byte?: number;
}

/**
 * A data file that cannot be read as what it claims to be: a missing file, a bad IDX header, a
 * broken CSV row, a corrupt safetensors file. The message names the operation, the file, the line
 * and column (or byte offset) and what was expected; the same facts are also fields.
 */
export class DataError extends BpError {
  override name = "DataError";
  readonly file: string;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly byte: number | undefined;

  constructor(op: string, where: DataLocation, message: string) {
    // One line, always: a file name or an excerpt of the input may hold line breaks.
    super(op, `${formatLocation(where)}: ${message}`.replace(/[\r\n\u2028\u2029]+/g, " "));
    this.file = where.file;
    this.line = where.line;
    this.column = where.column;
    this.byte = where.byte;
  }
}

function formatLocation(where: DataLocation): string {
  let s = where.file;
  if (where.line !== undefined) s += `, line ${where.line}`;
  if (where.column !== undefined) s += `, column ${where.column}`;
  if (where.byte !== undefined) s += `, byte ${where.byte}`;
  return s;
}

/** Longest value quoted in an error message; longer ones are cut with "...". */
const SHOWN = 60;

/** `s` cut to a length that keeps a one-line error message short. */
export function shortText(s: string): string {
  return s.length > SHOWN ? `${s.slice(0, SHOWN)}...` : s;
}

/** A value read from a file, as JSON, cut short for an error message. */
export function shortJson(v: unknown): string {
  return shortText(JSON.stringify(v) ?? String(v));
}

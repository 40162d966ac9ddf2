/** Longest message a BpError keeps; the rest is cut (a safety net for lists read from files). */
export const MAX_ERROR_MESSAGE = 1000;

/**
 * Base class of every error bp throws on purpose. `op` names the operation that refused. Messages
 * longer than `MAX_ERROR_MESSAGE` characters are cut and say how much was left out, so an error
 * that quotes a huge input (a million tensor names) still prints as one readable line.
 */
export class BpError extends Error {
  override name = "BpError";
  constructor(
    readonly op: string,
    message: string,
  ) {
    const full = `${op}: ${message}`;
    super(
      full.length > MAX_ERROR_MESSAGE
        ? `${full.slice(0, MAX_ERROR_MESSAGE - 40)}... (${full.length - (MAX_ERROR_MESSAGE - 40)} more characters)`
        : full,
    );
  }
}

/** Shapes that do not fit: broadcasting, matmul inner dimensions, reshape sizes, bad axes. */
export class ShapeError extends BpError {
  override name = "ShapeError";
}

/** A dtype the op does not accept, or two operands of different dtypes. */
export class DTypeError extends BpError {
  override name = "DTypeError";
}

/** An index or value outside what the op accepts (non-integer, negative, past the end). */
export class IndexError extends BpError {
  override name = "IndexError";
}

/** Bad argument values that are neither shapes nor indices (non-finite seeds, bad option values). */
export class ValueError extends BpError {
  override name = "ValueError";
}

/** A backend that cannot work here or has failed (worker crashed, no SharedArrayBuffer, ...). */
export class BackendError extends BpError {
  override name = "BackendError";
}

import { DataError } from "./errors.js";

/** Element types of the IDX format, by their type code in byte 2 of the magic number. */
export type IdxDType = "uint8" | "int8" | "int16" | "int32" | "float32" | "float64";

export type IdxTypedArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A decoded IDX file: its element type, dimensions and row-major values. */
export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  data: IdxTypedArray;
}

const CODES: Record<number, { dtype: IdxDType; bytes: number }> = {
  8: { dtype: "uint8", bytes: 1 },
  9: { dtype: "int8", bytes: 1 },
  11: { dtype: "int16", bytes: 2 },
  12: { dtype: "int32", bytes: 4 },
  13: { dtype: "float32", bytes: 4 },
  14: { dtype: "float64", bytes: 8 },
};

const CODE_OF: Record<IdxDType, number> = {
  uint8: 0x08,
  int8: 0x09,
  int16: 0x0b,
  int32: 0x0c,
  float32: 0x0d,
  float64: 0x0e,
};

const KNOWN_CODES = "0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64";

/** True when `bytes` start with the gzip signature 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Largest IDX file (header plus values) that `readIdxFile` reads or decompresses: 1 GiB. */
export const IDX_MAX_BYTES = 2 ** 30;

/** What an IDX header declares: element type, dimensions, and the exact file length they need. */
export interface IdxHeader {
  dtype: IdxDType;
  shape: number[];
  /** 4 + 4 x number of dimensions. */
  headerBytes: number;
  /** Number of values: the product of the dimensions. */
  size: number;
  /** headerBytes + size x element size: the length of a well-formed file. */
  totalBytes: number;
}

/**
 * Reads and checks the header of an IDX file (magic number, type code, dimensions) from its first
 * bytes, without looking at the values; `bytes` may be just a prefix of the file. Throws the
 * `DataError`s `parseIdx` would for a bad or short header.
 */
export function readIdxHeader(bytes: Uint8Array, name = "<idx>", op = "parseIdx"): IdxHeader {
  if (isGzip(bytes)) {
    throw new DataError(
      op,
      { file: name },
      "the bytes are gzip-compressed; decompress them first (readIdxFile does, in Node)",
    );
  }
  if (bytes.length < 4) {
    throw new DataError(
      op,
      { file: name },
      `file is ${bytes.length} bytes long, too short for the 4-byte IDX magic number`,
    );
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new DataError(
      op,
      { file: name, byte: 0 },
      `bad magic number ${hex(bytes, 0, 4)}: an IDX file starts with 00 00 <type code> <number of dimensions>`,
    );
  }
  const code = bytes[2]!;
  const type = CODES[code];
  if (type === undefined) {
    throw new DataError(
      op,
      { file: name, byte: 2 },
      `unknown IDX type code 0x${code.toString(16).padStart(2, "0")} (expected ${KNOWN_CODES})`,
    );
  }
  const ndims = bytes[3]!;
  if (ndims === 0) {
    throw new DataError(op, { file: name, byte: 3 }, "the IDX header declares 0 dimensions (expected at least 1)");
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) {
    throw new DataError(
      op,
      { file: name },
      `file is ${bytes.length} bytes long but its header declares ${ndims} dimensions, which need ${headerBytes} header bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let size = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    shape.push(d);
    size *= d;
  }
  return { dtype: type.dtype, shape, headerBytes, size, totalBytes: headerBytes + size * type.bytes };
}

/**
 * Decodes an uncompressed IDX file (the MNIST format): the magic number `00 00 <type> <ndims>`,
 * `ndims` big-endian uint32 dimensions, then the big-endian values. Checks the magic number, the
 * type code, the dimensions and that the length is exactly header + values. `name` is used in
 * error messages. Gzip-compressed bytes are refused here (no decompressor in a pure parser);
 * `readIdxFile` (Node) decompresses them first.
 */
export function parseIdx(bytes: Uint8Array, name = "<idx>"): IdxArray {
  const op = "parseIdx";
  const { dtype, shape, headerBytes, size, totalBytes } = readIdxHeader(bytes, name, op);
  if (bytes.length !== totalBytes) {
    throw new DataError(
      op,
      { file: name },
      `file is ${bytes.length} bytes long but dimensions [${shape.join(", ")}] of ${dtype} need exactly ${totalBytes} ` +
        `(${headerBytes} header + ${totalBytes - headerBytes} data)${bytes.length < totalBytes ? "; the file is truncated" : "; there are trailing bytes"}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { dtype, shape, data: readValues(view, headerBytes, size, dtype) };
}

function readValues(view: DataView, start: number, size: number, dtype: IdxDType): IdxTypedArray {
  switch (dtype) {
    case "uint8":
      return new Uint8Array(view.buffer.slice(view.byteOffset + start, view.byteOffset + start + size));
    case "int8":
      return new Int8Array(view.buffer.slice(view.byteOffset + start, view.byteOffset + start + size));
    case "int16": {
      const out = new Int16Array(size);
      for (let i = 0; i < size; i++) out[i] = view.getInt16(start + 2 * i, false);
      return out;
    }
    case "int32": {
      const out = new Int32Array(size);
      for (let i = 0; i < size; i++) out[i] = view.getInt32(start + 4 * i, false);
      return out;
    }
    case "float32": {
      const out = new Float32Array(size);
      for (let i = 0; i < size; i++) out[i] = view.getFloat32(start + 4 * i, false);
      return out;
    }
    case "float64": {
      const out = new Float64Array(size);
      for (let i = 0; i < size; i++) out[i] = view.getFloat64(start + 8 * i, false);
      return out;
    }
  }
}

/** Encodes values as an IDX file (big-endian, the inverse of `parseIdx`). */
export function encodeIdx(array: IdxArray): Uint8Array {
  const { dtype, shape, data } = array;
  const code = CODE_OF[dtype];
  if (code === undefined)
    throw new DataError(
      "encodeIdx",
      { file: "<idx>" },
      `unknown dtype ${String(dtype)} (expected ${Object.keys(CODE_OF).join(", ")})`,
    );
  if (shape.length === 0 || shape.length > 255) {
    throw new DataError("encodeIdx", { file: "<idx>" }, `an IDX array needs 1 to 255 dimensions, got ${shape.length}`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== data.length) {
    throw new DataError(
      "encodeIdx",
      { file: "<idx>" },
      `shape [${shape.join(", ")}] needs ${size} values but data has ${data.length}`,
    );
  }
  const bytesPer = CODES[code]!.bytes;
  const headerBytes = 4 + 4 * shape.length;
  const out = new Uint8Array(headerBytes + size * bytesPer);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = shape.length;
  for (const [i, d] of shape.entries()) view.setUint32(4 + 4 * i, d, false);
  for (let i = 0; i < size; i++) {
    const at = headerBytes + i * bytesPer;
    const v = data[i]!;
    switch (dtype) {
      case "uint8":
        view.setUint8(at, v);
        break;
      case "int8":
        view.setInt8(at, v);
        break;
      case "int16":
        view.setInt16(at, v, false);
        break;
      case "int32":
        view.setInt32(at, v, false);
        break;
      case "float32":
        view.setFloat32(at, v, false);
        break;
      case "float64":
        view.setFloat64(at, v, false);
        break;
    }
  }
  return out;
}

function hex(bytes: Uint8Array, start: number, end: number): string {
  return Array.from(bytes.subarray(start, end), (b) => b.toString(16).padStart(2, "0")).join(" ");
}

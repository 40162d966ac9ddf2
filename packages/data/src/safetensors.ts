import { Tensor, cpu, type Backend, type DType } from "@bp/tensor";
import { DataError } from "./errors.js";

/** safetensors dtype names of the bp dtypes. */
const ST_DTYPE: Record<DType, "F64" | "F32" | "I32"> = { float64: "F64", float32: "F32", int32: "I32" };
const BP_DTYPE: Record<string, DType> = { F64: "float64", F32: "float32", I32: "int32" };
const BYTES: Record<DType, number> = { float64: 8, float32: 4, int32: 4 };

/** Largest JSON header accepted, as in the reference implementation (100 MB). */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

/** Named tensors in the order they are listed. */
export type NamedTensors = Record<string, Tensor>;

/** Decoded safetensors content. */
export interface Safetensors {
  tensors: NamedTensors;
  /** The free-form string map stored under `__metadata__` (empty when absent). */
  metadata: Record<string, string>;
}

export interface DecodeOptions {
  /** The file name used in error messages. Default "<safetensors>". */
  name?: string;
  /** Backend the tensors are made on; default the shared `cpu`. */
  backend?: Backend;
  /** Largest header accepted, in bytes. Default `SAFETENSORS_MAX_HEADER`. */
  maxHeaderBytes?: number;
}

/**
 * Encodes tensors in the safetensors format: an 8-byte little-endian header length, a JSON header
 * (`{"__metadata__": {...}, name: {dtype, shape, data_offsets}, ...}`) padded with spaces to a
 * multiple of 8 bytes, then the raw little-endian data of each tensor, with no gaps. Data is laid
 * out by element size (largest first) then by name, so every tensor starts aligned to its element
 * size. float64 -> "F64", float32 -> "F32", int32 -> "I32".
 */
export function encodeSafetensors(tensors: NamedTensors, metadata: Record<string, string> = {}): Uint8Array {
  const op = "encodeSafetensors";
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string")
      throw new DataError(
        op,
        { file: "<metadata>" },
        `metadata value of ${JSON.stringify(k)} is a ${typeof v}; safetensors metadata holds strings only`,
      );
  }
  const names = Object.keys(tensors).sort((a, b) => {
    const d = BYTES[tensors[b]!.dtype] - BYTES[tensors[a]!.dtype];
    return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
  });
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const name of names) {
    if (name === "__metadata__")
      throw new DataError(op, { file: "<tensors>" }, `"__metadata__" is reserved and cannot name a tensor`);
    const t = tensors[name]!;
    if (!(t instanceof Tensor))
      throw new DataError(op, { file: "<tensors>" }, `${JSON.stringify(name)} is not a Tensor`);
    const bytes = t.size * BYTES[t.dtype];
    header[name] = { dtype: ST_DTYPE[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const encoded = new TextEncoder().encode(json);
  const padded = Math.ceil(encoded.length / 8) * 8;
  json += " ".repeat(padded - encoded.length);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, headerBytes.length, true);
  view.setUint32(4, 0, true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors[name]!;
    const d = t.data;
    switch (t.dtype) {
      case "float64":
        for (let i = 0; i < d.length; i++, at += 8) view.setFloat64(at, d[i]!, true);
        break;
      case "float32":
        for (let i = 0; i < d.length; i++, at += 4) view.setFloat32(at, d[i]!, true);
        break;
      case "int32":
        for (let i = 0; i < d.length; i++, at += 4) view.setInt32(at, d[i]!, true);
        break;
    }
  }
  return out;
}

/**
 * Decodes and validates a safetensors file: the header length (within the file and the limit),
 * the JSON (an object whose header starts with "{"), each entry's dtype (F64, F32 or I32), shape
 * (non-negative integers) and data_offsets (inside the data, matching shape x element size), that
 * the tensors cover the data exactly with no gaps or overlaps, and that `__metadata__` holds only
 * strings. Any failure is a `DataError` naming the file, the tensor and what was expected.
 */
export function decodeSafetensors(bytes: Uint8Array, options: DecodeOptions = {}): Safetensors {
  const op = "decodeSafetensors";
  const file = options.name ?? "<safetensors>";
  const backend = options.backend ?? cpu;
  const limit = options.maxHeaderBytes ?? SAFETENSORS_MAX_HEADER;
  function fail(message: string, byte?: number): never {
    throw new DataError(op, byte === undefined ? { file } : { file, byte }, message);
  }
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes long, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const headerLength = hi * 4294967296 + lo;
  if (headerLength > limit)
    fail(`header length ${headerLength} exceeds the limit of ${limit} bytes (not a safetensors file, or corrupt)`, 0);
  if (8 + headerLength > bytes.length) {
    fail(
      `header length ${headerLength} runs past the end of the ${bytes.length}-byte file (truncated or not a safetensors file)`,
      0,
    );
  }
  if (headerLength < 2 || bytes[8] !== 0x7b) fail(`the JSON header must start with "{"`, 8);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    return fail("the header is not valid UTF-8", 8);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`the header is not valid JSON (${(e as Error).message})`, 8);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("the header must be a JSON object");
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;

  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        fail(`"__metadata__" must be an object of strings`);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== "string")
          fail(`"__metadata__" value of ${JSON.stringify(k)} is ${JSON.stringify(v)}, expected a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const where = `tensor ${JSON.stringify(name)}`;
    if (typeof value !== "object" || value === null || Array.isArray(value))
      fail(`${where}: expected an object {dtype, shape, data_offsets}`);
    const info = value as Record<string, unknown>;
    const extra = Object.keys(info).filter((k) => k !== "dtype" && k !== "shape" && k !== "data_offsets");
    if (extra.length > 0)
      fail(`${where}: unknown field ${JSON.stringify(extra[0])} (expected dtype, shape, data_offsets)`);
    const dtype = typeof info.dtype === "string" ? BP_DTYPE[info.dtype] : undefined;
    if (dtype === undefined)
      fail(`${where}: dtype ${JSON.stringify(info.dtype)} is not supported (expected "F64", "F32" or "I32")`);
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`${where}: shape ${JSON.stringify(shape)} must be an array of non-negative integers`);
    }
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`${where}: data_offsets ${JSON.stringify(offsets)} must be [begin, end] with non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLength)
      fail(`${where}: data_offsets [${begin}, ${end}] run past the ${dataLength} bytes of data (file truncated?)`);
    const dims = shape as number[];
    const need = dims.reduce((a, b) => a * b, 1) * BYTES[dtype!];
    if (end - begin !== need) {
      fail(
        `${where}: shape [${dims.join(", ")}] of ${info.dtype as string} needs ${need} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`,
      );
    }
    entries.push({ name, dtype: dtype!, shape: dims, begin, end });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expect = 0;
  for (const e of sorted) {
    if (e.begin < expect)
      fail(
        `tensor ${JSON.stringify(e.name)}: data_offsets [${e.begin}, ${e.end}] overlap the tensor before it (which ends at ${expect})`,
      );
    if (e.begin > expect)
      fail(
        `tensor ${JSON.stringify(e.name)}: data_offsets start at ${e.begin} but the previous tensor ends at ${expect}; the data must have no gaps`,
      );
    expect = e.end;
  }
  if (expect !== dataLength)
    fail(
      `the tensors cover ${expect} bytes of data but the file holds ${dataLength}; the data must have no gaps or trailing bytes`,
    );

  const tensors: NamedTensors = {};
  for (const e of entries) {
    const size = (e.end - e.begin) / BYTES[e.dtype];
    const data = backend.alloc(e.dtype, size);
    let at = dataStart + e.begin;
    switch (e.dtype) {
      case "float64":
        for (let i = 0; i < size; i++, at += 8) data[i] = view.getFloat64(at, true);
        break;
      case "float32":
        for (let i = 0; i < size; i++, at += 4) data[i] = view.getFloat32(at, true);
        break;
      case "int32":
        for (let i = 0; i < size; i++, at += 4) data[i] = view.getInt32(at, true);
        break;
    }
    tensors[e.name] = new Tensor(data, e.shape, e.dtype, backend);
  }
  return { tensors, metadata };
}

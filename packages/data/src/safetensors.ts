import { Tensor, cpu, type Backend, type DType, checkOptions } from "@bp/tensor";
import { DataError, shortJson as show, shortText as shorten } from "./errors.js";

/** safetensors dtype names of the bp dtypes. */
const ST_DTYPE: Record<DType, "F64" | "F32" | "I32"> = { float64: "F64", float32: "F32", int32: "I32" };
/** The bp dtype of a safetensors dtype name (a Map, so names like "constructor" find nothing). */
const BP_DTYPE = new Map<unknown, DType>([
  ["F64", "float64"],
  ["F32", "float32"],
  ["I32", "int32"],
]);
const BYTES: Record<DType, number> = { float64: 8, float32: 4, int32: 4 };

/** Largest JSON header accepted, as in the reference implementation (100 MB). */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

/**
 * Most entries (tensors plus `__metadata__`) a header may list. Counted before the JSON is parsed,
 * so a header of a million empty tensors is refused in milliseconds.
 */
export const SAFETENSORS_MAX_TENSORS = 100_000;

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
  /** Most header entries (tensors and `__metadata__`) accepted. Default `SAFETENSORS_MAX_TENSORS`. */
  maxTensors?: number;
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
  checkOptions(op, metadata, "metadata");
  if (typeof tensors !== "object" || tensors === null)
    throw new DataError(op, { file: "<tensors>" }, `expected an object of named tensors, got ${show(tensors)}`);
  if (typeof metadata !== "object" || metadata === null)
    throw new DataError(op, { file: "<metadata>" }, `expected an object of strings, got ${show(metadata)}`);
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string")
      throw new DataError(
        op,
        { file: "<metadata>" },
        `metadata value of ${show(k)} is a ${typeof v}; safetensors metadata holds strings only`,
      );
  }
  for (const [name, t] of Object.entries(tensors)) {
    if (name === "__metadata__")
      throw new DataError(op, { file: "<tensors>" }, `"__metadata__" is reserved and cannot name a tensor`);
    if (!(t instanceof Tensor)) throw new DataError(op, { file: "<tensors>" }, `${show(name)} is not a Tensor`);
  }
  const names = Object.keys(tensors).sort((a, b) => {
    const d = BYTES[tensors[b]!.dtype] - BYTES[tensors[a]!.dtype];
    return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
  });
  // Null-prototype objects: a tensor or metadata key named "__proto__" stays an ordinary key.
  const header: Record<string, unknown> = Object.create(null);
  if (Object.keys(metadata).length > 0) header.__metadata__ = Object.assign(Object.create(null), metadata);
  let offset = 0;
  for (const name of names) {
    const t = tensors[name]!;
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
 * the JSON (an object whose header starts with "{", at most `maxTensors` entries, no key twice in
 * any object), each entry's dtype (F64, F32 or I32), shape (non-negative integers) and
 * data_offsets (inside the data, matching shape x element size), that the tensors cover the data
 * exactly with no gaps or overlaps, and that `__metadata__` holds only strings. Any failure is a
 * short `DataError` naming the file, the tensor and what was expected. The returned `tensors` and
 * `metadata` are null-prototype objects, so any name read from the file (even `__proto__`) is an
 * ordinary own key.
 */
export function decodeSafetensors(bytes: Uint8Array, options: DecodeOptions = {}): Safetensors {
  const op = "decodeSafetensors";
  checkOptions(op, options, "options");
  const file = options.name ?? "<safetensors>";
  const backend = options.backend ?? cpu;
  const limit = options.maxHeaderBytes ?? SAFETENSORS_MAX_HEADER;
  const maxTensors = options.maxTensors ?? SAFETENSORS_MAX_TENSORS;
  function fail(message: string, byte?: number): never {
    throw new DataError(op, byte === undefined ? { file } : { file, byte }, message);
  }
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes long, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Read as a BigInt so lengths above 2^53 are printed exactly.
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(limit))
    fail(`header length ${declared} exceeds the limit of ${limit} bytes (not a safetensors file, or corrupt)`, 0);
  const headerLength = Number(declared);
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
  const keys = scanKeys(text, maxTensors);
  if (keys.tooMany)
    fail(`the header lists more than ${maxTensors} entries (the limit; pass maxTensors to raise it)`, 8);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    return fail(`the header is not valid JSON (${shorten((e as Error).message)})`, 8);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail("the header must be a JSON object");
  if (keys.duplicate !== null)
    fail(`the header lists the key ${show(keys.duplicate)} twice (the format forbids duplicate keys)`, 8);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;

  const metadata: Record<string, string> = Object.create(null);
  const entries: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        fail(`"__metadata__" must be an object of strings`);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (typeof v !== "string") fail(`"__metadata__" value of ${show(k)} is ${show(v)}, expected a string`);
        metadata[k] = v as string;
      }
      continue;
    }
    const where = `tensor ${show(name)}`;
    if (typeof value !== "object" || value === null || Array.isArray(value))
      fail(`${where}: expected an object {dtype, shape, data_offsets}`);
    const info = value as Record<string, unknown>;
    const extra = Object.keys(info).filter((k) => k !== "dtype" && k !== "shape" && k !== "data_offsets");
    if (extra.length > 0) fail(`${where}: unknown field ${show(extra[0])} (expected dtype, shape, data_offsets)`);
    const dtype = BP_DTYPE.get(info.dtype);
    if (dtype === undefined)
      fail(`${where}: dtype ${show(info.dtype)} is not supported (expected "F64", "F32" or "I32")`);
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`${where}: shape ${show(shape)} must be an array of non-negative integers`);
    }
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      fail(`${where}: data_offsets ${show(offsets)} must be [begin, end] with non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) fail(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
    if (end > dataLength)
      fail(`${where}: data_offsets [${begin}, ${end}] run past the ${dataLength} bytes of data (file truncated?)`);
    const dims = shape as number[];
    const need = dims.reduce((a, b) => a * b, 1) * BYTES[dtype];
    if (end - begin !== need) {
      fail(
        `${where}: shape ${shorten(`[${dims.join(", ")}]`)} of ${info.dtype as string} needs ${need} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`,
      );
    }
    entries.push({ name, dtype, shape: dims, begin, end });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expect = 0;
  for (const e of sorted) {
    if (e.begin < expect)
      fail(
        `tensor ${show(e.name)}: data_offsets [${e.begin}, ${e.end}] overlap the tensor before it (which ends at ${expect})`,
      );
    if (e.begin > expect)
      fail(
        `tensor ${show(e.name)}: data_offsets start at ${e.begin} but the previous tensor ends at ${expect}; the data must have no gaps`,
      );
    expect = e.end;
  }
  if (expect !== dataLength)
    fail(
      `the tensors cover ${expect} bytes of data but the file holds ${dataLength}; the data must have no gaps or trailing bytes`,
    );

  const tensors: NamedTensors = Object.create(null);
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

/**
 * One pass over JSON text that finds a key listed twice in any object (JSON.parse silently keeps
 * the last) and counts the top-level keys, stopping once there are more than `max`. It trusts
 * JSON.parse to judge validity, so on invalid JSON its answer only has to be harmless.
 */
function scanKeys(text: string, max: number): { duplicate: string | null; tooMany: boolean } {
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  let topLevel = 0;
  let duplicate: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const j = closingQuote(text, i);
      const keys = stack[stack.length - 1];
      if (expectKey && keys) {
        const raw = text.slice(i + 1, j);
        const key = raw.includes("\\") ? decodeJsonString(text.slice(i, j + 1)) : raw;
        if (duplicate === null && keys.has(key)) duplicate = key;
        keys.add(key);
        if (stack.length === 1 && ++topLevel > max) return { duplicate, tooMany: true };
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b) {
      stack.push(new Set());
      expectKey = true;
    } else if (c === 0x5b) {
      stack.push(null);
      expectKey = false;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      expectKey = stack[stack.length - 1] instanceof Set;
    }
  }
  return { duplicate, tooMany: false };
}

/** The index of the quote that closes the JSON string opened at `open` (or the text's length).
 * Jumps from quote to quote with indexOf, so long string values cost little. */
function closingQuote(text: string, open: number): number {
  let from = open + 1;
  for (;;) {
    const q = text.indexOf('"', from);
    if (q < 0) return text.length;
    let b = q - 1;
    while (b > open && text.charCodeAt(b) === 0x5c) b--;
    // An even number of backslashes before the quote: they escape each other, not the quote.
    if ((q - 1 - b) % 2 === 0) return q;
    from = q + 1;
  }
}

function decodeJsonString(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted;
  }
}

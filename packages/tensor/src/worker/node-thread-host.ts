import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { ThreadHost, WorkerThread } from "./thread-host.js";

/**
 * The worker script. Built code (`dist/worker/*.js`) starts `node-worker.js` next to it. From the
 * TypeScript sources (tests run them through the "@bp/source" condition) Node 20 cannot start a
 * Worker from a .ts file, even with `--import tsx`: a small CommonJS bootstrap registers tsx's ESM
 * loader inside the new thread, then imports `node-worker.ts`.
 */
function workerScript(): { script: string | URL; evalCode: boolean } {
  if (!import.meta.url.endsWith(".ts"))
    return { script: new URL("./node-worker.js", import.meta.url), evalCode: false };
  const tsx = tsxEsmApi();
  const entry = new URL("./node-worker.ts", import.meta.url).href;
  const code = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return { script: code, evalCode: true };
}

/** The URL of tsx's ESM API (its CommonJS build cannot register the ESM loader from a worker). */
function tsxEsmApi(): string {
  const resolve = (import.meta as { resolve?: (specifier: string) => string }).resolve;
  if (typeof resolve === "function") return resolve("tsx/esm/api");
  const req = createRequire(import.meta.url);
  const pkgFile = req.resolve("tsx/package.json");
  const pkg = req(pkgFile) as { exports: Record<string, { import: { default: string } }> };
  return new URL(pkg.exports["./esm/api"]!.import.default, pathToFileURL(pkgFile)).href;
}

/** Flags of the main script's process that a worker cannot take (they describe how the process got
 * its code, or run a test runner, a REPL or a watcher), and whether each takes a value. */
const MAIN_ONLY_FLAGS: ReadonlyMap<string, boolean> = new Map([
  ["--input-type", true],
  ["-e", true],
  ["--eval", true],
  ["-p", true],
  ["--print", true],
  ["-c", false],
  ["--check", false],
  ["-i", false],
  ["--interactive", false],
  ["--test", false],
  ["--watch", false],
  ["--watch-path", true],
  ["--watch-preserve-output", false],
]);

/**
 * The flags of `execArgv` (by default this process's) that a worker can use, or null when a worker
 * can take them all (then it inherits them, as Node does by default): how the main script was given
 * (`--input-type`, `-e`, `-p` with their values), test runner, REPL and watch flags go; loaders
 * (`--import`, `--loader`), `--conditions`, `--experimental-*` and the like stay. Node refuses a
 * worker started with `--input-type` ("can only be used with string input").
 */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] | null {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const takesValue = MAIN_ONLY_FLAGS.get(name);
    if (takesValue === undefined && !name.startsWith("--test-")) kept.push(arg);
    else if (takesValue === true && eq < 0) i++; // its value is the next argument
  }
  return kept.length === execArgv.length ? null : kept;
}

/** A worker running `script`, given only the flags of this process it can use. An explicit
 * `execArgv` must not hold V8 or process-wide flags (`--trace-gc`, `--max-old-space-size`), which an
 * inherited one drops silently: those Node names in its refusal are dropped too. */
function startWorker(script: string | URL, evalCode: boolean): Worker {
  const execArgv = workerExecArgv();
  if (execArgv === null) return new Worker(script, { eval: evalCode });
  try {
    return new Worker(script, { eval: evalCode, execArgv });
  } catch (e) {
    if ((e as { code?: unknown }).code !== "ERR_WORKER_INVALID_EXEC_ARGV") throw e;
    const refused = new Set((e as Error).message.replace(/^[^:]*: /, "").split(", "));
    return new Worker(script, { eval: evalCode, execArgv: execArgv.filter((a) => !refused.has(a)) });
  }
}

/** Node: `worker_threads`, unref'd so that idle workers never keep a process alive. */
export const nodeThreadHost: ThreadHost = {
  check(): void {
    // SharedArrayBuffer and Atomics.wait are always available on Node's threads.
  },

  defaultThreads(): number {
    return availableParallelism();
  },

  spawn(onGone: (reason: string) => void): WorkerThread {
    const { script, evalCode } = workerScript();
    const worker = startWorker(script, evalCode);
    worker.unref();
    let failure: string | null = null;
    worker.on("error", (e: Error) => {
      failure = e.stack ?? e.message;
    });
    worker.on("exit", (code: number) => {
      onGone(failure === null ? `the worker exited with code ${code}` : `the worker failed: ${failure}`);
    });
    return {
      post: (msg) => worker.postMessage(msg),
      terminate: () => void worker.terminate(),
    };
  },
};

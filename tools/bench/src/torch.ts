// PyTorch rows: tools/bench/torch/*.py, the book's recipes as a PyTorch user writes them, run in
// their own process with a fixed number of threads when a python3 with torch is on the machine.
// Each helper returns null (after printing a line saying why) when PyTorch cannot run.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";

/** "1 thread", "2 threads". */
export function threadsText(threads: number): string {
  return `${threads} thread${threads === 1 ? "" : "s"}`;
}

/** Row names: PyTorch with 1 or 2 threads. */
export function pytorchName(threads: number): string {
  return `pytorch (${threadsText(threads)})`;
}

/** The path of a script in tools/bench/torch. */
export function torchScript(name: string): string {
  return fileURLToPath(new URL(`../torch/${name}`, import.meta.url));
}

/**
 * The environment of a PyTorch run with `threads` threads: torch's intra-op threads (THREADS, read
 * by torch/common.py), OpenMP's and OpenBLAS's. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are left
 * out: some machines set them to steer old OpenBLAS builds, and they slow a current one (the BLAS
 * line each script prints names the kernel that runs). With more than one thread, OpenMP waits
 * passively (OMP_WAIT_POLICY=PASSIVE, unless the environment sets it): its default spin-waiting made
 * the two-thread book run 10-25x slower than one thread on a 2-core machine shared with other jobs.
 */
export function torchEnv(threads: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const n = String(threads);
  if (threads > 1) env.OMP_WAIT_POLICY ??= "PASSIVE";
  return { ...env, THREADS: n, OPENBLAS_NUM_THREADS: n, OMP_NUM_THREADS: n, MKL_NUM_THREADS: n };
}

let found: { python: string } | { missing: string } | undefined;

/**
 * The python that can import torch: `python3` on PATH, else Debian's /usr/bin/python3 (where
 * `apt-get install python3-torch` puts it, when PATH's python3 is another installation); or why
 * there is none.
 */
export function torchPython(): { python: string } | { missing: string } {
  if (found !== undefined) return found;
  const reasons: string[] = [];
  for (const python of ["python3", "/usr/bin/python3"]) {
    // Not from tools/bench, whose torch/ folder `python -c` would import as a namespace package.
    const r = spawnSync(python, ["-c", "import torch.nn"], { encoding: "utf8", cwd: tmpdir() });
    if (r.error) reasons.push(`${python} is not available (${r.error.message})`);
    else if (r.status !== 0) reasons.push(`${python} has no torch module`);
    else {
      found = { python };
      return found;
    }
  }
  found = { missing: `${reasons.join("; ")} (apt-get install python3-torch libopenblas0-pthread)` };
  return found;
}

/**
 * Runs tools/bench/torch/<script> with `threads` threads; its JSON output, or null with a line on
 * stderr (prefixed by `who`) saying why there is no PyTorch row.
 */
export function runTorch<T>(
  who: string,
  script: string,
  args: readonly string[],
  threads: number,
  input?: string,
): (T & { torch: string; blas: string }) | null {
  const py = torchPython();
  if ("missing" in py) {
    console.error(`${who}: no PyTorch rows: ${py.missing}`);
    return null;
  }
  const r: SpawnSyncReturns<string> = spawnSync(py.python, [torchScript(script), ...args], {
    encoding: "utf8",
    env: torchEnv(threads),
    maxBuffer: 1 << 24,
    ...(input === undefined ? {} : { input }),
  });
  if (r.status !== 0) {
    console.error(`${who}: no PyTorch rows: torch/${script} failed (exit status ${r.status}):\n${r.stderr}`);
    return null;
  }
  const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
  return JSON.parse(line ?? "") as T & { torch: string; blas: string };
}

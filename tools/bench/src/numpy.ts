// NumPy rows: tools/bench/numpy/*.py run by python3 with one OpenBLAS thread, when python3 with numpy
// is on the machine. Each returns null (after printing a line saying why) when it cannot run.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { defaultMnistDir } from "@bp/data";
import type { MatmulCase } from "./target.js";

function mnistImagesFile(): string {
  return join(defaultMnistDir(), "train-images-idx3-ubyte");
}

/** The cases as the matmul scripts read them on stdin: MNIST cases carry the training-images file,
 * which the script reads itself. */
export function matmulCasesJson(cases: readonly MatmulCase[]): string {
  return JSON.stringify(cases.map((c) => (c.mnistA ? { ...c, mnist: mnistImagesFile() } : c)));
}

/** The environment for one BLAS thread (OpenBLAS, and the other BLAS NumPy may be built with). */
export function oneBlasThread(): NodeJS.ProcessEnv {
  return { ...process.env, OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
}

/** The path of a script in tools/bench/numpy. */
export function numpyScript(name: string): string {
  return fileURLToPath(new URL(`../numpy/${name}`, import.meta.url));
}

/** Why NumPy cannot run here (no python3, or no numpy module), or null when it can. */
export function numpyMissing(): string | null {
  const r = spawnSync("python3", ["-c", "import numpy"], { encoding: "utf8" });
  if (r.error) return `python3 is not available (${r.error.message})`;
  if (r.status !== 0) return "python3 has no numpy module";
  return null;
}

export interface NumpyMatmulRow {
  case: number;
  dtype: "float32" | "float64";
  bestMs: number;
}

/** Best times of NumPy's `@` on each case and dtype, one BLAS thread; null when NumPy is missing. */
export function numpyMatmul(
  cases: readonly MatmulCase[],
  minMs: number,
): { version: string; rows: NumpyMatmulRow[] } | null {
  const missing = numpyMissing();
  if (missing !== null) {
    console.error(`bench: no NumPy rows: ${missing}`);
    return null;
  }
  const r = spawnSync("python3", [numpyScript("matmul.py"), String(minMs)], {
    input: matmulCasesJson(cases),
    encoding: "utf8",
    env: oneBlasThread(),
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) {
    console.error(`bench: no NumPy rows: numpy/matmul.py failed (exit status ${r.status}):\n${r.stderr}`);
    return null;
  }
  const out = JSON.parse(r.stdout) as { numpy: string; rows: NumpyMatmulRow[] };
  return { version: out.numpy, rows: out.rows };
}

// The Deno Jupyter kernel of this checkout: a kernelspec under node_modules/.jupyter (put first on
// JUPYTER_PATH by notebooks.mjs) that starts node_modules/.bin/deno, so executing the notebooks
// needs no kernel installed for the user. (To open the notebooks in JupyterLab or VS Code, install
// the kernel for your user once with `pnpm exec deno jupyter --install`.)
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./workspace-env.mjs";

/** Debian's Jupyter (python3-nbclient, jupyter-nbconvert), run by Debian's /usr/bin/python3. */
export const JUPYTER = "/usr/bin/jupyter";

/** The Debian packages that execute notebooks. */
export const JUPYTER_PACKAGES = ["python3-nbclient", "python3-nbformat", "jupyter-client", "jupyter-nbconvert"];

/** The JUPYTER_PATH entry holding this checkout's kernelspec. */
export function jupyterPath() {
  return join(root, "node_modules", ".jupyter");
}

/** Writes (or rewrites when it changed) kernels/deno/kernel.json under `jupyterPath()`. */
export function writeDenoKernelspec() {
  const dir = join(jupyterPath(), "kernels", "deno");
  const file = join(dir, "kernel.json");
  const spec = `${JSON.stringify(
    {
      argv: [join(root, "node_modules", ".bin", "deno"), "jupyter", "--kernel", "--conn", "{connection_file}"],
      display_name: "Deno",
      language: "typescript",
    },
    null,
    2,
  )}\n`;
  let old = null;
  try {
    old = readFileSync(file, "utf8");
  } catch {}
  if (old === spec) return false;
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, spec);
  return true;
}

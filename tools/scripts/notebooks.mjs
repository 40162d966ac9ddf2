#!/usr/bin/env node
// `pnpm notebooks`: executes every notebook of docs/notebooks top to bottom in a fresh Deno kernel
// (Debian's `jupyter nbconvert --execute`, which stops at the first cell error), then checks the
// book's values in the executed outputs (notebook-checks.mjs). Without options the executed
// notebooks replace the committed ones (so the committed outputs are the executed ones); with
// `--out DIR` (what `npm test` uses) they go to DIR and the committed files are left alone.
// Notebook names as arguments (`ch05.ipynb`) execute only those. Prints one line per notebook and per check, each notebook's run time, and a JSON summary
// {passed, failed} on the last line. Before executing, every notebook's code cells, joined into one
// module, are type-checked with tsc (Deno's kernel runs TypeScript without checking it). Needs `node tools/scripts/setup.mjs --notebooks` first.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { checkNotebook } from "./notebook-checks.mjs";
import { jupyterPath, JUPYTER } from "./notebook-kernel.mjs";
import { typecheckModules } from "./typecheck-snippets.mjs";
import { root } from "./workspace-env.mjs";

const args = process.argv.slice(2);
const outIndex = args.indexOf("--out");
const outDir = outIndex === -1 ? null : resolve(args[outIndex + 1] ?? ".tmp/notebooks");
const notebooksDir = join(root, "docs", "notebooks");
const only = args.filter((a, i) => a.endsWith(".ipynb") && (outIndex === -1 || i !== outIndex + 1));
const names = readdirSync(notebooksDir)
  .filter((f) => f.endsWith(".ipynb"))
  .filter((f) => only.length === 0 || only.some((o) => o.endsWith(f)))
  .sort();

if (!existsSync(JUPYTER)) {
  console.log(`FAIL ${JUPYTER} is missing: run \`node tools/scripts/setup.mjs --notebooks\` first`);
  console.log(JSON.stringify({ passed: 0, failed: 1 }));
  process.exit(1);
}
if (outDir) mkdirSync(outDir, { recursive: true });

let passed = 0;
let failed = 0;

// The type-check: each notebook's code cells as one module, with the one Deno API they use declared.
{
  const DENO =
    "declare const Deno: { jupyter: { display(data: Record<string, string>, options?: { raw?: boolean }): Promise<void> } };";
  const modules = names.map((name) => {
    const nb = JSON.parse(readFileSync(join(notebooksDir, name), "utf8"));
    const code = nb.cells
      .filter((c) => c.cell_type === "code")
      .map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source));
    const file = join(root, "docs", `.guide-${process.pid}-${name.replace(/\.ipynb$/, "")}.mts`);
    writeFileSync(file, `${DENO}\n${code.join("\n")}\nexport {};\n`);
    return file;
  });
  const r = typecheckModules(modules);
  for (const file of modules) rmSync(file, { force: true });
  console.log(
    r.ok
      ? `ok   ${names.join(", ")}: code cells type-check (tsc, strict)`
      : `FAIL notebooks: tsc found type errors\n${r.output}`,
  );
  if (r.ok) passed++;
  else failed++;
}

// Deno's kernel (2.9.6) can publish a cell's output after it reported the cell done (status idle),
// and nbclient stops reading at idle, so that output is lost (README.md). A code cell that writes
// with console.* but came back without a stream output, or with fewer figures than it has calls of
// Deno.jupyter.display and the notebooks' show*, lost output: such a notebook is executed
// again, said so in a `retry` line, up to ATTEMPTS executions in all. Only that is retried; an
// error output, a failed nbconvert or a wrong value fails at once.
const ATTEMPTS = 3;

/** The indexes of the code cells that wrote or displayed something that did not come back. */
function cellsThatLostOutput(nb) {
  return nb.cells.flatMap((c, i) => {
    if (c.cell_type !== "code") return [];
    const code = Array.isArray(c.source) ? c.source.join("") : c.source;
    const streams = (c.outputs ?? []).filter((o) => o.output_type === "stream").length;
    const figures = (c.outputs ?? []).filter((o) => o.output_type === "display_data").length;
    const logs = /\bconsole\.\w+\(/.test(code);
    // The first cell defines show* (and calls nothing); every other call of it displays a figure
    // (none is conditional), so a cell shows at least as many figures as it has calls.
    const calls = /\bfunction show\w*\(/.test(code)
      ? 0
      : (code.match(/\bDeno\.jupyter\.display\(|\bshow\w*\(/g) ?? []).length;
    return (logs && streams === 0) || figures < calls ? [i] : [];
  });
}

for (const name of names) {
  const source = join(notebooksDir, name);
  const target = outDir ? join(outDir, name) : source;
  let r;
  let seconds;
  let nb;
  for (let attempt = 1; ; attempt++) {
    const t0 = Date.now();
    r = spawnSync(
      JUPYTER,
      [
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--ExecutePreprocessor.timeout=600",
        "--ExecutePreprocessor.kernel_name=deno",
        ...(outDir ? ["--output-dir", outDir] : ["--inplace"]),
        source,
      ],
      {
        cwd: notebooksDir,
        encoding: "utf8",
        env: { ...process.env, JUPYTER_PATH: jupyterPath(), NO_COLOR: "1" },
        maxBuffer: 1 << 26,
      },
    );
    seconds = ((Date.now() - t0) / 1000).toFixed(0);
    if (r.status !== 0) break;
    nb = JSON.parse(readFileSync(target, "utf8"));
    const lost = cellsThatLostOutput(nb);
    if (lost.length === 0 || attempt === ATTEMPTS) break;
    console.log(
      `retry ${name}: cells ${lost.join(", ")} came back without their output after ${seconds} s (Deno's kernel sent it after reporting the cell done); executing again (attempt ${attempt + 1} of ${ATTEMPTS})`,
    );
  }
  if (r.status !== 0) {
    console.log(
      `FAIL ${name}: nbconvert exited with ${r.status ?? r.signal} after ${seconds} s\n${(r.stderr ?? "").trim()}`,
    );
    failed++;
    continue;
  }
  console.log(`ok   ${name}: executed in ${seconds} s -> ${relative(root, target)}`);
  passed++;
  for (const c of checkNotebook(name, nb)) {
    console.log(`${c.ok ? "ok  " : "FAIL"} ${name}: ${c.what}${c.ok ? "" : ` (${c.detail})`}`);
    if (c.ok) passed++;
    else failed++;
  }
}
console.log(JSON.stringify({ passed, failed }));
process.exitCode = failed > 0 ? 1 : 0;

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = join(dirname(fileURLToPath(import.meta.url)), "..", "src");

/** The relative modules a source file imports, and its other import specifiers. */
function imports(file: string): { local: string[]; external: string[] } {
  const text = readFileSync(join(src, file), "utf8");
  const specs = [...text.matchAll(/(?:import|export)[^"']*?from\s*["']([^"']+)["']/g)].map((m) => m[1]!);
  return {
    local: specs.filter((s) => s.startsWith("./")).map((s) => s.slice(2).replace(/\.js$/, ".ts")),
    external: specs.filter((s) => !s.startsWith("./")),
  };
}

function closure(entry: string): { files: Set<string>; external: Set<string> } {
  const files = new Set<string>();
  const external = new Set<string>();
  const visit = (f: string): void => {
    if (files.has(f)) return;
    files.add(f);
    const { local, external: ext } = imports(f);
    for (const e of ext) external.add(e);
    local.forEach(visit);
  };
  visit(entry);
  return { files, external };
}

describe("entry points", () => {
  it("the browser entry (index.ts) imports nothing from node:", () => {
    const { files, external } = closure("index.ts");
    expect([...files].sort()).toEqual([
      "csv.ts",
      "errors.ts",
      "idx.ts",
      "index.ts",
      "minibatch.ts",
      "mnist.ts",
      "safetensors.ts",
    ]);
    expect([...external].sort()).toEqual(["@bp/tensor"]);
  });

  it("the node entry re-exports the browser entry and adds the file functions", async () => {
    const { external } = closure("node.ts");
    expect([...external].filter((e) => e.startsWith("node:")).sort()).toEqual([
      "node:fs",
      "node:module",
      "node:os",
      "node:path",
      "node:zlib",
    ]);
    const browser = await import("../src/index.js");
    const node = await import("../src/node.js");
    for (const name of Object.keys(browser)) expect(node).toHaveProperty(name);
    expect(
      Object.keys(node)
        .filter((k) => !(k in browser))
        .sort(),
    ).toEqual([
      "FILE_MAX_BYTES",
      "MNIST_FILE_NAMES",
      "checkSaveTarget",
      "defaultMnistDir",
      "gunzipIdx",
      "loadCsv",
      "loadMnist",
      "loadMnistTest",
      "loadSafetensors",
      "mnistFiles",
      "readFileBytes",
      "readIdxFile",
      "saveSafetensors",
      "writeFileAtomic",
    ]);
  });
});

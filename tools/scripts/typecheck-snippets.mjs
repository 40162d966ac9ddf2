// Type-checks code taken out of Markdown guides and notebooks: one tsc run over the given module
// files with the packages' own strictness (strict, noUncheckedIndexedAccess, NodeNext), against
// the built packages' .d.ts files that node_modules resolves to. Returns { ok, output }.
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "./workspace-env.mjs";

export function typecheckModules(files) {
  const dir = join(root, ".tmp");
  mkdirSync(dir, { recursive: true });
  const tsconfig = join(dir, `snippets-tsconfig-${process.pid}.json`);
  writeFileSync(
    tsconfig,
    JSON.stringify({
      compilerOptions: {
        target: "ES2023",
        lib: ["ES2023"],
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noUncheckedIndexedAccess: true,
        noEmit: true,
        skipLibCheck: true,
        types: ["node"],
        typeRoots: [join(root, "node_modules", "@types")],
      },
      files,
    }),
  );
  try {
    const r = spawnSync(join(root, "node_modules", ".bin", "tsc"), ["-p", tsconfig], { cwd: root, encoding: "utf8" });
    return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}`.trim() };
  } finally {
    rmSync(tsconfig, { force: true });
  }
}

// Builds this package (and, through project references, the packages it depends on) so that a
// test can run the built code with plain `node`.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export const packageDir = fileURLToPath(new URL("..", import.meta.url));

export function buildDist(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const r = spawnSync(process.execPath, [tsc, "-b", "tsconfig.build.json"], { cwd: packageDir, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tsc -b tsconfig.build.json failed in ${packageDir}:\n${r.stdout}${r.stderr}`);
}

/** Runs `node <script>` from the package folder, without the test runner's NODE_OPTIONS. */
export function runNode(script: string): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [script], { cwd: packageDir, encoding: "utf8", env, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

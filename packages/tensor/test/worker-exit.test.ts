// A Node process that used the worker backend exits by itself: after dispose(), and also when it
// forgets to dispose (the workers are unref'd). Each case runs in a fresh `node` process.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { randn } from "../src/index.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "bp-worker-exit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runScript(dispose: boolean): { status: number | null; signal: string | null; stdout: string; stderr: string } {
  const src = (p: string): string => JSON.stringify(pathToFileURL(join(packageDir, p)).href);
  const script = join(dir, `use-${dispose ? "dispose" : "forget"}.mts`);
  writeFileSync(
    script,
    [
      `import { randn } from ${src("src/index.ts")};`,
      `import { createWorkerBackend } from ${src("src/worker/node.ts")};`,
      `const backend = await createWorkerBackend({ threads: 3, split: "always" });`,
      `const x = randn([64, 64], { seed: 1, backend });`,
      `console.log(x.matmul(x).sum().item(), backend.stats.split);`,
      dispose ? `backend.dispose();` : ``,
    ].join("\n"),
  );
  // `--import tsx` lets Node run the TypeScript sources; cwd makes "tsx" resolvable.
  const r = spawnSync(process.execPath, ["--import", "tsx", script], {
    cwd: packageDir,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe("process exit", () => {
  // The sum of x @ x for randn([64, 64], seed 1), computed on the cpu backend in this process.
  const x = randn([64, 64], { seed: 1 });
  const expected = `${x.matmul(x).sum().item()} 1\n`; // one op split: the matmul (a full sum has one output)

  it("exits with status 0 after dispose()", () => {
    const r = runScript(true);
    expect(r.stderr).toBe("");
    expect({ status: r.status, signal: r.signal, stdout: r.stdout }).toEqual({
      status: 0,
      signal: null,
      stdout: expected,
    });
  });

  it("exits with status 0 even without dispose()", () => {
    const r = runScript(false);
    expect(r.stderr).toBe("");
    expect({ status: r.status, signal: r.signal, stdout: r.stdout }).toEqual({
      status: 0,
      signal: null,
      stdout: expected,
    });
  });
});

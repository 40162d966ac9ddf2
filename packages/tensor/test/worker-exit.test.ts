// A Node process that used the worker backend exits by itself: after dispose(), and also when it
// forgets to dispose (the workers are unref'd). Each case runs in a fresh `node` process.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { randn } from "../src/index.js";
import { workerExecArgv } from "../src/worker/node-thread-host.js";

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
      `import { splitEveryOp } from ${src("src/worker/internals.ts")};`,
      `const backend = splitEveryOp(await createWorkerBackend({ threads: 3 }));`,
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

describe("flags of the main process (issue 20, item 13)", () => {
  // The built package (dist/, as `npm test` builds it first): its workers start from a file, which
  // Node refuses with --input-type (from the sources they start from a string, which takes it).
  it("a worker backend of the built package starts from `node --input-type=module -e`", () => {
    const built = (p: string): string => JSON.stringify(pathToFileURL(join(packageDir, p)).href);
    const code = [
      `import { randn } from ${built("dist/index.js")};`,
      `import { createWorkerBackend } from ${built("dist/worker/node.js")};`,
      `const backend = await createWorkerBackend({ threads: 2 });`,
      `const x = randn([64, 64], { seed: 1, backend });`,
      `console.log(x.exp().sum().item(), backend.stats.split);`,
      `backend.dispose();`,
    ].join("\n");
    // --trace-gc too (book-run passes it): a V8 flag a worker's explicit execArgv may not hold.
    const r = spawnSync(process.execPath, ["--trace-gc", "--input-type=module", "-e", code], {
      cwd: packageDir,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.stderr).toBe("");
    const stdout = r.stdout.split("\n").filter((l) => !l.startsWith("[")); // --trace-gc lines
    // exp of 4096 elements splits (a libm call per element): the worker computed part of it.
    expect({ status: r.status, stdout }).toEqual({
      status: 0,
      stdout: [`${randn([64, 64], { seed: 1 }).exp().sum().item()} 1`, ""],
    });
  });

  it("keeps loaders, conditions and experimental flags; drops how the main script was given", () => {
    expect(
      workerExecArgv([
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        "code",
        "--conditions=@bp/source",
        "--input-type",
        "commonjs",
        "--eval",
        "more code",
        "-p",
        "1",
        "--experimental-wasm-relaxed-simd",
        "--test",
        "--test-reporter=dot",
        "--watch",
        "--max-old-space-size=4096",
      ]),
    ).toEqual([
      "--import",
      "tsx",
      "--conditions=@bp/source",
      "--experimental-wasm-relaxed-simd",
      "--max-old-space-size=4096",
    ]);
  });
});

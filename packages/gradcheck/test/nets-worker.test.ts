// TwoLayerNet on the worker-threaded backend: the same model code, the same results.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng, rand, tensor } from "@bp/tensor";
import { createWorkerBackend, type WorkerBackend } from "@bp/tensor/worker";
import { checkNet, compareBackends, formatReport } from "@bp/gradcheck";
import { SGD, TwoLayerNet } from "@bp/nets";

let worker: WorkerBackend;
beforeAll(async () => {
  worker = await createWorkerBackend({ threads: 2 });
}, 60_000);
afterAll(() => worker.dispose());

describe("TwoLayerNet on the worker backend", () => {
  const rng = new Rng(12);
  const x = rand([64, 784], { rng });
  const t = tensor(Array.from(rng.choice(10, 64)), { dtype: "int32" });

  it("net.to(worker) gives bitwise the same outputs, loss and gradients as on cpu", () => {
    const net = new TwoLayerNet(784, 50, 10, { seed: 3, weightInitStd: 0.1 });
    const report = compareBackends(net, worker, x, t);
    expect(report.title).toBe("compareBackends(cpu vs worker)");
    for (const c of Object.values(report.comparisons)) expect(c.maxAbsDiff, c.name).toBe(0);
  });

  it("a net built on the worker with the same seed has the same weights, and trains the same", () => {
    const onCpu = new TwoLayerNet(784, 20, 10, { seed: 5 });
    const onWorker = new TwoLayerNet(784, 20, 10, { seed: 5, backend: worker });
    expect(Array.from(onWorker.params.W1.data)).toEqual(Array.from(onCpu.params.W1.data));
    const xw = x.to(worker);
    const tw = t.to(worker);
    for (let step = 0; step < 5; step++) {
      new SGD({ lr: 0.1 }).update(onCpu.params, onCpu.gradient(x, t));
      new SGD({ lr: 0.1 }).update(onWorker.params, onWorker.gradient(xw, tw));
    }
    expect(onWorker.loss(xw, tw)).toBe(onCpu.loss(x, t));
    expect(Array.from(onWorker.params.W2.data)).toEqual(Array.from(onCpu.params.W2.data));
  });

  it("the numerical gradient check passes on the worker (parameters perturbed in shared memory)", () => {
    const net = new TwoLayerNet(12, 5, 3, { seed: 1, weightInitStd: 0.5, backend: worker });
    const xs = rand([4, 12], { seed: 2, backend: worker });
    const ts = tensor([0, 2, 1, 2], { dtype: "int32", backend: worker });
    const report = checkNet(net, xs, ts);
    expect(report.passed, formatReport(report)).toBe(true);
  });
});

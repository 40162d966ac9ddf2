// The training worker's gradient check: the book's numerical-versus-backprop comparison
// (@bp/gradcheck's checkNet) of the Train view's net on the first few training images, on cpu.
import { checkNet } from "@bp/gradcheck";
import { cpu, tensor } from "@bp/tensor";
import { t as tr } from "./i18n/index.js";
import type { GradCheckRequest } from "./messages.js";
import { buildNet, netTitle } from "./net-factory.js";
import { firstTrainRows } from "./train-data.js";
import { post } from "./train-scope.js";

export async function gradCheck(req: GradCheckRequest): Promise<void> {
  const t0 = performance.now();
  // The first images straight from the IDX bytes (normalized as mnistFromIdx does), on cpu: the
  // check neither builds the whole set nor touches the data and backend a training run is using.
  const n = req.samples;
  const { pixels, labels } = await firstTrainRows(n);
  post({ type: "status", text: tr("worker.gradcheck", { net: netTitle(req.config), n }) });
  const x = tensor(
    Float64Array.from(pixels, (v) => v / 255),
    { shape: [n, 784], dtype: req.config.dtype },
  );
  const t = tensor(Int32Array.from(labels), { dtype: "int32" });
  const net = buildNet(req.config, cpu);
  const report = checkNet(net, x, t);
  post({
    type: "gradcheck",
    passed: report.passed,
    seconds: (performance.now() - t0) / 1000,
    rows: Object.values(report.comparisons).map((c) => ({
      name: c.name,
      shape: [...c.shape],
      meanAbsDiff: c.meanAbsDiff,
      maxAbsDiff: c.maxAbsDiff,
      maxRelError: c.maxRelError,
      failures: c.failures,
      passed: c.passed,
    })),
  });
}

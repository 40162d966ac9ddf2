// A short training of a small two-layer net (affine-relu-affine-softmax with cross-entropy, plain
// SGD), written with the Tensor API only, so the browser test can run it on any backend. Shared by
// the page (cpu backend) and the dedicated Worker (worker backend) in worker.browser.ts.
import { Rng, randn, tensor, type Backend, type Tensor } from "../src/index.js";

export interface TrainingResult {
  losses: number[];
  weights: Record<"W1" | "b1" | "W2" | "b2", Float64Array>;
}

export function trainTinyNet(backend: Backend, iterations = 40): TrainingResult {
  const rng = new Rng(42);
  const inputSize = 64;
  const hidden = 32;
  const classes = 10;
  const batch = 50;
  // Data: 200 samples; the label is the argmax of a fixed random projection of the input.
  const data = randn([200, inputSize], { rng, backend });
  const labels = data.matmul(randn([inputSize, classes], { rng, backend })).argmax(1);
  let W1 = randn([inputSize, hidden], { rng, std: 0.1, backend });
  let b1 = tensor(new Float64Array(hidden), { backend });
  let W2 = randn([hidden, classes], { rng, std: 0.1, backend });
  let b2 = tensor(new Float64Array(classes), { backend });
  const lr = 0.1;
  const losses: number[] = [];
  for (let it = 0; it < iterations; it++) {
    const idx = rng.choice(200, batch);
    const x = data.gather(idx);
    const t = labels.gather(idx).oneHot(classes);
    // forward
    const a1 = x.matmul(W1).add(b1);
    const z1 = a1.relu();
    const a2 = z1.matmul(W2).add(b2);
    const e = a2.sub(a2.max(1, true)).exp();
    const y = e.div(e.sum(1, true));
    losses.push(t.mul(y.add(1e-7).log()).sum().neg().div(batch).item());
    // backward
    const da2 = y.sub(t).div(batch);
    const dW2 = z1.matmul(da2, { transposeA: true });
    const db2 = da2.sum(0);
    const dz1 = da2.matmul(W2, { transposeB: true });
    const da1 = dz1.mul(a1.step());
    const dW1 = x.matmul(da1, { transposeA: true });
    const db1 = da1.sum(0);
    // SGD
    W1 = W1.sub(dW1.mul(lr));
    b1 = b1.sub(db1.mul(lr));
    W2 = W2.sub(dW2.mul(lr));
    b2 = b2.sub(db2.mul(lr));
  }
  const copy = (w: Tensor): Float64Array => Float64Array.from(w.data);
  return { losses, weights: { W1: copy(W1), b1: copy(b1), W2: copy(W2), b2: copy(b2) } };
}

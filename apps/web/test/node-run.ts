// The Train view's run in Node, as the worker sets it up: TwoLayerNet 784-50-10 with weights from
// Rng(seed), the library's Trainer with SGD lr 0.1 and minibatches of 100 drawn from the first
// `trainSize` images; the test set is the first `testSize` images.
import { loadMnist } from "@bp/data";
import { firstRows, Trainer, TwoLayerNet } from "@bp/nets";

export interface NodeRunSize {
  iterations: number;
  trainSize: number;
  testSize: number;
}

export function nodeTrainer(run: NodeRunSize, seed: number) {
  const all = loadMnist({});
  const net = new TwoLayerNet(784, 50, 10, { seed });
  const data = {
    xTrain: firstRows(all.xTrain, run.trainSize),
    tTrain: firstRows(all.tTrain, run.trainSize),
    xTest: firstRows(all.xTest, run.testSize),
    tTest: firstRows(all.tTest, run.testSize),
  };
  const trainer = new Trainer(net, data, {
    miniBatchSize: 100,
    iterations: run.iterations,
    optimizer: "sgd",
    optimizerParams: { lr: 0.1 },
    seed,
    sampling: "choice",
  });
  return { all, data, net, trainer };
}

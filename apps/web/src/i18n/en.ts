// The page's English texts: the source of the keys (ko.ts, ja.ts and zh-Hans.ts are typed
// against it, so a missing or extra key fails the type-check). `{name}` is a parameter; text
// between backticks is code. The book's names (Affine1, params.W1, dW1, shapes, op names) stay as
// they are in every language, as the book's translations keep them.
export const en = {
  // ---- the shell (index.html, main.ts) ----
  "app.name": "bp: see backpropagation",
  "app.lede":
    "The book Deep Learning from Scratch, chapters 5 to 7, running in your browser: the same `@bp` packages as the `bp` command.",
  "app.skip": "Skip to the view",
  "app.docTitle": "{view} · bp: see backpropagation",
  "app.views": "Views",
  "app.language": "Language",
  "view.graph": "Graph",
  "view.netgraph": "Net graph",
  "view.layers": "Layers",
  "view.train": "Train",
  "view.predict": "Predict",
  "view.gradcheck": "Gradient check",
  "view.playground": "Playground",
  "diag.summary": "Diagnostics",
  "diag.fps": "Frames per second of the page",
  "diag.fpsNote": "(training runs in a Worker, so this stays near the display's rate)",
  "diag.paint": "First paint",
  "diag.paintMs": "{ms} ms after navigation",
  "diag.isolated": "Cross-origin isolated",
  "diag.isolatedYes": "yes (SharedArrayBuffer available)",
  "diag.isolatedNo":
    "no: the server did not send Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, so the worker backend is disabled",
  "diag.backends": "Backends",
  "diag.backend": ": {state}, {reason}",
  "diag.available": "available",
  "diag.unavailable": "unavailable",
  "backend.cpu": "pure TypeScript in the training Worker; always available",
  "backend.wasm": "matrix products in WebAssembly SIMD; the same numbers as cpu, bit for bit",
  "backend.wasmShort": "no WebAssembly SIMD",
  "backend.wasmMissing": "unavailable: {why}",
  "backend.worker": "splits matrix products between Workers over shared memory; the same numbers as cpu, bit for bit",
  "backend.workerShort": "page not cross-origin isolated",
  "backend.workerMissing":
    "unavailable: needs SharedArrayBuffer, which needs a cross-origin isolated page (headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)",
  "backend.auto":
    "the library's choice of the fastest backend that works here ({pick} in this browser); the same numbers whichever it picks",

  // ---- shared by the stepped graphs ----
  "step.step": "Step",
  "step.back": "Back",
  "step.runAll": "Run all",
  "step.reset": "Reset",
  "step.forward": "Step forward",
  "step.backward": "Step backward",
  "step.ready": "Ready: {total} steps, {n} forward then {n} backward.",
  "step.of": "Step {pos} of {total}: {text}",
  "common.percent": "{p} %",

  // ---- Graph (views/graph.ts, graph-model.ts) ----
  "graph.title": "Computational graph",
  "graph.intro":
    "Backpropagation on the book's shopping example (section 5.4). Each circle is a real `MulLayer` or `AddLayer` from @bp/layers. Step forward through the nodes, then backward from d price / d price = 1: each node multiplies the gradient it receives by its local derivative. Values are JavaScript's exact float64 results.",
  "graph.choice": "Graph",
  "graph.inputs": "Inputs",
  "graph.caption":
    "Each value's name and forward value above its edge (black); the backward arrow and d price / d value below it (red). Above each node its local rule: a product sends dout times the other input back to each input (d·b to a, d·a to b), a sum sends dout back unchanged.",
  "graph.narrow": " The figure is wider than this screen: swipe it sideways to see the rest.",
  "graph.log": "What each step did",
  "graph.notNumber": '{name} must be a number, got "{value}"',
  "graph.tableCaption": "Every value of the graph and its gradient (the figure as a table)",
  "graph.colValue": "value",
  "graph.colForward": "forward",
  "graph.colBackward": "d price / d value",
  "graph.fruits": "Apples and oranges (figures 5-16 and 5-17)",
  "graph.apples": "Two apples (figures 5-14 and 5-15)",
  "graph.apple": "apple",
  "graph.appleNum": "apple count",
  "graph.orange": "orange",
  "graph.orangeNum": "orange count",
  "graph.tax": "tax",
  "graph.applePrice": "apple price",
  "graph.orangePrice": "orange price",
  "graph.sumPrice": "apple + orange price",
  "graph.price": "price",
  "graph.ruleMul": "a product's inputs swap: d({la}) = dout × {b} = {da}, d({lb}) = dout × {a} = {db}",
  "graph.ruleAdd": "a sum passes dout on unchanged: d({la}) = {da}, d({lb}) = {db}",

  // ---- Net graph (views/net-graph.ts, net-graph-stages.ts) ----
  "net.title": "TwoLayerNet's graph",
  "net.intro":
    "The layers of a real TwoLayerNet (784-50-10, its initial weights from the seed) on a minibatch of MNIST test images, stepped like the apples graph: Affine1 → Relu1 → Affine2 → SoftmaxWithLoss, then backward from dL/dL = 1 to dW1, db1, dW2 and db2. Every tensor is a heat map, one row per image (red positive, blue negative, white 0, each map scaled by its largest |value|): its forward value above, the gradient of the loss with respect to it below.",
  "net.n": "Images N (1 to 8)",
  "net.from": "From test image",
  "net.seed": "Seed of W1, W2",
  "net.loading": "Loading the MNIST test images…",
  "net.loadFailed": "Could not load the MNIST test images: {error}",
  "net.labels": "Labels t of the {n} images: {list}",
  "net.step1": "Affine1.forward: a1 = x · W1 + b1, (N×784)·(784×50) + 50 → N×50; Affine1 keeps x.",
  "net.step2": "Relu1.forward: z1 = max(0, a1); Relu1 keeps the mask of where a1 > 0.",
  "net.step3": "Affine2.forward: a2 = z1 · W2 + b2, (N×50)·(50×10) + 10 → N×10; Affine2 keeps z1.",
  "net.step4": "SoftmaxWithLoss.forward: y = softmax(a2), L = the mean cross-entropy of y and the labels t.",
  "net.step5": "SoftmaxWithLoss.backward(1): dL/da2 = (y − t) / N.",
  "net.step6": "Affine2.backward: dW2 = z1ᵀ · dL/da2, db2 = the column sums of dL/da2, dL/dz1 = dL/da2 · W2ᵀ.",
  "net.step7": "Relu1.backward: dL/da1 = dL/dz1 where the mask is set, 0 elsewhere.",
  "net.step8": "Affine1.backward: dW1 = xᵀ · dL/da1, db1 = the column sums of dL/da1, dL/dx = dL/da1 · W1ᵀ.",
  "net.noDx": "not computed: the net's Affine1 skips dx (computeDx off), since nothing uses it",
  "net.affine1Keeps": "keeps x for backward; a1 = x · W1 + b1",
  "net.dW1": "dW1 (each hidden unit's 784 weights as 28×28)",
  "net.relu1Keeps":
    "keeps its mask (where a1 > 0) for backward; z1 = max(0, a1), dL/da1 = dL/dz1 where the mask is set, else 0",
  "net.mask": "mask",
  "net.affine2Keeps": "keeps z1 for backward; a2 = z1 · W2 + b2",
  "net.scores": "a2 (scores)",
  "net.softmaxKeeps": "keeps y = softmax(a2) and the labels t; dL/da2 = (y − t) / N",
  "net.y": "y (0 white … 1 red)",
  "net.lossNone": "loss: –",
  "net.loss": "loss L = {loss}",

  // ---- Layers (views/layers.ts, layer-rules.ts, matrix-text.ts) ----
  "layers.title": "Layers",
  "layers.intro":
    "Each layer of chapter 5 does two things: forward computes its output and keeps what backward will need; backward takes the gradient of the loss with respect to that output (dout) and returns the gradient with respect to its input (dx). Edit the numbers: rows separated by ; and values by commas.",
  "layers.layer": "Layer",
  "layers.x": "x (rows; values)",
  "layers.forward": "Forward: ",
  "layers.backward": "Backward: ",
  "layers.kept": "kept for backward: {name} ({shape})",
  "layers.mask": "mask: 1 where x > 0, else 0",
  "layers.db": "db = dout summed over rows",
  "layers.doutSame": "dout (same shape as x)",
  "layers.W": "W (columns of x × outputs)",
  "layers.b": "b (one row, one value per output)",
  "layers.doutAffine": "dout (rows of x × outputs)",
  "layers.t": "t (one class index per row)",
  "rule.Relu.forward": "out = x where x > 0, else 0.",
  "rule.Relu.backward":
    "dx = dout where x was > 0, else 0: the gradient flows through unchanged where the input was positive and is stopped where it was not (the layer keeps that mask from forward).",
  "rule.Sigmoid.forward": "out = 1 / (1 + exp(−x)).",
  "rule.Sigmoid.backward":
    "dx = dout × out × (1 − out): the derivative needs only the forward output, which the layer keeps.",
  "rule.Affine.forward": "out = x · W + b (b added to every row).",
  "rule.Affine.backward":
    "dx = dout · Wᵀ, dW = xᵀ · dout, db = dout summed over the rows: each input's gradient is the output gradient sent back through the same weights.",
  "rule.SoftmaxWithLoss.forward": "y = softmax(x) in each row; loss = the mean over rows of −log y[label].",
  "rule.SoftmaxWithLoss.backward":
    "dx = (y − t) / N with t the one-hot labels and N the rows: the prediction minus the truth, the neat result of pairing softmax with cross-entropy.",
  "matrix.empty": "{label} is empty: enter rows of numbers such as 1, -0.5; -2, 3.",
  "matrix.ragged": "{label}: row {row} has {count} values but row 1 has {cols}; every row needs the same count.",
  "matrix.notNumber": '{label}: "{value}" (row {row}, column {col}) is not a number.',
  "matrix.tooBig": "{label}: at most 8 × 8 here (got {rows} × {cols}).",

  // ---- Gradient check (views/gradcheck.ts) ----
  "gc.title": "Gradient check",
  "gc.intro":
    "Backpropagation is fast but easy to get wrong; the numerical gradient, (L(w + h) − L(w − h)) / 2h for every weight with h = 1e-4, is slow but simple. The book's check compares the two on the first 3 training images: the mean differences should be tiny. Expect about 1e-10 to 1e-7 here, and relative errors near 1e-6: the loss is −log(y + 1e-7), and that 1e-7 is in the numerical gradient but not in the backward rule y − t. A wrong rule gives errors of 1e-3 or more. The net is the one set in the Train view (without Dropout).",
  "gc.run": "Run the check",
  "gc.conv":
    "{net} has about {k} thousand weights: checking each numerically (two forward passes of a convolution per weight) would take hours in a page. Choose TwoLayerNet, MultiLayerNet or MultiLayerNetExtend in the Train view to check them here.",
  "gc.net":
    "{net}, {dtype}, seed {seed}: {weights} weights, so {evals} loss evaluations on the first {n} training images.",
  "gc.bnSamples":
    " (10 rather than the book's 3: with BatchNorm, W1's numerical gradient on 3 nearly equal images is off by up to 0.03, because normalising them is far from linear over ±h.)",
  "gc.running": "Running in the worker (a few seconds per 10 000 weights)…",
  "gc.bnNote":
    "{names}: a relative error near 1 is expected here. Each of these biases is added just before a BatchNorm layer, which subtracts the minibatch mean: adding b to every row moves the mean by b too, so the bias cancels and the loss does not depend on it. Its true gradient is 0, and both numbers are round-off (the largest |backprop − numerical| is {max}); two round-off values differ by about their own size, so their relative error is about 1. The absolute differences are what count, and they pass.",
  "gc.caption":
    "Backprop against numerical gradients, per parameter (pass: every element within 1e-5 + 1e-3 × |numerical|)",
  "gc.colParam": "parameter",
  "gc.colShape": "shape",
  "gc.colMean": "mean |diff| (the book's figure)",
  "gc.colMax": "max |diff|",
  "gc.colRel": "max relative error",
  "gc.colResult": "result",
  "gc.pass": "pass",
  "gc.fail": "fail ({n} elements)",
  "gc.bnBias": " (a bias before BatchNorm: see below)",
  "gc.passed": "Every parameter passed ({s} s).",
  "gc.failed": "Some parameters failed ({s} s).",

  // ---- Playground (views/playground*.ts) ----
  "pg.title": "Playground",
  "pg.intro":
    "A small net learns to separate two classes of points in the plane (orange 0, blue 1; train points ringed white, test points black). The background is the net's P(blue) at each place; under it, what each hidden neuron outputs over the same square. The net is a real MultiLayerNet (MultiLayerNetExtend with BatchNorm or Dropout) of @bp/nets with 2 inputs and 2 classes, trained in minibatches by the chosen optimizer. Changing a setting starts again.",
  "pg.data": "Data",
  "pg.noise": "Noise",
  "pg.trainShare": "Train share",
  "pg.range": "{name} ({min} to {max})",
  "pg.hidden": "Hidden sizes",
  "pg.activation": "Activation",
  "pg.init": "Init",
  "pg.optimizer": "Optimizer",
  "pg.lr": "Learning rate",
  "pg.batch": "Batch",
  "pg.decay": "Weight decay",
  "pg.decayLabel": "Weight decay λ",
  "pg.dropout": "Dropout ratio",
  "pg.showTest": "Show test points",
  "pg.circles": "circles",
  "pg.xor": "xor",
  "pg.gaussians": "gaussians",
  "pg.spiral": "spiral",
  "pg.play": "Play",
  "pg.pause": "Pause",
  "pg.stepEpoch": "Step an epoch",
  "pg.boundary": "decision boundary and data points",
  "pg.stats":
    "Epoch {epoch} · {ms} ms per epoch · {eps} epochs/s · loss train {trainLoss}, test {testLoss} · accuracy train {trainAcc} %, test {testAcc} %",
  "pg.stopped": "Training stopped: {error}. Try a smaller learning rate.",
  "pg.training": "Training",
  "pg.badNumber": '{name} must be a number from {min} to {max}, got "{value}"',
  "pg.badInteger": '{name} must be an integer from {min} to {max}, got "{value}"',
  "pg.badHidden": 'Hidden sizes must be 1 to 6 integers from 1 to 16, separated by commas, got "{value}"',
  "pg.hiddenLayer": "hidden layer {l}",
  "pg.neuron": "layer {l}, neuron {u}",

  // ---- Predict: the pad and the test images (views/draw-pad.ts, test-gallery.ts) ----
  "pad.role": "drawing pad",
  "pad.label": "Drawing pad, 28 by 28 cells: draw one digit",
  "pad.help":
    "Draw with a mouse, pen or finger. With the keyboard: focus the pad, move its cursor with the arrow keys, paint with Space or Enter (Shift + arrow paints as it moves), clear with Delete. Or put a test image on the pad with the button under the chosen test image.",
  "pad.input": "Your drawing as the net sees it: 28×28 pixels",
  "pad.bars": "Class probabilities of your drawing",
  "pad.empty": "Draw a digit in the black square.",
  "pad.clear": "Clear",
  "pad.cursorAt": "Cursor at row {row}, column {col}.",
  "pad.paintedTo": "Painted to row {row}, column {col}.",
  "pad.painted": "Painted row {row}, column {col}.",
  "pad.cleared": "Pad cleared.",
  "pad.noModel": "No model yet: train one in the Train view, or load a file above.",
  "pad.says": "The net says {c} ({p} %).",
  "pad.like":
    "Like MNIST: the drawing's bounding box scaled to 20×20, its centre of mass moved to the centre of 28×28.",
  "pad.draw": "Draw a digit",
  "pad.sees": "What the net sees",
  "model.notMnist":
    "{file}: this {kind} does not map a 28×28 MNIST image to 10 class scores (a test image gave {shape}); was it trained on other data?",
  "lr.adaptiveTooLarge":
    "{name} moves every weight by about the learning rate at each step, so {lr} (weights start near 0.01) throws them far off and the net will probably not learn; the book's default is {suggested}.",
  "lr.tooLarge":
    "{name} with learning rate {lr} overshoots: the loss will probably grow or stay at chance; the book's default is {suggested}.",
  "lr.tooSmall":
    "{name} with learning rate {lr} moves the weights so little that a few thousand iterations will barely change the loss; the book's default is {suggested}.",
  "gal.title": "Test images",
  "gal.wrongOnly": "Misclassified only",
  "gal.prev": "Previous",
  "gal.next": "Next",
  "gal.chosenImage": "The chosen test image",
  "gal.chosenBars": "Class probabilities of the chosen test image",
  "gal.item": "#{i}: label {label}",
  "gal.itemPredicted": "#{i}: label {label}, predicted {pred}",
  "gal.loading": "Loading the test images…",
  "gal.needsModel": "Misclassified needs a model: showing all test images.",
  "gal.showing": "Showing {from}-{to} of {n} test images.",
  "gal.showingWrong": "Showing {from}-{to} of {n} misclassified test images.",
  "gal.chosen": "Test image #{i}: label {label}.",
  "gal.right": "Test image #{i}: label {label}, the net says {c} (right).",
  "gal.wrong": "Test image #{i}: label {label}, the net says {c} (wrong).",
} as const;

export type MessageKey = keyof typeof en;
/** A translation: every key of the English catalogue, none else. */
export type Catalogue = { readonly [K in MessageKey]: string };

// The values an executed notebook of docs/notebooks must show: the book's printed numbers (apples
// exact), gradient-check differences under a bound, accuracies above floors, and its figures.
// `checkNotebook(name, notebook)` returns [{ what, ok, detail }], one per check.

/** Every stream output and the number of SVG figures of an executed notebook. */
export function notebookOutputs(nb) {
  const text = [];
  let svgs = 0;
  let errors = 0;
  for (const cell of nb.cells ?? []) {
    for (const o of cell.outputs ?? []) {
      if (o.output_type === "stream") text.push(Array.isArray(o.text) ? o.text.join("") : o.text);
      if (o.output_type === "error") errors++;
      if (o.data?.["image/svg+xml"]) svgs++;
    }
  }
  return { text: text.join("\n"), svgs, errors };
}

/** The numbers after `label` on the first line that matches `re` (whose groups are the numbers). */
function numbers(text, re) {
  const m = re.exec(text);
  return m ? m.slice(1).map(Number) : null;
}

function check(what, ok, detail) {
  return { what, ok: Boolean(ok), detail };
}

/** `lines` must all occur, in order, in `text`. */
function hasLines(what, text, lines) {
  let from = 0;
  for (const line of lines) {
    const at = text.indexOf(`${line}\n`, from);
    if (at === -1) return check(what, false, `missing ${JSON.stringify(line)}`);
    from = at + line.length;
  }
  return check(what, true);
}

const CHECKS = {
  "ch05.ipynb"(text) {
    // The gradient-check table: param, shape, difference with the loss's 1e-7, without it.
    const grads = [...text.matchAll(/│\s*\d+ │ "(W1|b1|W2|b2)"\s*│ "[^"]*"\s*│ "([^"]+)"\s*│ "([^"]+)"/g)].map((m) => ({
      param: m[1],
      withDelta: Number(m[2]),
      exact: Number(m[3]),
    }));
    const epoch1 = numbers(text, /epoch 1: loss ([\d.]+), train acc ([\d.]+), test acc ([\d.]+)/);
    const final = numbers(text, /final: train accuracy ([\d.]+), test accuracy ([\d.]+)/);
    return [
      // buy_apple.py prints int(price), dapple, int(dapple_num), dtax.
      hasLines("apples (5.4.1): 220, 2.2, 110, 200 as the book prints", text, [
        "price: 220   (float64: 220.00000000000003)",
        "dApple: 2.2",
        "dApple_num: 110   (float64: 110.00000000000001)",
        "dTax: 200",
      ]),
      // buy_apple_orange.py prints int(price), ..., dorange as 3.3000000000000003.
      hasLines("apples and oranges (5.4.2): 715, 2.2, 110, 3.3000000000000003, 165, 650", text, [
        "price: 715",
        "dApple: 2.2",
        "dApple_num: 110",
        "dOrange: 3.3000000000000003",
        "dOrange_num: 165",
        "dTax: 650",
      ]),
      hasLines("Relu forward, mask and backward", text, [
        "forward: [[1,0],[0,3]]",
        "the book's mask (x <= 0), row-major: [false,true,true,false]",
        "backward(ones): [[1,0],[0,1]]",
      ]),
      // sigmoid(0) = 0.5, sigmoid'(0) = 0.25; sigmoid(1) = 0.731059, derivative 0.731059 * 0.268941 = 0.196612.
      hasLines("Sigmoid forward and backward", text, [
        "out: 0.268941 0.500000 0.731059",
        "backward(1): 0.196612 0.250000 0.196612",
      ]),
      hasLines("Affine and SoftmaxWithLoss shapes", text, [
        "X (2, 3) · W (3, 2) + B (2) = Y (2, 2)",
        "dX (2, 3)   dW (3, 2)   dB (2)",
      ]),
      hasLines("TwoLayerNet layer names and params", text, [
        "layers: Affine1 -> Relu1 -> Affine2 -> lastLayer: SoftmaxWithLoss",
        "params.W1: (784, 50)",
      ]),
      // With the cross-entropy's 1e-7 the numerical slope is off by about a millionth (NumPy on the
      // book's code: 4.6e-10 .. 1.4e-7); every difference stays under 1e-6.
      check(
        "gradient check with the loss's 1e-7: four parameters, each mean |backprop - numerical| < 1e-6",
        grads.length === 4 && grads.every((g) => g.withDelta < 1e-6),
        JSON.stringify(grads),
      ),
      // Without it, the book's printed orders: W1 2.2e-13, b1 9.7e-13, W2 8.4e-13, b2 1.2e-10, so
      // each must stay below the next power of ten (1e-12, 1e-11, 1e-11, 1e-9).
      check(
        "gradient check without the 1e-7: below the book's orders (W1 < 1e-12, b1 < 1e-11, W2 < 1e-11, b2 < 1e-9)",
        grads.length === 4 && grads.every((g) => g.exact < { W1: 1e-12, b1: 1e-11, W2: 1e-11, b2: 1e-9 }[g.param]),
        JSON.stringify(grads),
      ),
      // The README's first epoch of `bp train` (seed 0): train 0.9041, test 0.9074.
      check(
        "training epoch 1 is the README's: train acc 0.9041, test acc 0.9074",
        epoch1 && epoch1[1] === 0.9041 && epoch1[2] === 0.9074,
        JSON.stringify(epoch1),
      ),
      check("training after 5 epochs: test accuracy >= 0.94", final && final[1] >= 0.94, JSON.stringify(final)),
    ];
  },
  "ch06.ipynb"(text) {
    const ends = Object.fromEntries(
      [...text.matchAll(/(\w+)\s+after 30 steps: \((-?[\d.]+), (-?[\d.]+)\)/g)].map((m) => [
        m[1],
        [Number(m[2]), Number(m[3])],
      ]),
    );
    const mnist = Object.fromEntries(
      [...text.matchAll(/(\w+)\s+mean loss of the last 50 iterations ([\d.]+), test accuracy ([\d.]+)/g)].map((m) => [
        m[1],
        { loss: Number(m[2]), acc: Number(m[3]) },
      ]),
    );
    const bn = [
      ...text.matchAll(
        /std ([\d.]+)\s+(Batch Normalization|Normal \(without BatchNorm\))\s+train accuracy after 20 epochs ([\d.]+)/g,
      ),
    ];
    const bnBy = (scale, withBn) =>
      Number(bn.find((m) => m[1] === scale && m[2].startsWith(withBn ? "Batch" : "Normal"))?.[3]);
    const fit = Object.fromEntries(
      [
        ...text.matchAll(
          /(no regularization|weight decay 0\.1|Dropout 0\.2)\s+train ([\d.]+), test ([\d.]+) \(all 10000\), gap ([\d.]+)/g,
        ),
      ].map((m) => [m[1], { train: Number(m[2]), test: Number(m[3]), gap: Number(m[4]) }]),
    );
    return [
      check(
        "optimizer paths: all four end within 1 of the minimum (0, 0) after 30 steps",
        Object.keys(ends).length === 4 && Object.values(ends).every(([x, y]) => Math.hypot(x, y) < 1),
        JSON.stringify(ends),
      ),
      check(
        "MNIST comparison: AdaGrad and Adam end with a lower loss than SGD, every test accuracy >= 0.8",
        Object.keys(mnist).length === 4 &&
          mnist.Adam.loss < mnist.SGD.loss &&
          mnist.AdaGrad.loss < mnist.SGD.loss &&
          Object.values(mnist).every((r) => r.acc >= 0.8),
        JSON.stringify(mnist),
      ),
      check(
        "BatchNorm learns faster at each of the three weight scales",
        bn.length === 6 && ["1", "0.1", "0.01"].every((s) => bnBy(s, true) > bnBy(s, false)),
        bn.map((m) => `${m[1]} ${m[2]} ${m[3]}`).join("; "),
      ),
      check(
        "overfitting: without regularization train accuracy 1.0 and test < 0.8; weight decay and Dropout narrow the gap",
        fit["no regularization"]?.train === 1 &&
          fit["no regularization"].test < 0.8 &&
          fit["weight decay 0.1"]?.gap < fit["no regularization"].gap &&
          fit["Dropout 0.2"]?.gap < fit["no regularization"].gap,
        JSON.stringify(fit),
      ),
    ];
  },
  "ch07.ipynb"(text) {
    // The table: param, shape, difference with the loss's 1e-7, without it, without it at h = 1e-5.
    const grads = [...text.matchAll(/^(W\d|b\d)\s+\([\d, ]+\)\s+([\d.e+-]+)\s+([\d.e+-]+)\s+([\d.e+-]+)$/gm)].map(
      (m) => ({
        param: m[1],
        withDelta: Number(m[2]),
        exact: Number(m[3]),
        smallStep: Number(m[4]),
      }),
    );
    const final = numbers(text, /final: train accuracy ([\d.]+), test accuracy ([\d.]+)/);
    return [
      // The book's section 7.4.3: (9, 75) and (90, 75).
      hasLines("im2col shapes as the book prints", text, [
        "im2col(x1 (1,3,7,7), 5, 5) -> (9,75)",
        "im2col(x2 (10,3,7,7), 5, 5) -> (90,75)",
      ]),
      hasLines("Convolution and Pooling on a small image", text, [
        "Pooling forward (1,1,2,2):",
        "    0.2  1.3",
        "    1.3  1.3",
        "Convolution backward (1,1,6,6), dW (1,1,3,3), db [4]",
      ]),
      hasLines("SimpleConvNet layer names", text, [
        "layers: Conv1 -> Relu1 -> Pool1 -> Affine1 -> Relu2 -> Affine2 -> SoftmaxWithLoss",
      ]),
      check(
        "SimpleConvNet gradient check: six parameters, each mean |diff| < 1e-6 as the book computes it, < 1e-10 without the 1e-7 at h = 1e-5",
        grads.length === 6 && grads.every((g) => g.withDelta < 1e-6 && g.smallStep < 1e-10),
        JSON.stringify(grads),
      ),
      check(
        "short training: test accuracy >= 0.88 on 1000 test images",
        final && final[1] >= 0.88,
        JSON.stringify(final),
      ),
    ];
  },
};

/** Figures each notebook shows (SVG outputs). */
const FIGURES = { "ch05.ipynb": 3, "ch06.ipynb": 5, "ch07.ipynb": 5 };

export function checkNotebook(name, nb) {
  const { text, svgs, errors } = notebookOutputs(nb);
  const results = [check("no error outputs", errors === 0, `${errors} error outputs`)];
  if (FIGURES[name] !== undefined)
    results.push(check(`${FIGURES[name]} figures shown inline as SVG`, svgs === FIGURES[name], `${svgs} SVG outputs`));
  const specific = CHECKS[name];
  if (specific) results.push(...specific(text));
  else results.push(check("has checks", false, "no checks are written for this notebook in notebook-checks.mjs"));
  return results;
}

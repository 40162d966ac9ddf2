"""The book's chapter-5 training run in NumPy, for the NumPy row of `pnpm bench:book`.

The recipe of `bp train` and of the book's ch05/train_neuralnet.py: a 784-50-10 two-layer net
(Affine, ReLU, Affine, softmax with cross-entropy), weights 0.01 * standard normal, zero biases,
10 000 iterations of SGD (lr 0.1) on minibatches of 100 rows drawn with replacement, and after every
epoch (600 iterations) the accuracy on all 60 000 training and 10 000 test images. Written here from
that recipe (not the book's files), float64 like the book, or float32.

usage: python3 book_run.py MNIST_DIR [ITERS [float64|float32]]     (run with OPENBLAS_NUM_THREADS=1)
Prints one JSON line: seconds of training, final train/test accuracy, peak RSS in kB, NumPy version.
"""

import json
import resource
import sys
import time

import numpy as np


def read_idx(path):
    with open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(folder, dtype):
    def images(name):
        return (read_idx(f"{folder}/{name}").reshape(-1, 784).astype(np.float64) / 255.0).astype(dtype)

    x_train = images("train-images-idx3-ubyte")
    t_train = read_idx(f"{folder}/train-labels-idx1-ubyte").astype(np.int64)
    x_test = images("t10k-images-idx3-ubyte")
    t_test = read_idx(f"{folder}/t10k-labels-idx1-ubyte").astype(np.int64)
    return x_train, t_train, x_test, t_test


class Net:
    def __init__(self, rng, dtype, sizes=(784, 50, 10), std=0.01):
        d, h, o = sizes
        self.W1 = (std * rng.standard_normal((d, h))).astype(dtype)
        self.b1 = np.zeros(h, dtype=dtype)
        self.W2 = (std * rng.standard_normal((h, o))).astype(dtype)
        self.b2 = np.zeros(o, dtype=dtype)

    def predict(self, x):
        a1 = x @ self.W1 + self.b1
        return np.maximum(a1, 0) @ self.W2 + self.b2

    def accuracy(self, x, t):
        return float(np.mean(np.argmax(self.predict(x), axis=1) == t))

    def step(self, x, t, lr):
        """Forward, backward (backpropagation through the four layers) and an SGD update; the loss."""
        n = x.shape[0]
        a1 = x @ self.W1 + self.b1
        mask = a1 > 0
        z1 = np.where(mask, a1, a1.dtype.type(0))
        y = z1 @ self.W2 + self.b2
        y = y - y.max(axis=1, keepdims=True)
        p = np.exp(y)
        p /= p.sum(axis=1, keepdims=True)
        rows = np.arange(n)
        loss = -np.sum(np.log(p[rows, t] + 1e-7)) / n
        dy = p
        dy[rows, t] -= 1
        dy /= n
        dW2 = z1.T @ dy
        db2 = dy.sum(axis=0)
        da1 = np.where(mask, dy @ self.W2.T, a1.dtype.type(0))
        dW1 = x.T @ da1
        db1 = da1.sum(axis=0)
        self.W1 -= lr * dW1
        self.b1 -= lr * db1
        self.W2 -= lr * dW2
        self.b2 -= lr * db2
        return loss


def main():
    folder = sys.argv[1]
    iters = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    dtype = np.dtype(sys.argv[3] if len(sys.argv) > 3 else "float64")
    x_train, t_train, x_test, t_test = load(folder, dtype)
    rng = np.random.default_rng(0)
    net = Net(rng, dtype)
    batch, lr = 100, 0.1
    per_epoch = max(x_train.shape[0] // batch, 1)
    t0 = time.perf_counter()
    train_acc = test_acc = None
    for i in range(iters):
        idx = rng.choice(x_train.shape[0], batch)
        net.step(x_train[idx], t_train[idx], lr)
        if (i + 1) % per_epoch == 0 or i + 1 == iters:
            train_acc = net.accuracy(x_train, t_train)
            test_acc = net.accuracy(x_test, t_test)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "trainAccuracy": train_acc, "testAccuracy": test_acc, "peakRssKb": peak, "numpy": np.__version__}))


main()

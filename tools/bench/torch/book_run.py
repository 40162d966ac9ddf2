"""The book's chapter-5 training run in PyTorch, for the PyTorch rows of `pnpm bench:book`.

The recipe of `bp train` and of the book's ch05/train_neuralnet.py, written as a PyTorch user would:
nn.Sequential(nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 10)) with the book's initial weights
(0.01 * standard normal, zero biases), nn.CrossEntropyLoss (softmax with cross-entropy), autograd
and torch.optim.SGD (lr 0.1), 10 000 iterations on minibatches of 100 rows drawn with replacement,
and after every epoch (600 iterations) the accuracy on all 60 000 training and 10 000 test images.

usage: THREADS=n python3 book_run.py MNIST_DIR [ITERS] [float64|float32]
Prints one JSON line: seconds of training, final train/test accuracy, peak RSS in kB, torch version,
the BLAS line.
"""

import json
import resource
import sys
import time

import torch
from torch import nn

from common import blas, read_idx, setup


def load(folder, dtype):
    def images(name):
        return read_idx(f"{folder}/{name}").reshape(-1, 784).to(dtype) / 255.0

    def labels(name):
        return read_idx(f"{folder}/{name}").to(torch.int64)

    return (
        images("train-images-idx3-ubyte"),
        labels("train-labels-idx1-ubyte"),
        images("t10k-images-idx3-ubyte"),
        labels("t10k-labels-idx1-ubyte"),
    )


def main():
    folder = sys.argv[1]
    iters = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
    dtype_name = sys.argv[3] if len(sys.argv) > 3 else "float64"
    setup(dtype_name)
    torch.manual_seed(0)
    x_train, t_train, x_test, t_test = load(folder, torch.get_default_dtype())
    net = nn.Sequential(nn.Linear(784, 50), nn.ReLU(), nn.Linear(50, 10))
    with torch.no_grad():
        for layer in (net[0], net[2]):
            layer.weight.normal_(0.0, 0.01)
            layer.bias.zero_()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    batch = 100
    train_size = x_train.shape[0]
    per_epoch = max(train_size // batch, 1)

    def accuracy(x, t):
        with torch.no_grad():
            return (net(x).argmax(dim=1) == t).to(torch.float64).mean().item()

    t0 = time.perf_counter()
    train_acc = test_acc = None
    for i in range(iters):
        idx = torch.randint(train_size, (batch,))
        loss = loss_fn(net(x_train[idx]), t_train[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (i + 1) % per_epoch == 0 or i + 1 == iters:
            train_acc = accuracy(x_train, t_train)
            test_acc = accuracy(x_test, t_test)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({
        "seconds": seconds, "trainAccuracy": train_acc, "testAccuracy": test_acc, "peakRssKb": peak,
        "torch": torch.__version__, "blas": blas(),
    }))


main()

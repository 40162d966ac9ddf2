"""One training step of the book's SimpleConvNet (ch07) in PyTorch, for the conv-step bench.

The net of `ch07/simple_convnet.py` as a PyTorch user writes it: nn.Conv2d(1, 30, 5) -> nn.ReLU ->
nn.MaxPool2d(2, 2) -> nn.Linear(4320, 100) -> nn.ReLU -> nn.Linear(100, 10), nn.CrossEntropyLoss,
the book's initial weights (0.01 * standard normal, zero biases), autograd and torch.optim.Adam
(lr 0.001, the book's eps 1e-7). A step: pick a minibatch of 100 of 1000 rows, forward, backward,
update, as the bench does on bp.

usage: THREADS=n python3 simple_convnet.py MIN_MS float64|float32 random|MNIST_DIR
Input: 1000 uniform [0, 1) images with random labels, or MNIST's first 1000 training images / 255
with their labels. Prints one JSON object: {"torch", "blas", "bestMs", "medianMs", "runs", "cpuMs":
mean CPU time per timed step (all threads), "loss": first loss, "threads"}.
"""

import json
import sys

import torch
from torch import nn

from common import blas, read_idx, setup, step_summary

ROWS = 1000


def main():
    min_ms = float(sys.argv[1]) if len(sys.argv) > 1 else 3000
    dtype_name = sys.argv[2] if len(sys.argv) > 2 else "float64"
    source = sys.argv[3] if len(sys.argv) > 3 else "random"
    threads = setup(dtype_name)
    torch.manual_seed(1)
    net = nn.Sequential(
        nn.Conv2d(1, 30, 5),
        nn.ReLU(),
        nn.MaxPool2d(2, 2),
        nn.Flatten(),
        nn.Linear(30 * 12 * 12, 100),
        nn.ReLU(),
        nn.Linear(100, 10),
    )
    with torch.no_grad():
        for layer in (net[0], net[4], net[6]):
            layer.weight.normal_(0.0, 0.01)
            layer.bias.zero_()
    if source == "random":
        x_train = torch.rand(ROWS, 1, 28, 28)
        t_train = torch.randint(10, (ROWS,))
    else:
        x_train = read_idx(f"{source}/train-images-idx3-ubyte", ROWS).reshape(ROWS, 1, 28, 28).to(
            torch.get_default_dtype()
        ) / 255.0
        t_train = read_idx(f"{source}/train-labels-idx1-ubyte", ROWS).to(torch.int64)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=0.001, eps=1e-7)
    losses = []

    def step():
        idx = torch.randint(ROWS, (100,))
        loss = loss_fn(net(x_train[idx]), t_train[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())

    print(json.dumps({
        "torch": torch.__version__, "blas": blas(), "threads": threads, **step_summary(step, min_ms), "loss": losses[0],
    }))


main()

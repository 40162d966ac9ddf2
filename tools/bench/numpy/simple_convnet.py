"""One training step of the book's SimpleConvNet (ch07) in NumPy, for the conv-step bench.

The net of `ch07/simple_convnet.py` written out with the book's im2col/col2im layers: Conv1 (30
filters 5x5, pad 0, stride 1) -> Relu1 -> Pool1 (2x2, stride 2) -> Affine1 (4320 -> 100) -> Relu2
-> Affine2 (100 -> 10) -> SoftmaxWithLoss, float64, weight_init_std 0.01, and Adam (lr 0.001), as
`ch07/train_convnet.py` trains it. A step is: pick a minibatch of 100 rows, forward, backward,
update. Prints one JSON object: {"numpy": version, "bestMs": ms, "medianMs": ms, "runs": n,
"cpuMs": mean CPU time per timed step, "loss": first loss}. Run with OPENBLAS_NUM_THREADS=1 (the
bench sets it) to measure one BLAS thread.

usage: python3 simple_convnet.py [MIN_MS [float64|float32 [random|MNIST_DIR]]]
MIN_MS: minimum timed milliseconds (default 3000). The dtype of parameters, input and gradients
(default float64). Input: 1000 uniform [0, 1) images with random labels (default), or MNIST's first
1000 training images / 255 with their labels.
"""

import json
import sys

import numpy as np

from timing import step_summary


def out_size(size, filt, stride, pad):
    return (size + 2 * pad - filt) // stride + 1


def im2col(x, fh, fw, stride, pad):
    n, c, h, w = x.shape
    oh, ow = out_size(h, fh, stride, pad), out_size(w, fw, stride, pad)
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((n, c, fh, fw, oh, ow), dtype=x.dtype)
    for ky in range(fh):
        for kx in range(fw):
            col[:, :, ky, kx, :, :] = img[:, :, ky:ky + stride * oh:stride, kx:kx + stride * ow:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1)


def col2im(col, shape, fh, fw, stride, pad):
    n, c, h, w = shape
    oh, ow = out_size(h, fh, stride, pad), out_size(w, fw, stride, pad)
    col = col.reshape(n, oh, ow, c, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1), dtype=col.dtype)
    for ky in range(fh):
        for kx in range(fw):
            img[:, :, ky:ky + stride * oh:stride, kx:kx + stride * ow:stride] += col[:, :, ky, kx, :, :]
    return img[:, :, pad:h + pad, pad:w + pad]


class Conv:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        fn, _, fh, fw = self.W.shape
        n, _, h, w = x.shape
        oh, ow = out_size(h, fh, self.stride, self.pad), out_size(w, fw, self.stride, self.pad)
        self.x = x
        self.col = im2col(x, fh, fw, self.stride, self.pad)
        self.col_W = self.W.reshape(fn, -1).T
        out = self.col @ self.col_W + self.b
        return out.reshape(n, oh, ow, -1).transpose(0, 3, 1, 2)

    def backward(self, dout):
        fn, c, fh, fw = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = dout.sum(axis=0)
        self.dW = (self.col.T @ dout).transpose(1, 0).reshape(fn, c, fh, fw)
        dcol = dout @ self.col_W.T
        return col2im(dcol, self.x.shape, fh, fw, self.stride, self.pad)


class Pool:
    def __init__(self, ph, pw, stride):
        self.ph, self.pw, self.stride = ph, pw, stride

    def forward(self, x):
        n, c, h, w = x.shape
        oh, ow = out_size(h, self.ph, self.stride, 0), out_size(w, self.pw, self.stride, 0)
        col = im2col(x, self.ph, self.pw, self.stride, 0).reshape(-1, self.ph * self.pw)
        self.x = x
        self.arg_max = col.argmax(axis=1)
        return col.max(axis=1).reshape(n, oh, ow, c).transpose(0, 3, 1, 2)

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        size = self.ph * self.pw
        dmax = np.zeros((dout.size, size), dtype=dout.dtype)
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        dcol = dmax.reshape(dout.shape + (size,)).reshape(dmax.shape[0] // dout.shape[3], -1)
        return col2im(dcol, self.x.shape, self.ph, self.pw, self.stride, 0)


class Relu:
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout = dout.copy()
        dout[self.mask] = 0
        return dout


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.shape = x.shape
        self.x = x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return (dout @ self.W.T).reshape(self.shape)


class SoftmaxWithLoss:
    def forward(self, x, t):
        x = x - x.max(axis=1, keepdims=True)
        self.y = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
        self.t = t
        n = x.shape[0]
        return -np.sum(np.log(self.y[np.arange(n), t] + 1e-7)) / n

    def backward(self):
        n = self.t.shape[0]
        dx = self.y.copy()
        dx[np.arange(n), self.t] -= 1
        return dx / n


class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2, self.iter, self.m, self.v = lr, beta1, beta2, 0, None, None

    def update(self, params, grads):
        if self.m is None:
            self.m = {k: np.zeros_like(v) for k, v in params.items()}
            self.v = {k: np.zeros_like(v) for k, v in params.items()}
        self.iter += 1
        lr_t = float(self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter))
        for k in params:
            self.m[k] += (1 - self.beta1) * (grads[k] - self.m[k])
            self.v[k] += (1 - self.beta2) * (grads[k] ** 2 - self.v[k])
            params[k] -= lr_t * self.m[k] / (np.sqrt(self.v[k]) + 1e-7)


def read_idx(path, count):
    with open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    size = int(np.prod(shape[1:]))
    return np.frombuffer(data, dtype=np.uint8, count=count * size, offset=4 + 4 * dims).reshape([count] + shape[1:])


def main():
    min_ms = float(sys.argv[1]) if len(sys.argv) > 1 else 3000
    dtype = np.dtype(sys.argv[2] if len(sys.argv) > 2 else "float64")
    source = sys.argv[3] if len(sys.argv) > 3 else "random"
    rng = np.random.default_rng(1)
    std = 0.01
    p = {
        "W1": std * rng.standard_normal((30, 1, 5, 5)),
        "b1": np.zeros(30),
        "W2": std * rng.standard_normal((4320, 100)),
        "b2": np.zeros(100),
        "W3": std * rng.standard_normal((100, 10)),
        "b3": np.zeros(10),
    }
    p = {k: v.astype(dtype) for k, v in p.items()}
    layers = [Conv(p["W1"], p["b1"]), Relu(), Pool(2, 2, 2), Affine(p["W2"], p["b2"]), Relu(), Affine(p["W3"], p["b3"])]
    last = SoftmaxWithLoss()
    if source == "random":
        x_train = rng.random((1000, 1, 28, 28)).astype(dtype)
        t_train = rng.integers(0, 10, 1000)
    else:
        x_train = (read_idx(f"{source}/train-images-idx3-ubyte", 1000).reshape(1000, 1, 28, 28) / 255.0).astype(dtype)
        t_train = read_idx(f"{source}/train-labels-idx1-ubyte", 1000).astype(np.int64)
    opt = Adam()
    losses = []

    def step():
        idx = rng.choice(1000, 100)
        x, t = x_train[idx], t_train[idx]
        for layer in layers:
            x = layer.forward(x)
        losses.append(last.forward(x, t))
        d = last.backward()
        for layer in reversed(layers):
            d = layer.backward(d)
        grads = {
            "W1": layers[0].dW, "b1": layers[0].db, "W2": layers[3].dW,
            "b2": layers[3].db, "W3": layers[5].dW, "b3": layers[5].db,
        }
        opt.update(p, grads)

    print(json.dumps({"numpy": np.__version__, **step_summary(step, min_ms), "loss": float(losses[0])}))


main()

"""Shared by the PyTorch scripts of the bench: threads, the BLAS in use, timing, MNIST files.

Each script takes its thread count from the THREADS environment variable the bench sets (with
OPENBLAS_NUM_THREADS and OMP_NUM_THREADS equal to it) and calls `setup` before any work.
"""

import ctypes
import os
import sys

import torch

# The timing the NumPy scripts use (../numpy/timing.py, standard library only).
sys.path.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "numpy"))
from timing import run_times, step_summary  # noqa: E402,F401


def setup(dtype_name):
    """One process's settings: intra-op threads and the default dtype (float32 or float64)."""
    threads = int(os.environ.get("THREADS", "1"))
    torch.set_num_threads(threads)
    torch.set_default_dtype(getattr(torch, dtype_name))
    return threads


def blas():
    """The BLAS that torch's matrix products call, as one line, e.g. "OpenBLAS 0.3.21 ... kernel
    Cooperlake, 1 BLAS thread" (Debian's torch links the generic libblas.so.3, which the alternatives
    system points at OpenBLAS when libopenblas0-pthread is installed, else at the reference BLAS)."""
    a = torch.ones(64, 64, dtype=torch.float64)
    (a @ a).sum()
    with open("/proc/self/maps") as f:
        libs = sorted({line.split()[-1] for line in f if "blas" in line.split()[-1].lower()})
    try:
        lib = ctypes.CDLL("libblas.so.3")
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        config = lib.openblas_get_config().decode()
        core = lib.openblas_get_corename().decode()
        threads = lib.openblas_get_num_threads()
        return f"{config}, kernel {core}, {threads} BLAS thread{'s' if threads != 1 else ''}"
    except (OSError, AttributeError):
        return "not OpenBLAS: " + (", ".join(libs) or "no BLAS library loaded")


def read_idx(path, count=None):
    """An uncompressed IDX file (MNIST's format) as a uint8 tensor; only its first `count` items if given."""
    with open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    if count is not None:
        shape[0] = min(shape[0], count)
    size = 1
    for s in shape:
        size *= s
    offset = 4 + 4 * dims
    return torch.frombuffer(bytearray(data[offset : offset + size]), dtype=torch.uint8).reshape(shape)

"""PyTorch's matrix products at the benchmark's shapes, for the PyTorch rows of `pnpm bench`.

Reads the same JSON list of cases on stdin as ../numpy/matmul.py ({"m", "k", "n", "transposeA",
"transposeB"}, "mnist": the training-images IDX file when A holds those images / 255) and prints one
JSON object: {"torch": version, "blas": the BLAS line, "rows": [{"case": i, "dtype", "bestMs"}]}.
`torch.matmul` of two tensors (a transposed operand as a view, as `x.T @ dout` is written), in
float32 and float64, THREADS threads (the bench sets 1). argv[1]: minimum timed milliseconds.
"""

import json
import sys

import torch

from common import blas, read_idx, run_times, setup


def main():
    cases = json.load(sys.stdin)
    min_ms = float(sys.argv[1]) if len(sys.argv) > 1 else 1000
    setup("float64")
    torch.manual_seed(1)
    rows = []
    for i, c in enumerate(cases):
        for name in ("float32", "float64"):
            dtype = getattr(torch, name)
            shape_a = (c["k"], c["m"]) if c["transposeA"] else (c["m"], c["k"])
            if c.get("mnist"):
                count = shape_a[0] * shape_a[1] // 784
                a = (read_idx(c["mnist"], count).to(torch.float64) / 255.0).reshape(shape_a).to(dtype)
            else:
                a = torch.randn(shape_a, dtype=dtype)
            b = torch.randn((c["n"], c["k"]) if c["transposeB"] else (c["k"], c["n"]), dtype=dtype)
            opa = a.T if c["transposeA"] else a
            opb = b.T if c["transposeB"] else b
            with torch.no_grad():
                times, _ = run_times(lambda: opa @ opb, min_ms, 3)
            rows.append({"case": i, "dtype": name, "bestMs": times[0]})
    print(json.dumps({"torch": torch.__version__, "blas": blas(), "rows": rows}))


main()

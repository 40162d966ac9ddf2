"""NumPy's matrix products at the benchmark's shapes, for the NumPy rows of `pnpm bench`.

Reads a JSON list of cases on stdin ({"m", "k", "n", "transposeA", "transposeB"}, and "mnist": the
path of MNIST's uncompressed training-images IDX file when A holds those images / 255), prints one JSON
object: {"numpy": version, "rows": [{"case": i, "dtype": "float64" | "float32", "bestMs": ms}]}.
Run it with OPENBLAS_NUM_THREADS=1 (the bench sets it) so it measures one BLAS thread. Timing: like
the bench's own, a warm-up, then runs until both a minimum time and a minimum count; the fastest run.
"""

import json
import sys

import numpy as np

from timing import run_times


def main():
    cases = json.load(sys.stdin)
    min_ms = float(sys.argv[1]) if len(sys.argv) > 1 else 1000
    rng = np.random.default_rng(1)
    rows = []
    for i, c in enumerate(cases):
        for dtype in ("float32", "float64"):
            shape_a = (c["k"], c["m"]) if c["transposeA"] else (c["m"], c["k"])
            if c.get("mnist"):
                with open(c["mnist"], "rb") as f:
                    pixels = np.frombuffer(f.read(), dtype=np.uint8, offset=16)
                a = (pixels[: shape_a[0] * shape_a[1]].astype(np.float64) / 255.0).reshape(shape_a).astype(dtype)
            else:
                a = rng.standard_normal(shape_a).astype(dtype)
            b = rng.standard_normal((c["n"], c["k"]) if c["transposeB"] else (c["k"], c["n"])).astype(dtype)
            opa = a.T if c["transposeA"] else a
            opb = b.T if c["transposeB"] else b
            rows.append({"case": i, "dtype": dtype, "bestMs": run_times(lambda: opa @ opb, min_ms, 3)[0][0]})
    print(json.dumps({"numpy": np.__version__, "rows": rows}))


main()

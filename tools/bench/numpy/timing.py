"""Timing shared by the NumPy and PyTorch scripts of the bench (standard library only).

Like the bench's own timing: a warm-up, then timed runs until both a minimum time and a minimum
count.
"""

import time


def run_times(run, min_ms, min_runs, warmup_s=0.3, warmup_runs=0):
    """Warm-up (warmup_s seconds, or warmup_runs runs when given), then timed runs until both min_ms
    and min_runs; returns the sorted run times in ms and the mean CPU time per timed run in ms (all
    threads of the process)."""
    if warmup_runs > 0:
        for _ in range(warmup_runs):
            run()
    else:
        t0 = time.perf_counter()
        while time.perf_counter() - t0 < warmup_s:
            run()
    times = []
    spent = 0.0
    cpu0 = time.process_time()
    while spent * 1000 < min_ms or len(times) < min_runs:
        t = time.perf_counter()
        run()
        dt = time.perf_counter() - t
        times.append(dt * 1000)
        spent += dt
    cpu_ms = (time.process_time() - cpu0) * 1000 / len(times)
    return sorted(times), cpu_ms


def step_summary(step, min_ms):
    """The conv-step scripts' timing of one training step: 3 warm-up steps, then at least 5 timed
    steps and min_ms; {"bestMs", "medianMs", "runs", "cpuMs"}."""
    times, cpu_ms = run_times(step, min_ms, 5, warmup_runs=3)
    return {"bestMs": times[0], "medianMs": times[len(times) // 2], "runs": len(times), "cpuMs": cpu_ms}

"""Benchmark: the whole report on a big orders-only export, time per stage and peak memory (issue 16's "50M-order
report end to end within 16 GiB").

Input: the synthetic orders of ``bench_summary.py`` (about 10 orders per member over three years, 3 % refunded;
columns member_id, order_ts, net_amount, status — an orders-only export, which every module must complete on),
written once to ``benchmarks/out/report_<n>/orders.parquet``. One report run in a subprocess,
``python -m helpers report --data-dir … --engine E --jobs 1 --modules M``; the figures:

* ``stages``: from the run's ``run.json`` — ``load`` (read + validate the export), ``snapshot`` (the validated
  Parquet every module reads), each module's own seconds, ``merge`` (parts, KPIs, metrics.json);
* ``peak GiB``: the largest sum of resident memory over the runner and its kernels, sampled every 0.2 s (psutil);
  per module, the peak of its own kernel (``--jobs 1``: one kernel at a time, the n-th kernel started is the n-th
  module run) and, for the load, the runner's own peak before the first kernel starts.

    .venv/bin/python benchmarks/bench_report_scale.py --orders 1000000              # quick (what CI can afford)
    .venv/bin/python benchmarks/bench_report_scale.py --orders 50000000 --engine duckdb   # the issue's figure
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time

from bench_summary import OUT, ROOT, build_orders


def _tree_rss(proc, kernels: dict | None = None) -> int:
    """Resident memory of ``proc`` and its children; ``kernels`` (pid → [create time, peak]) records each ipykernel's
    own peak."""
    import psutil

    try:
        p = psutil.Process(proc.pid)
        procs = [p, *p.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for q in procs:
        try:
            rss = q.memory_info().rss
            total += rss
            if kernels is not None and q.pid != proc.pid:
                if q.pid not in kernels and "ipykernel" in " ".join(q.cmdline()):
                    kernels[q.pid] = [q.create_time(), 0]
                if q.pid in kernels:
                    kernels[q.pid][1] = max(kernels[q.pid][1], rss)
        except psutil.NoSuchProcess:
            pass
    return total


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--orders", type=int, default=50_000_000)
    ap.add_argument("--engine", default="duckdb", choices=("auto", "pandas", "duckdb", "spark"))
    ap.add_argument("--modules", default="", help="e.g. 02,03,04,05 (default: every module)")
    ap.add_argument("--timeout", type=int, default=7200)
    a = ap.parse_args(argv)
    data = OUT / f"report_{a.orders}"
    if not (data / "orders.parquet").exists():
        data.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        build_orders(a.orders, data / "orders.parquet")
        print(f"# built {data / 'orders.parquet'} in {time.perf_counter() - t0:.0f} s", flush=True)
    out = OUT / f"report_{a.orders}_run"
    cmd = [sys.executable, "-m", "helpers", "report", "--no-progress", "--data-dir", str(data), "--out", str(out),
           "--engine", a.engine, "--jobs", "1", "--timeout", str(a.timeout)]
    if a.modules:
        cmd += ["--modules", a.modules]
    print(f"# {time.strftime('%H:%M', time.gmtime())} UTC, load average (1/5/15 min) at the start: "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    peak = [0]
    kernels: dict[int, list] = {}
    runner_before_kernels = [0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def watch():
        while proc.poll() is None:
            rss = _tree_rss(proc, kernels)
            peak[0] = max(peak[0], rss)
            if not kernels:
                runner_before_kernels[0] = max(runner_before_kernels[0], rss)
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    _, err = proc.communicate(timeout=a.timeout)
    wall = time.perf_counter() - t0
    watcher.join()
    if proc.returncode != 0:
        print(f"report failed (exit {proc.returncode}):\n{err[-2000:]}")
        return 1
    run = json.loads((out / "run.json").read_text(encoding="utf-8"))
    stages = run.get("stages_seconds", {})
    print(f"{a.orders:,} orders · engine {run['parameters'].get('engine')} · wall {wall:.1f} s · "
          f"peak {peak[0] / 2**30:.2f} GiB (runner + kernels)")
    print("# load average (1/5/15 min) at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    kernel_peaks = [k[1] for k in sorted(kernels.values())]
    print(f"{'stage':<24} {'s':>8} {'peak GiB':>9}")
    print(f"{'load':<24} {stages.get('load') or 0:>8.1f} {runner_before_kernels[0] / 2**30:>9.2f}  (runner)")
    print(f"{'snapshot':<24} {stages.get('snapshot') or 0:>8.1f}")
    for i, m in enumerate(run["modules"]):
        kp = f"{kernel_peaks[i] / 2**30:>9.2f}" if i < len(kernel_peaks) else f"{'-':>9}"
        print(f"  {m['slug']:<22} {m['seconds']:>8.1f} {kp}  {m['status']}")
    print(f"{'merge':<24} {stages.get('merge') or 0:>8.1f}")
    (OUT / "bench_report_scale.json").write_text(json.dumps(
        {"orders": a.orders, "engine": a.engine, "wall_s": wall, "peak_bytes": peak[0], "stages": stages,
         "load_peak_bytes": runner_before_kernels[0], "kernel_peak_bytes": kernel_peaks,
         "modules": {m["slug"]: m["seconds"] for m in run["modules"]}}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

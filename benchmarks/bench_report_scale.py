"""Benchmark: the whole report on a big orders-only export, time per stage and peak memory (issue 16's "50M-order
report end to end within 16 GiB").

Input: the synthetic orders of ``bench_summary.py`` (about 10 orders per member over three years, 3 % refunded;
columns member_id, order_ts, net_amount, status — an orders-only export, which every module must complete on),
written once to ``benchmarks/out/report_<n>/orders.parquet``. One report run in a subprocess,
``python -m helpers report --data-dir … --engine E --jobs 1 --modules M``; the figures:

* ``stages``: from the run's ``run.json`` — ``load`` (read + validate the export), ``snapshot`` (the validated
  Parquet every module reads), each module's own seconds, ``merge`` (parts, KPIs, metrics.json);
* ``peak GiB``: the largest sum of resident memory over the runner and its kernels, sampled every 0.2 s (psutil).

    .venv/bin/python benchmarks/bench_report_scale.py --orders 1000000              # quick (what CI can afford)
    .venv/bin/python benchmarks/bench_report_scale.py --orders 50000000 --engine duckdb   # the issue's figure
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time

from bench_summary import OUT, ROOT, build_orders


def _tree_rss(proc) -> int:
    import psutil

    try:
        p = psutil.Process(proc.pid)
        procs = [p, *p.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for q in procs:
        try:
            total += q.memory_info().rss
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
    peak = [0]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def watch():
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc))
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
    print(f"{'stage':<24} {'s':>8}")
    for name in ("load", "snapshot"):
        print(f"{name:<24} {stages.get(name) or 0:>8.1f}")
    for m in run["modules"]:
        print(f"  {m['slug']:<22} {m['seconds']:>8.1f}  {m['status']}")
    print(f"{'merge':<24} {stages.get('merge') or 0:>8.1f}")
    (OUT / "bench_report_scale.json").write_text(json.dumps(
        {"orders": a.orders, "engine": a.engine, "wall_s": wall, "peak_bytes": peak[0], "stages": stages,
         "modules": {m["slug"]: m["seconds"] for m in run["modules"]}}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

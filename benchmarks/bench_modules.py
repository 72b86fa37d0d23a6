"""Per-module run time of the report run against the 60 s target (docs/CONVENTIONS.md).

    .venv/bin/python benchmarks/bench_modules.py [--data-dir datasets/default] [--modules 00,03] [--out DIR]
                                                 [--jobs N] [--compare-serial]

Runs `python -m helpers report` once (a real run: kernel start, papermill, HTML export with the font subset) and
prints, per module, the notebook's wall time from run.json, the sum of its cell times (papermill metadata) and its
slowest cell, beside the targets (module < 60 s, cell < ~10 s), then the run's total wall time against the whole
report's target (≤ 90 s on 2 cores with --jobs = cores). ``--compare-serial`` runs once more with ``--jobs 1`` and
prints both totals. Prints figures only; it never fails on time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULE_TARGET_S = 60.0
REPORT_TARGET_S = 90.0
CELL_TARGET_S = 10.0


def cell_times(ipynb: Path) -> list[tuple[float, int, str]]:
    nb = json.loads(ipynb.read_text(encoding="utf-8"))
    out = []
    for i, cell in enumerate(nb["cells"]):
        d = cell.get("metadata", {}).get("papermill", {}).get("duration")
        if cell["cell_type"] == "code" and d is not None:
            first = next((ln for ln in "".join(cell["source"]).splitlines() if ln.strip()), "")
            out.append((float(d), i, first[:50]))
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", default=str(ROOT / "datasets" / "default"))
    p.add_argument("--modules", default=None)
    p.add_argument("--out", default=None, help="report directory (default: a temporary one)")
    p.add_argument("--jobs", default=None, help="modules side by side (default: the report's, the cores)")
    p.add_argument("--compare-serial", action="store_true", help="also run with --jobs 1 and print both totals")
    args = p.parse_args(argv)
    total = _bench(args, args.jobs, args.out)
    if total is None:
        return 1
    if args.compare_serial:
        serial = _bench(args, "1", None)
        if serial is None:
            return 1
        print(f"\ntotal wall: --jobs {args.jobs or 'default'} {total:.1f} s · --jobs 1 {serial:.1f} s "
              f"(speed-up ×{serial / total:.2f})")
    return 0


def _bench(args, jobs: str | None, out_dir: str | None) -> float | None:
    """One report run; prints its table and returns its total wall time (None when it wrote no run.json)."""
    with tempfile.TemporaryDirectory(prefix="bench-modules-") as tmp:
        out = Path(out_dir) if out_dir else Path(tmp) / "run"
        cmd = [sys.executable, "-m", "helpers", "report", "--data-dir", args.data_dir, "--out", str(out),
               "--no-progress"]
        if args.modules:
            cmd += ["--modules", args.modules]
        if jobs:
            cmd += ["--jobs", jobs]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        total = time.perf_counter() - t0
        if not (out / "run.json").exists():
            print(proc.stderr[-3000:], file=sys.stderr)
            return None
        run = json.loads((out / "run.json").read_text(encoding="utf-8"))

        modules_s = sum(m["seconds"] for m in run["modules"])
        print(f"report run on {args.data_dir} with --jobs {run.get('jobs', '?')}  (exit {proc.returncode}, total wall "
              f"{total:.1f} s, target {REPORT_TARGET_S:.0f} s for the whole report; sum of module times "
              f"{modules_s:.1f} s"
              + (f"; outside the notebooks {run['total_seconds'] - modules_s:.1f} s: load once, snapshot, HTML "
                 "export, merge)" if run.get("jobs", 1) == 1 else ")"))
        header = f"{'module':<22}{'status':<9}{'run s':>8}{'target':>8}{'cells s':>9}  slowest cell"
        print(header)
        print("-" * (len(header) + 30))
        for m in run["modules"]:
            ipynb = out / f"{m['slug']}.ipynb"
            cells = cell_times(ipynb) if ipynb.exists() else []
            slow = max(cells) if cells else None
            flag = "ok" if m["seconds"] <= MODULE_TARGET_S else "OVER"
            slow_txt = (f"{slow[0]:5.1f} s  #{slow[1]} {slow[2]}" + ("  (> 10 s)" if slow[0] > CELL_TARGET_S else "")
                        if slow else "")
            print(f"{m['slug']:<22}{m['status']:<9}{m['seconds']:>8.1f}{MODULE_TARGET_S:>6.0f} {flag:<3}"
                  f"{sum(c[0] for c in cells):>7.1f}  {slow_txt}")
        pages = {m["slug"]: (out / f"{m['slug']}.html").stat().st_size for m in run["modules"]
                 if (out / f"{m['slug']}.html").exists()}
        pages["index"] = (out / "index.html").stat().st_size
        print("page sizes (KB, fonts and plots embedded): "
              + ", ".join(f"{k} {v / 1024:,.0f}" for k, v in pages.items()))
    return total


if __name__ == "__main__":
    sys.exit(main())

"""Per-module run time of the report run against the 60 s target (docs/CONVENTIONS.md).

    .venv/bin/python benchmarks/bench_modules.py [--data-dir datasets/default] [--modules 00,03] [--out DIR]

Runs `python -m helpers report` once (a real run: kernel start, papermill, HTML export) and prints, per module,
the notebook's wall time from run.json, the sum of its cell times (papermill metadata) and its slowest cell,
beside the targets (module < 60 s, cell < ~10 s). Prints figures only; it never fails on time.
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
    args = p.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-modules-") as tmp:
        out = Path(args.out) if args.out else Path(tmp) / "run"
        cmd = [sys.executable, "-m", "helpers", "report", "--data-dir", args.data_dir, "--out", str(out),
               "--no-progress"]
        if args.modules:
            cmd += ["--modules", args.modules]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        total = time.perf_counter() - t0
        if not (out / "run.json").exists():
            print(proc.stderr[-3000:], file=sys.stderr)
            return proc.returncode or 1
        run = json.loads((out / "run.json").read_text(encoding="utf-8"))

        modules_s = sum(m["seconds"] for m in run["modules"])
        print(f"report run on {args.data_dir}  (exit {proc.returncode}, total wall {total:.1f} s; outside the notebooks "
              f"{run['total_seconds'] - modules_s:.1f} s: load once, snapshot, HTML export, merge)")
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
    return 0


if __name__ == "__main__":
    sys.exit(main())

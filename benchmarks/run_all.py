"""Run every benchmark of the workbook, one after the other, each printing its own side-by-side table.

    .venv/bin/python benchmarks/run_all.py            # full sizes (about 30–40 minutes on 2 cores)
    .venv/bin/python benchmarks/run_all.py --quick    # small sizes, a smoke run of every script

The comparisons against lifetimes need its own environment (``benchmarks/requirements.txt``); without it the
lifetimes columns are skipped by the scripts, which say so.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

FULL = {
    "bench_generate.py": [],
    "bench_load.py": [],
    "bench_summary.py": [],
    # the issue-16 goal figure: every engine on the loader's member layout, 1M / 10M / 50M orders
    "bench_scale.py": ["--with-50m", "--layout", "member", "--repeat", "2"],
    "bench_engine_load.py": [],
    "bench_engine_dispatch.py": ["--orders", "5000000"],
    "bench_clv.py": [],
    "bench_recovery.py": [],
    "bench_segments.py": [],
    "bench_tiers.py": [],
    "bench_marketing.py": [],
    "bench_marketing_seeds.py": [],
    "bench_modules.py": [],
    "bench_feedback.py": [],
    "bench_experiments.py": [],
    "bench_monitoring.py": [],
    "eval_sentiment_outside.py": ["--dev"],
    "eval_sentiment_candidates.py": [],
    # 5M, not the 50M: modules 05 and 07 still hold every order in pandas (docs/SCALE.md, part C), so
    # 50M would take hours and its module-05 kernel would pass 16 GiB
    "bench_report_scale.py": ["--orders", "5000000", "--engine", "duckdb"],
}
QUICK = {
    "bench_generate.py": ["--sizes", "10000"],
    "bench_load.py": ["--sizes", "200000"],
    "bench_summary.py": ["--sizes", "1000000"],
    "bench_scale.py": ["--sizes", "1000000"],
    "bench_engine_load.py": ["--sizes", "200000"],
    "bench_engine_dispatch.py": ["--quick"],
    "bench_clv.py": ["--sizes", "100000"],
    "bench_recovery.py": ["--members", "100000"],
    "bench_segments.py": ["--sizes", "100000"],
    "bench_tiers.py": ["--sizes", "100000"],
    "bench_marketing.py": ["--sizes", "50000"],
    "bench_marketing_seeds.py": ["--seeds", "11", "--members", "2000", "--dates", "2025-11-30"],
    "bench_modules.py": [],
    "bench_feedback.py": ["--sizes", "5000", "--world-seeds", "1", "--world-members", "2000"],
    "bench_experiments.py": ["--members", "5000", "--seeds", "1"],
    "bench_monitoring.py": ["--sizes", "200000"],
    "eval_sentiment_outside.py": ["--dev"],
    "eval_sentiment_candidates.py": ["--quick", "--only", "before,chosen:"],
    "bench_report_scale.py": ["--orders", "1000000", "--modules", "02,03,04,05"],
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    args = parser.parse_args(argv)
    failed = []
    for script, extra in (QUICK if args.quick else FULL).items():
        print(f"\n===== {script} {' '.join(extra)}", flush=True)
        if subprocess.call([sys.executable, str(HERE / script), *extra]) != 0:
            failed.append(script)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

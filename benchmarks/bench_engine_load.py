"""Benchmark: raw CSV export → validated Parquet, the pandas loader vs the DuckDB loader, side by side.

Input: an orders CSV of N rows with every contract column (``bench_load.build_orders``: about 20 orders a member),
with a little dirt so that the slow paths run too: 0.1 % of the amounts written as ``¥1,234.50``, 0.1 % of the
times as ``2025年3月1日 12:00``, 0.05 % non-numeric amounts and 0.05 % 红冲 lines (negative, naming their
original in ``原订单号``). Each loader runs in a fresh subprocess and produces the same result — kept orders as
Parquet plus the quarantine and counts:

* ``pandas``: ``helpers.data.load`` (the whole table as a pandas frame), then ``orders.to_parquet``;
* ``duckdb``: ``helpers.engine.load_to_parquet`` (pyarrow's streaming CSV reader into a staging Parquet file, every
  rule as DuckDB SQL, DuckDB capped at ``--memory-limit`` and spilling beyond it).

Columns: ``s`` wall time, ``rows/s``, ``peak GiB`` the process's peak resident memory (VmHWM: DuckDB runs
in-process, so its memory is included), ``kept`` / ``quarantined`` / ``reversal`` rows (equal on both, or the
line says ``DIFFERS``).

    .venv/bin/python benchmarks/bench_engine_load.py                       # 1M and 10M rows
    .venv/bin/python benchmarks/bench_engine_load.py --sizes 1000000       # quick
    .venv/bin/python benchmarks/bench_engine_load.py --sizes 10000000 --skip pandas
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

KINDS = ("pandas", "duckdb")


def build_csv(n: int, path: Path, seed: int = 11) -> Path:
    """Write the dirty orders CSV of ``n`` rows to ``path`` (in blocks, so the writer's memory stays small)."""
    from bench_load import build_orders

    rng = np.random.default_rng(seed)
    table = build_orders(n, seed)
    text = {c: pc.cast(table[c], pa.string()) for c in table.column_names}
    ts = pc.strftime(table["order_ts"], format="%Y-%m-%d %H:%M:%S")
    amount = text["net_amount"].to_numpy(zero_copy_only=False).astype(object)
    when = ts.to_numpy(zero_copy_only=False).astype(object)
    pick = rng.random(n)
    yuan = pick < 0.001
    amount[yuan] = [f"¥{float(a):,.2f}" for a in amount[yuan]]
    chinese = (pick >= 0.001) & (pick < 0.002)
    when[chinese] = [f"{w[:4]}年{int(w[5:7])}月{int(w[8:10])}日 {w[11:16]}" for w in when[chinese]]
    amount[(pick >= 0.002) & (pick < 0.0025)] = "十二元"
    ref = np.full(n, "", dtype=object)
    rev = np.flatnonzero((pick >= 0.0025) & (pick < 0.003))
    if len(rev):  # 红冲 lines: a new order id, the original's member and amount, negative, naming the original
        orig = rng.integers(0, n, len(rev))
        ref[rev] = text["order_id"].take(pa.array(orig)).to_numpy(zero_copy_only=False)
        amount[rev] = ["-" + str(a) for a in text["net_amount"].take(pa.array(orig)).to_pylist()]
        member = text["member_id"].to_numpy(zero_copy_only=False).astype(object)
        member[rev] = text["member_id"].take(pa.array(orig)).to_numpy(zero_copy_only=False)
        text["member_id"] = pa.array(member, pa.string())
        ids = text["order_id"].to_numpy(zero_copy_only=False).astype(object)
        ids[rev] = [f"H{i}" for i in range(len(rev))]
        text["order_id"] = pa.array(ids, pa.string())
    text.update(order_ts=pa.array(when, pa.string()), net_amount=pa.array(amount, pa.string()),
                原订单号=pa.array(ref, pa.string()))
    pacsv.write_csv(pa.table(text), path)
    return path


def _hwm_bytes() -> int:
    """Peak resident memory of this process (VmHWM). Not ``ru_maxrss``: that survives ``exec`` and so holds the
    parent's resident size at the fork (the parent built the CSV)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _worker(kind: str, path: str, out: str, memory_limit: str) -> None:
    import resource

    import pandera.pandas  # noqa: F401  (import cost is not load cost)

    from helpers import data, engine  # noqa: F401

    t0 = time.perf_counter()
    if kind == "pandas":
        ds = data.load(path)
        Path(out).mkdir(parents=True, exist_ok=True)
        ds.orders.to_parquet(Path(out) / "orders.parquet", index=False, coerce_timestamps="us")
        ds.quarantine.to_parquet(Path(out) / "quarantine.parquet", index=False)
        counts = ds.counts.loc["orders"]
    else:
        res = engine.load_to_parquet(path, out, memory_limit=memory_limit)
        counts = res.counts.loc["orders"]
    dt = time.perf_counter() - t0
    peak = _hwm_bytes() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"kind": kind, "seconds": dt, "peak_gib": peak / 2**30,
                      **{k: int(v) for k, v in counts.items()}}))


def _run(kind: str, path: Path, out: Path, memory_limit: str, timeout: int) -> dict:
    cmd = [sys.executable, __file__, "--worker", kind, "--file", str(path), "--out", str(out),
           "--memory-limit", memory_limit]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"kind": kind, "error": f"timeout after {timeout} s"}
    if p.returncode != 0:
        return {"kind": kind, "error": (p.stderr.strip().splitlines() or ["failed"])[-1][:160]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--skip", nargs="*", default=[], choices=KINDS)
    ap.add_argument("--memory-limit", default="2GB", help="DuckDB's memory cap (it spills beyond it)")
    ap.add_argument("--timeout", type=int, default=3600)
    ap.add_argument("--worker", choices=KINDS, help=argparse.SUPPRESS)
    ap.add_argument("--file", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        _worker(args.worker, args.file, args.out, args.memory_limit)
        return 0
    print(f"{'rows':>11} {'loader':<7} {'s':>8} {'rows/s':>11} {'peak GiB':>9} {'kept':>11} {'quarantined':>12} "
          f"{'reversal':>9}  CSV MB")
    for n in args.sizes:
        with tempfile.TemporaryDirectory(dir=HERE) as tmp:
            path = build_csv(n, Path(tmp) / "orders.csv")
            mb = path.stat().st_size / 1e6
            seen = None
            for kind in KINDS:
                if kind in args.skip:
                    continue
                r = _run(kind, path, Path(tmp) / f"out-{kind}", args.memory_limit, args.timeout)
                if "error" in r:
                    print(f"{n:>11,} {kind:<7} error: {r['error']}", flush=True)
                    continue
                got = (r["rows_kept"], r["rows_quarantined"], r["rows_reversal"])
                same = "" if seen is None or got == seen else "  DIFFERS"
                seen = seen or got
                print(f"{n:>11,} {kind:<7} {r['seconds']:>8.2f} {n / r['seconds']:>11,.0f} {r['peak_gib']:>9.2f} "
                      f"{got[0]:>11,} {got[1]:>12,} {got[2]:>9,}  {mb:.0f}{same}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

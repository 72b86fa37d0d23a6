"""Benchmark: the synthetic world generator (``helpers.synth``, called through ``helpers.generate``) at 10k and 1M members.

For each size, two runs, each in its own subprocess so that peak memory (``ru_maxrss``) is measured per run:

* ``full``  – :func:`helpers.generate.generate_world` writing every table and ``truth/`` to a temporary directory;
* ``fast``  – :func:`helpers.generate.simulate_orders`, the orders-only path used for model-recovery studies.

Printed per run: wall time, orders, orders per second, peak RSS, and (full) the size on disk. Below the table: the
time :func:`helpers.synth.text.feedback_texts` takes for 5 000 feedback messages (target: well under 2 s).
Parameter recovery at 1M members is ``benchmarks/bench_recovery.py``.

    .venv/bin/python benchmarks/bench_generate.py                      # 10k and 1M (the 1M full run takes minutes)
    .venv/bin/python benchmarks/bench_generate.py --sizes 10000        # quick
    .venv/bin/python benchmarks/bench_generate.py --sizes 1000000 --modes fast
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from helpers import generate as G
n, mode, out = {n}, {mode!r}, {out!r}
t0 = time.perf_counter()
if mode == "full":
    rows = G.generate_world(n, G.DEFAULT_SEED, out)
    orders = rows["orders"]
    size = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file())
else:
    members, o, truth = G.simulate_orders(n, G.DEFAULT_SEED)
    orders, size = len(o), 0
secs = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux reports KiB)
print(json.dumps({{"members": n, "mode": mode, "seconds": secs, "orders": orders, "peak_mib": peak,
                  "bytes": size}}))
"""


def run(n: int, mode: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench_generate_") as tmp:
        code = CHILD.format(root=str(ROOT), n=n, mode=mode, out=str(Path(tmp) / "world"))
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def textgen_seconds(n: int = 5000, repeat: int = 3) -> float:
    """Fastest of ``repeat`` runs of :func:`helpers.textgen.feedback_texts` on ``n`` random labels."""
    import numpy as np

    sys.path.insert(0, str(ROOT))
    from helpers.textgen import CATEGORIES, POLARITIES, feedback_texts

    rng = np.random.default_rng(3)
    cats = rng.choice(CATEGORIES, n).tolist()
    pols = rng.choice(POLARITIES, n, p=[0.45, 0.25, 0.30]).tolist()
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        feedback_texts(np.random.default_rng(1), cats, pols)
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,1000000", help="comma-separated member counts")
    ap.add_argument("--modes", default="full,fast", help="full and/or fast")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    modes = [m for m in args.modes.split(",") if m]
    results = []
    print(f"{'members':>10} {'mode':>5} {'seconds':>9} {'orders':>12} {'orders/s':>11} {'peak MiB':>9} {'disk MB':>8}")
    for n in sizes:
        for mode in modes:
            r = run(n, mode)
            results.append(r)
            disk = f"{r['bytes'] / 1e6:8.1f}" if r["bytes"] else f"{'–':>8}"
            print(f"{n:>10,} {mode:>5} {r['seconds']:>9.1f} {r['orders']:>12,} {r['orders'] / r['seconds']:>11,.0f} "
                  f"{r['peak_mib']:>9,.0f} {disk}", flush=True)
    secs = textgen_seconds()
    print(f"\nfeedback_texts: 5,000 messages in {secs:.2f} s (fastest of 3; target < 2 s: "
          f"{'met' if secs < 2 else 'MISSED'})", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_generate.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

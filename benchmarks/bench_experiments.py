"""Benchmark: module 08's effect estimates against the generator's truth on worlds with other seeds.

For each seed a world is generated (``python -m helpers generate``), every campaign arm's lift in paid orders per
member over the campaign window is estimated against its control (Welch) and compared with the true mean uplift
of the arm's members (``truth/campaign_effects``), in standard errors; the city programme's DiD estimate is
compared with the orders it really caused (``truth/incremental_orders``). The goal: |z| < 3 for every arm.

    .venv/bin/python benchmarks/bench_experiments.py                          # 3 seeds × 10,000 members
    .venv/bin/python benchmarks/bench_experiments.py --members 5000 --seeds 1 2
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from helpers import data
from helpers import experiments as X


def check(root: Path) -> list[dict]:
    ds = data.load(root, tables=("members", "campaigns", "campaign_contacts"))
    kept, _ = X.clean_contacts(ds.campaign_contacts, ds.campaigns)
    t0 = time.perf_counter()
    oc = X.member_outcomes(kept, ds.orders, ds.campaigns)
    lt = X.lift_table(oc)
    fx = pd.read_parquet(root / "truth" / "campaign_effects.parquet")
    rows = []
    for r in lt[lt.outcome == "orders_per_member"].itertuples():
        t = oc[(oc.campaign_id == r.campaign_id) & (oc.arm == r.arm)]
        c = oc[(oc.campaign_id == r.campaign_id) & oc.is_control]
        se = math.sqrt(t.orders.var() / len(t) + c.orders.var() / len(c))
        true = fx[(fx.campaign_id == r.campaign_id) & (fx.arm == r.arm)].true_uplift.mean()
        rows.append({"what": f"{r.campaign_id}/{r.arm}", "estimate": r.estimate, "truth": true, "se": se,
                     "z": (r.estimate - true) / se})
    prog = json.loads((root / "truth" / "params.json").read_text(encoding="utf-8"))["city_programme"]
    panel = X.did_panel(ds.orders, ds.members, prog["cities"], prog["launch"])
    d = X.did_estimate(panel)
    inc = pd.read_parquet(root / "truth" / "incremental_orders.parquet")
    post = panel[panel.treated & panel.post]
    lo, hi = post.month.min().start_time, post.month.max().end_time
    n = ((inc.source == prog["programme_id"]) & inc.member_id.isin(set(post.member_id)) & (inc.order_ts >= lo)
         & (inc.order_ts <= hi)).sum()
    att = n / (post.member_id.nunique() * post.month.nunique())
    se = (d["ci95"][1] - d["ci95"][0]) / 2 / 1.96
    rows.append({"what": f"{prog['programme_id']}/DiD", "estimate": d["estimate"], "truth": att, "se": se,
                 "z": (d["estimate"] - att) / se})
    rows[-1]["seconds"] = time.perf_counter() - t0
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--members", type=int, default=10_000)
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = ap.parse_args(argv)
    worst = 0.0
    for seed in args.seeds:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, "-m", "helpers", "generate", "--members", str(args.members), "--seed",
                            str(seed), "--out", tmp, "-q"], check=True)
            rows = pd.DataFrame(check(Path(tmp)))
        worst = max(worst, rows.z.abs().max())
        print(f"seed {seed}, {args.members:,} members")
        print(rows.drop(columns="seconds").round(4).to_string(index=False))
    print(f"largest |z| over all arms and seeds: {worst:.2f} (goal: < 3)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

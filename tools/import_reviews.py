"""Copy the project's hand-written review batches into the package: ``helpers/feedback/data/reviews/``.

    .venv/bin/python tools/import_reviews.py --source shopping=DIR1 --source services=DIR2
    .venv/bin/python tools/import_reviews.py --corpus /work/corpus      # every set of SOURCES, writer folders there

Each source folder holds the batches one writer of the project authored (``pos_01.txt``, ``neg_01.txt``,
``neu_01.txt``, ``pos_02.txt`` …; one review a line, UTF-8); ``DONE.txt`` in it marks a finished set. The script
writes one ``<domain>_pos.txt`` / ``_neg.txt`` / ``_neu.txt`` per source, in batch order, and prints the counts.

Why a script: the batches arrive while the model is developed and are re-copied when they are complete, so the copy
must be repeatable and safe on a folder that is still being written:

* a last line without its newline in an unfinished folder (no ``DONE.txt``) may be half written: it is left out;
* lines are whitespace-collapsed (the text itself is kept as written); a line that cleans
  (:func:`helpers.feedback.clean_text`: width, case, numbers, emoji) to an earlier line's text is a duplicate and
  left out, and so is a text written under two polarities;
* a line that cleans to the text of any review in ``tests/data/sentiment_*.txt`` (the dev sets and every holdout:
  ``holdout``, ``independent``, ``mixed``, ``everyday``) is left out, so the package never trains on a line it is
  measured on.

:data:`SOURCES` lists the training sets and the writer folder of each (``--corpus DIR`` copies them all from
``DIR/<folder>``); the writers of the holdouts (w3, w15, w16) are not in it: their text is measured, never trained on.

The model reads the result with :func:`helpers.feedback.authored_reviews`. Only project-authored text may be
copied in (``helpers/feedback/data/reviews/README.md``): never a public review corpus.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from helpers.feedback.clean import clean_text  # noqa: E402
from helpers.feedback.models import REVIEW_FILES, unique_reviews  # noqa: E402

DEST = ROOT / "helpers" / "feedback" / "data" / "reviews"
_BATCH = re.compile(r"^(pos|neg|neu)_(\d+)\.txt$")
#: domain (file prefix in DEST) → the writer's folder of each training set, in import order
SOURCES = {
    "shopping": "w1", "services": "w2", "stories": "w4", "everyday": "w5", "electronics": "w6",
    "fashion_beauty": "w7", "food": "w8", "home_leisure": "w9", "hotels_long": "w10", "electronics_long": "w11",
    "books_long": "w12", "dining_long": "w13", "shopping_long": "w14", "early_shopping": "w17", "travel": "w18",
    "takeaway": "w19", "hard_cases": "w20", "lukewarm": "w21", "fashion_services": "w22", "very_short": "w23",
    "implied_long": "w24", "follow_ups": "w25", "regional": "w26", "books_media": "w27", "digital": "w28",
    "hotel_stays": "w29", "book_readers": "w30", "phone_typed": "w31",
}


def batch_lines(folder: Path) -> dict[str, list[str]]:
    """Lines of every batch of one source folder by polarity suffix, batches in number order."""
    done = (folder / "DONE.txt").is_file()
    out: dict[str, list[str]] = {k: [] for k in REVIEW_FILES}
    files = sorted((m.group(1), int(m.group(2)), p) for p in folder.glob("*.txt") if (m := _BATCH.match(p.name)))
    for kind, _, path in files:
        raw = path.read_text(encoding="utf-8", errors="replace")
        lines = raw.split("\n")
        if not done and lines and lines[-1] != "":
            lines = lines[:-1]  # unterminated last line of a batch still being written
        out[kind] += [" ".join(ln.split()) for ln in lines if ln.strip()]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", action="append", default=[], metavar="DOMAIN=DIR")
    ap.add_argument("--corpus", default="", metavar="DIR", help="copy every set of SOURCES from DIR/<writer folder>")
    ap.add_argument("--dest", default=str(DEST))
    args = ap.parse_args(argv)
    if args.corpus:
        args.source = [f"{d}={Path(args.corpus) / w}" for d, w in SOURCES.items()
                       if (Path(args.corpus) / w).is_dir()] + args.source
    if not args.source:
        ap.error("give --source DOMAIN=DIR (one or more) or --corpus DIR")
    dest = Path(args.dest)
    dest.mkdir(parents=True, exist_ok=True)
    excluded = {clean_text(ln) for p in (ROOT / "tests" / "data").glob("sentiment_*.txt")
                for ln in p.read_text(encoding="utf-8").splitlines() if ln.strip()}
    rows, where = [], []  # (text, polarity) and (domain, file suffix) of every line, sources in the order given
    excluded_lines = 0
    for spec in args.source:
        domain, _, folder = spec.partition("=")
        if not domain.isidentifier() or not Path(folder).is_dir():
            ap.error(f"--source {spec!r}: expected DOMAIN=DIR with an existing folder")
        for kind, lines in batch_lines(Path(folder)).items():
            for text in lines:
                if clean_text(text) in excluded:
                    excluded_lines += 1
                    continue
                rows.append((text, REVIEW_FILES[kind]))
                where.append((domain, kind))
    keep, dropped = unique_reviews(rows)
    dropped["in tests/data"] = excluded_lines
    kept: dict[tuple[str, str], list[str]] = {}
    for i in keep:
        kept.setdefault(where[i], []).append(rows[i][0])
    for (domain, kind), lines in sorted(kept.items()):
        (dest / f"{domain}_{kind}.txt").write_text("".join(t + "\n" for t in lines), encoding="utf-8")
        print(f"{domain}_{kind}.txt: {len(lines):,} reviews")
    print("left out:", ", ".join(f"{k} {v:,}" for k, v in dropped.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""``python -m helpers generate``: the command line of the generator (``helpers.generate.main`` is this one)."""

from __future__ import annotations

import argparse
import sys
import time

from helpers.synth.assemble import ALL_TABLES
from helpers.synth.config import DEFAULT_AS_OF, DEFAULT_MEMBERS, DEFAULT_SEED, DEFAULT_START
from helpers.synth.world import generate_world


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers generate``: write a world; exit 0, or 2 with a message on bad arguments."""
    ap = argparse.ArgumentParser(prog="python -m helpers generate",
                                 description="Write a synthetic retail world (Parquet tables + truth/) / 生成模拟数据")
    ap.add_argument("--members", type=int, default=DEFAULT_MEMBERS, help="number of members (default 10000)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 20251231)")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--start", default=DEFAULT_START, help="first day of the period (YYYY-MM-DD)")
    ap.add_argument("--as-of", default=DEFAULT_AS_OF, help="last day of the period (YYYY-MM-DD)")
    ap.add_argument("--tables", default=",".join(ALL_TABLES),
                    help="comma-separated subset of tables to write (default: all)")
    ap.add_argument("--no-truth", action="store_true", help="do not write truth/")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    tables = tuple(s.strip() for s in args.tables.split(",") if s.strip())
    t0 = time.perf_counter()
    try:
        stats = generate_world(args.members, args.seed, args.out, start=args.start, as_of=args.as_of,
                               tables=tables, truth=not args.no_truth, verbose=not args.quiet)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.quiet:
        for k, v in stats.items():
            print(f"{k:<28} {v:>12,} rows")
        print(f"written to {args.out} in {time.perf_counter() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``python -m helpers.typography --check|--fix [--code] FILE…``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .files import findings_in_file, fix_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.typography",
        description="中文排版检查与修正 / typeset Chinese prose (notebooks, Markdown, Python string literals)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--fix", action="store_true", help="rewrite the files in place")
    mode.add_argument("--check", action="store_true", help="list findings, exit 1 when there are any (default)")
    parser.add_argument("--code", action="store_true", help="notebooks: also the string literals of code cells")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args(argv)
    total = 0
    for path in args.files:
        found = fix_file(path, code=args.code) if args.fix else findings_in_file(path, code=args.code)
        for f in found:
            print(f)
        if found:
            print(f"{path}: {len(found)} {'fixed' if args.fix else 'finding(s)'}", file=sys.stderr)
        total += len(found)
    if args.fix:
        print(f"{total} line(s) changed; review with `git diff`", file=sys.stderr)
        return 0
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())

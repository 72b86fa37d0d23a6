"""``python -m helpers check --data-dir DIR [--as-of DATE] [--columns FILE]``: what an analyst reads first about a new
export.

Prints, in order: the loader's summary (rows read / kept / quarantined per table), the rows that are out of scope
(after the as-of date: not errors, so never in the quarantine), the columns the loader did not recognise with a
"did you mean" guess, the quarantine reasons ranked by how many rows they cost (which source to fix first), the
feed lag per channel, and the six-dimension quality summary.

Why here and not in the loader: the loader must stay silent and fast inside every module; this command is the one
place where a person reads the diagnosis, so it may spend a few lines on suggestions.
"""

from __future__ import annotations

import argparse
import difflib
import sys

import pandas as pd

from helpers.quality.dimensions import feed_lag, quality_report, quality_summary, quarantine_impact
from helpers.tables import TABLES


def suggest_column(table: str, header: str) -> str | None:
    """The contract column an unrecognised ``header`` most likely means (by its name or a Chinese alias)."""
    spec = TABLES.get(table)
    if spec is None:
        return None
    names = {}
    for c in spec.columns:
        for label in (c.name, *c.aliases):
            names.setdefault(label.lower(), c.name)
    close = difflib.get_close_matches(str(header).strip().lower(), list(names), n=1, cutoff=0.6)
    return names[close[0]] if close else None


def unrecognised_columns(ds) -> pd.DataFrame:
    """``table, column, suggestion`` for every source column the loader did not map onto the contract.

    Uses the loader's own ``Dataset.unrecognised`` when it has one (a frame, or ``{table: {column: suggestion}}``
    / ``{table: [column, …]}``); otherwise the columns passed through untouched, with a guess from the contract."""
    cols = ["table", "column", "suggestion"]
    found = getattr(ds, "unrecognised", None)
    rows: list[dict] = []
    if isinstance(found, pd.DataFrame):
        out = found.copy()
        if "suggestion" not in out.columns:
            out["suggestion"] = [suggest_column(t, c) for t, c in zip(out["table"], out["column"], strict=True)]
        return out[cols].reset_index(drop=True)
    if isinstance(found, dict):
        for table, entries in found.items():
            if isinstance(entries, dict):
                items = list(entries.items())
            else:  # [(header, suggestion), …] or [header, …]
                items = [tuple(e) if isinstance(e, tuple | list) else (e, None) for e in entries]
            rows += [{"table": table, "column": c, "suggestion": s or suggest_column(table, c)} for c, s in items]
    else:
        for table, extra in (getattr(ds, "extra_columns", None) or {}).items():
            rows += [{"table": table, "column": c, "suggestion": suggest_column(table, c)} for c in extra]
    return pd.DataFrame(rows, columns=cols)


OUT_OF_SCOPE_COLUMNS = ("rows_out_of_scope", "out_of_scope")


def out_of_scope(ds) -> pd.Series:
    """Rows per table after the as-of date (the loader's ``counts['rows_out_of_scope']``; empty without one)."""
    counts = getattr(ds, "counts", None)
    col = next((c for c in OUT_OF_SCOPE_COLUMNS if counts is not None and c in counts.columns), None)
    if col is None:
        return pd.Series(dtype="int64", name="rows_out_of_scope")
    return counts[col].astype("int64").rename("rows_out_of_scope")


def report_text(ds) -> str:
    """The full diagnosis of a loaded data set as printed by the command.

    A loader whose ``Dataset`` carries ``unrecognised`` prints the out-of-scope rows and the unrecognised columns
    in its own summary; for an older one this adds both sections, so the command says the same either way."""
    lines = [ds.summary(), ""]
    own_sections = hasattr(ds, "unrecognised")
    scope = out_of_scope(ds)
    if len(scope) and not own_sections:
        lines.append("截止日之后的行（不在分析范围内，不是错误，不进隔离表）· rows after the as-of date (out of scope)：")
        lines += [f"  {t:<18} {int(n):>10,}" for t, n in scope.items()]
        lines.append("")
    unknown = unrecognised_columns(ds)
    if len(unknown) and not own_sections:
        lines.append("未识别的列（原样保留，不参与检查）· unrecognised columns (passed through, not checked):")
        for r in unknown.itertuples():
            hint = f"（是不是 {r.suggestion}？did you mean {r.suggestion}?）" if r.suggestion else ""
            lines.append(f"  {r.table}.{r.column}{hint}")
        lines.append("")
    impact = quarantine_impact(ds.quarantine, ds.counts)
    if len(impact):
        lines.append("先修哪个来源：隔离原因按影响行数排序 · fix first: quarantine reasons by rows lost")
        lines += [f"  {r.table:<18} {r.reason:<48} {r.rows:>10,} ({r.share:.2%})" for r in impact.itertuples()]
        lines.append("")
    orders = ds.get("orders")
    if orders is not None and "channel" in orders.columns and len(orders):
        lag = feed_lag(ds)
        lines.append("各渠道数据更新滞后（天）· feed lag per channel (days behind the as-of date):")
        for channel, r in lag.iterrows():
            flag = "  ← 超过时效要求 breaks the SLA" if r["breaks_sla"] else ""
            lines.append(f"  {channel!s:<10} {r['last_day'].date()}  {r['lag_days']}{flag}")
        lines.append("")
    lines.append(quality_summary(quality_report(ds)))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers check",
                                     description="数据质量检查 · load a data set and print its data-quality summary")
    parser.add_argument("--data-dir", default="", help="data directory or orders file (default: datasets/default)")
    parser.add_argument("--as-of", default=None, help="analysis as-of date YYYY-MM-DD (分析截止日)")
    parser.add_argument("--columns", default=None, metavar="FILE",
                        help="YAML column mapping, our field: the export's header (列映射文件)")
    args = parser.parse_args(argv)
    from helpers import data as data_mod

    path = args.data_dir or data_mod.DEFAULT_DATA_DIR
    kwargs = {"as_of": args.as_of} if args.columns is None else {"as_of": args.as_of, "columns": args.columns}
    try:
        ds = data_mod.load(path, **kwargs)
    except data_mod.DataFileError as exc:
        print(f"error / 错误：{exc}", file=sys.stderr)
        return 1
    print(f"数据 · data: {path}  表 · tables: {', '.join(ds.present)}")
    print(report_text(ds))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Which engine runs the per-member work when the user does not say (``--engine auto``): a size rule.

Rule: **pandas below** :data:`DUCKDB_FROM_ORDERS` **orders, DuckDB from there on; Spark only when asked.**
Why 20M: the pandas path (``helpers.behavior.member_summary``) is the fastest engine on one machine up to tens of
millions of orders (benchmarks/bench_summary.py, bench_scale.py), but the report holds the whole orders frame in
pandas (about 60–100 bytes an order with ids as Arrow strings) and the notebooks make copies of parts of it; at 20M
orders that is 1.5–2 GiB per copy, where a 16 GiB laptop starts to run short. DuckDB streams a Parquet export and
never builds the frame. Spark is never chosen by size: it needs Java and pays off only on a cluster.

The size is known without loading: a Parquet file's row count is in its footer; for CSV / xlsx it is estimated
from the file size (:data:`CSV_BYTES_PER_ORDER`).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["choose_engine", "estimate_orders", "DUCKDB_FROM_ORDERS", "CSV_BYTES_PER_ORDER"]

#: orders from which ``auto`` picks DuckDB instead of pandas
DUCKDB_FROM_ORDERS = 20_000_000
#: bytes per order row of a typical CSV export (ids, a timestamp, amounts, a few codes), for the estimate
CSV_BYTES_PER_ORDER = 120


def choose_engine(n_orders: int, *, threshold: int = DUCKDB_FROM_ORDERS) -> str:
    """``"pandas"`` when ``n_orders < threshold``, else ``"duckdb"``."""
    if n_orders < 0:
        raise ValueError("n_orders must be >= 0")
    return "pandas" if n_orders < threshold else "duckdb"


def _orders_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    found = sorted(p for p in path.iterdir() if p.is_file() and p.name.split(".")[0] == "orders")
    if not found:  # a folder of Parquet parts (Spark / DuckDB output)
        found = sorted(path.glob("*.parquet"))
    return found


def estimate_orders(path) -> int:
    """Number of order rows of an export (a file or a data folder's ``orders.*``, or a folder of Parquet parts):
    exact for Parquet (footer), estimated from the size for other formats."""
    import pyarrow.parquet as pq

    total = 0
    for f in _orders_files(Path(path)):
        if f.suffix == ".parquet":
            total += pq.ParquetFile(f).metadata.num_rows
        else:
            total += f.stat().st_size // CSV_BYTES_PER_ORDER
    return int(total)

"""Merge the modules' parts (``<out>/parts/<key>/``) into the run's machine-readable files.

* ``metrics.json``: one key per module plus ``"run"`` (parameters, resolved as-of, input fingerprint, data summary);
* ``tables/*.csv``: each module's tables, copied byte for byte;
* ``tables/member_scores.csv`` (+ ``.parquet``): one row per member on file or in the orders, every column declared
  in :mod:`.columns` whether or not its module ran, read from the modules' Parquet parts with their dtypes;
  ``tables/member_scores_columns.csv`` says what each column means, its dtype and unit;
* ``quarantine/``: the loader's quarantine (one file per table) and the modules' own quarantines.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers import data as hdata

from .columns import all_columns, cast_column, empty_column
from .jsonio import dump_json, write_csv
from .outputs import PARTS, SCORE_NOTES_FILE, SCORES_FILE

__all__ = ["fingerprint", "merge_parts", "merge_member_scores"]

MEMBER_ID_NOTE = ("会员编号。会员档案或订单里出现的每位会员各一行；截止日前没有已支付订单的会员（只有退款、或只有档案）"
                  "以及未运行模块的列为空 · member id: one row per member on file or in the orders; a module's "
                  "columns are empty for members it did not score and when it did not run")


def fingerprint(data_dir: Path) -> dict[str, str]:
    """sha256 of every table file the loader reads (:func:`helpers.data.discover`), by file name (stable across
    machines and runs)."""
    out = {}
    for p in sorted(hdata.discover(Path(data_dir)).values()):
        h = hashlib.sha256()
        with p.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        out[p.name] = h.hexdigest()
    return out


def _all_member_ids(ds) -> pd.Index:
    """Member ids from the members table and the orders, sorted (code-point order, as Python sorts text); empty
    when nothing was loaded. Distinct values first, then the text: at 50M orders a Python set of every order's id
    took 65 s."""
    parts = []
    for name in ("members", "orders"):
        frame = ds.get(name) if ds is not None else None
        if frame is not None and "member_id" in frame.columns:
            parts.append(pd.Series(frame["member_id"].dropna().unique()).astype(str))
    if not parts:
        return pd.Index([], name="member_id", dtype="string")
    ids = pa.array(pd.unique(pd.concat(parts, ignore_index=True).to_numpy(dtype=object)), type=pa.string())
    # Arrow orders text by its UTF-8 bytes, which is code-point order; 3× faster than sorting Python strings
    return pd.Index(pc.take(ids, pc.sort_indices(ids)).to_numpy(zero_copy_only=False), name="member_id",
                    dtype="string")


def merge_member_scores(parts: dict[str, Path], ds, declarations=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(member_scores, column dictionary): every declared column, typed; ``parts``: module key -> its part folder
    (modules that ran)."""
    columns = all_columns(declarations)
    frames: dict[str, pd.DataFrame] = {}
    notes: dict[str, dict[str, str]] = {}
    for key, folder in parts.items():
        if (folder / SCORES_FILE).exists():
            frames[key] = pd.read_parquet(folder / SCORES_FILE)
            frames[key].index = frames[key].index.astype("string")
            notes[key] = json.loads((folder / SCORE_NOTES_FILE).read_text(encoding="utf-8"))
    index = _all_member_ids(ds)
    for df in frames.values():  # a scored member the loader did not list (cannot happen with one snapshot)
        index = index.union(df.index)
    if not index.is_monotonic_increasing:
        index = index.sort_values()
    index = pd.Index(index, name="member_id", dtype="string")
    declared: dict[str, list[str]] = {}
    for key, col in columns:
        declared.setdefault(key, []).append(col.name)
    for key, part in frames.items():  # one alignment per part, not one per column (4.4M ids at 50M orders)
        frames[key] = part[[c for c in declared.get(key, []) if c in part.columns]].reindex(index)
    merged = pd.DataFrame(index=index)
    dictionary = [{"column": "member_id", "module": "", "dtype": "string", "unit": "", "description": MEMBER_ID_NOTE}]
    for key, col in columns:
        part = frames.get(key)
        if part is not None and col.name in part.columns:
            merged[col.name] = cast_column(part[col.name], col)
            description = notes[key].get(col.name) or col.description
        else:
            merged[col.name] = empty_column(col, index)
            why = "模块未运行 / module did not run" if part is None else "本次未计算 / not computed in this run"
            description = f"{col.description} · {why}"
        dictionary.append({"column": col.name, "module": key, "dtype": col.dtype, "unit": col.unit,
                           "description": description})
    return merged, pd.DataFrame(dictionary, columns=["column", "module", "dtype", "unit", "description"])


def write_member_scores(merged: pd.DataFrame, dictionary: pd.DataFrame, tables_dir: Path) -> None:
    merged.to_parquet(tables_dir / "member_scores.parquet", index=True)
    text = merged.copy()
    floats = text.select_dtypes("float").columns
    # model outputs carry float noise past any business meaning; 6 decimals keep CRM imports readable
    text[floats] = text[floats].round(6)
    for c in text.select_dtypes("datetime").columns:
        text[c] = text[c].dt.strftime("%Y-%m-%d").astype("string")
    write_csv(text, tables_dir / "member_scores.csv", index=True)
    write_csv(dictionary, tables_dir / "member_scores_columns.csv")


def merge_parts(out: Path, results: list, ds, run_info: dict[str, Any], declarations=None) -> dict:
    """Write metrics.json, tables/ and quarantine/ from the parts of the modules in ``results`` that ran; fills
    each result's ``skipped``. ``run_info`` becomes ``metrics["run"]``."""
    parts = out / PARTS
    tables_dir = out / "tables"
    quarantine_dir = out / "quarantine"
    tables_dir.mkdir(exist_ok=True)
    quarantine_dir.mkdir(exist_ok=True)

    metrics: dict[str, Any] = {}
    ran: dict[str, Path] = {}
    for r in results:
        if r.status == "not run":
            continue
        d = parts / r.module.key
        ran[r.module.key] = d
        m: dict[str, Any] = {}
        if (d / "metrics.json").exists():
            m = json.loads((d / "metrics.json").read_text(encoding="utf-8"))
        if (d / "skipped.json").exists():
            r.skipped = json.loads((d / "skipped.json").read_text(encoding="utf-8"))
            m["skipped"] = r.skipped
        metrics[r.module.key] = m
        for f in sorted((d / "tables").glob("*.csv")) if (d / "tables").exists() else []:
            target = tables_dir / f.name
            if target.exists() or f.stem.startswith("member_scores"):
                target = tables_dir / f"{r.module.key}_{f.name}"
            shutil.copyfile(f, target)
        for f in sorted((d / "quarantine").glob("*.csv")) if (d / "quarantine").exists() else []:
            shutil.copyfile(f, quarantine_dir / f.name)

    merged, dictionary = merge_member_scores(ran, ds, declarations)
    write_member_scores(merged, dictionary, tables_dir)

    # the loader's quarantine, once: one file per table (out-of-scope rows are counted, never quarantined)
    if ds is not None and len(ds.quarantine):
        for table, part in ds.quarantine.groupby("table", sort=True, observed=True):
            write_csv(part.reset_index(drop=True), quarantine_dir / f"{table}.csv")

    metrics["run"] = run_info
    dump_json(metrics, out / "metrics.json")
    return metrics

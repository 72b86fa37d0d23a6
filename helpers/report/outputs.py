"""Kernel side of the report run: what a module notebook writes (:class:`ModuleOutput`).

Why a class the notebooks call unconditionally: in classroom mode (``output_dir == ""``) every method is a no-op,
so the same notebook serves trainees and the report run. In a report run the parts go to
``<output_dir>/parts/<key>/`` and the runner merges them after the module ran (:mod:`.merge`).

Member scores are written as Parquet with the dtypes declared in :mod:`.columns`, so the merge never guesses a
type back from text (``"007"`` stays ``"007"``, ``"NA"`` stays a string).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pandas as pd

from .columns import cast_column, declared_for
from .jsonio import dump_json, to_jsonable, write_csv

__all__ = ["PARTS", "TABLE_NAME", "ModuleOutput"]

PARTS = "parts"
TABLE_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")
SCORES_FILE = "member_scores.parquet"
SCORE_NOTES_FILE = "member_scores_columns.json"


class ModuleOutput:
    """The parts one module contributes to a report run.

    ``out = ModuleOutput(output_dir, "03_rfm")``; every method is a no-op when ``output_dir`` is ``""``
    (classroom mode), so a notebook calls them unconditionally:

    * ``metrics(dict)``          -> merged into ``metrics.json["03_rfm"]`` (later calls update earlier keys)
    * ``table(name, df)``        -> ``tables/<name>.csv`` (names unique across modules; prefix with the topic)
    * ``member_scores(df, descriptions)`` -> the module's declared columns (:mod:`helpers.report.columns`) of
      ``tables/member_scores.csv`` (index or column member_id); ``descriptions`` (column -> meaning, unit, horizon)
      -> ``tables/member_scores_columns.csv``
    * ``quarantine(df, name)``   -> ``quarantine/<key>[_<name>].csv`` (rows a module rejected, with a reason)
    * ``skip(table, message)``   -> recorded under ``metrics.json[key]["skipped"]`` and shown in index.html;
      returns ``message`` so ``print(out.skip(...))`` tells the reader in the same sentence.
    """

    def __init__(self, output_dir: str | os.PathLike | None, key: str) -> None:
        self.output_dir = "" if output_dir is None else str(output_dir)
        self.key = key
        self.enabled = self.output_dir != ""
        self.dir = Path(self.output_dir) / PARTS / key if self.enabled else None
        self._metrics: dict[str, Any] = {}  # what this module reports, kept in classroom mode too (summary())
        self._tables: dict[str, int] = {}

    def __repr__(self) -> str:
        where = self.dir if self.enabled else "classroom mode, writes nothing"
        return f"ModuleOutput({self.key!r}: {where})"

    def _ensure(self) -> Path:
        assert self.dir is not None
        self.dir.mkdir(parents=True, exist_ok=True)
        return self.dir

    def _update_json(self, name: str, update: dict) -> None:
        path = self._ensure() / name
        current = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        current.update(to_jsonable(update))
        dump_json(current, path)

    def metrics(self, values: dict[str, Any]) -> None:
        if not isinstance(values, dict):
            raise TypeError("metrics() takes a dict of name -> value")
        self._metrics.update(values)
        if self.enabled:
            self._update_json("metrics.json", values)

    def table(self, name: str, df: pd.DataFrame, index: bool = False) -> None:
        if not TABLE_NAME.match(name):
            raise ValueError(f"table name {name!r}: use letters, digits, '_' or '-'")
        if not isinstance(df, pd.DataFrame):
            raise TypeError("table() takes a DataFrame")
        self._tables[name] = len(df)
        if self.enabled:
            write_csv(df, self._ensure() / "tables" / f"{name}.csv", index=index)

    def member_scores(self, df: pd.DataFrame, descriptions: dict[str, str] | None = None) -> None:
        """``df`` indexed by member_id (or with a member_id column), holding this module's declared columns.

        ``descriptions``: column -> what it means, with its unit and horizon (Chinese first, e.g.
        ``"p_alive": "仍活跃的概率 P(alive)，0–1；仅对有重复购买的会员有定义"``). Every column needs one: the runner
        writes them to ``tables/member_scores_columns.csv`` so that a CRM user can read the file without the
        notebook. Descriptions are checked in classroom mode too; the declaration (:mod:`.columns`) only in a report
        run, so a classroom never stops on report bookkeeping."""
        if not isinstance(df, pd.DataFrame):
            raise TypeError("member_scores() takes a DataFrame indexed by member_id")
        if df.index.name != "member_id":
            if "member_id" not in df.columns:
                raise ValueError("member_scores(): index the frame by member_id (or give a member_id column)")
            df = df.set_index("member_id")
        if df.index.has_duplicates:
            raise ValueError("member_scores(): member_id must be unique (one row per member)")
        descriptions = dict(descriptions or {})
        undescribed = [c for c in df.columns if not str(descriptions.get(c, "")).strip()]
        if undescribed:
            raise ValueError(f"member_scores(): describe every column (meaning, unit, horizon) in descriptions=; "
                             f"missing: {undescribed}")
        if not self.enabled:
            return
        declared = declared_for(self.key)
        if declared is None:
            raise ValueError(f"member_scores(): module {self.key!r} declares no member_scores columns; add them to "
                             "helpers/report/columns.py (name, dtype, unit, description)")
        by_name = {c.name: c for c in declared}
        undeclared = [c for c in df.columns if c not in by_name]
        if undeclared:
            raise ValueError(f"member_scores(): columns {undeclared} are not declared for {self.key!r} in "
                             f"helpers/report/columns.py (declared: {list(by_name)})")
        typed = pd.DataFrame({c: cast_column(df[c], by_name[c]) for c in df.columns}, index=df.index)
        typed.index = pd.Index(df.index.astype("string"), name="member_id")
        typed.sort_index().to_parquet(self._ensure() / SCORES_FILE, index=True)
        dump_json({c: descriptions[c] for c in df.columns}, self._ensure() / SCORE_NOTES_FILE)

    def quarantine(self, df: pd.DataFrame, name: str = "") -> None:
        if name and not TABLE_NAME.match(name):
            raise ValueError(f"quarantine name {name!r}: use letters, digits, '_' or '-'")
        if self.enabled:
            fname = f"{self.key}_{name}.csv" if name else f"{self.key}.csv"
            write_csv(df, self._ensure() / "quarantine" / fname)

    def summary(self) -> pd.DataFrame:
        """The module's headline numbers as the report reader sees them: one line saying where the parts went (or
        that classroom mode writes nothing), then a two-column table (指标 · metric, 值 · value) of the scalar
        metrics reported so far; nested ones (per segment, per arm …) are in metrics.json. Prints the line and
        returns the table, so a notebook's appendix ends with ``out.summary()`` rather than a raw dict."""
        tables = "、".join(f"{n}（{rows:,} 行）" for n, rows in self._tables.items()) or "无"
        where = "已写入本次报告（合并到 metrics.json 与 tables/）" if self.enabled else "课堂模式，不写文件"
        print(f"报告输出 {self.key}：{where}；表格：{tables}")
        rows = [(k, v) for k, v in self._metrics.items() if not isinstance(v, dict | list | tuple)]
        return pd.DataFrame(rows, columns=["指标 · metric", "值 · value"]).set_index("指标 · metric")

    def skip(self, table: str, message: str) -> str:
        if self.enabled:
            self._update_json("skipped.json", {table: message})
        return message

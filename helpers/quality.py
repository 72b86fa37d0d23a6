"""Data quality of a member-analytics data set: the four dimensions, injected problems, PII masking, consent.

What
----
* **Quality dimensions** measured on a loaded ``Dataset`` (``helpers.data.load``) or on a plain ``{name: DataFrame}``
  dict (a single DataFrame counts as ``orders``). Every measure returns one tidy frame with the columns
  ``dimension, table, column, check, n_checked, n_failed, share``:

  - :func:`completeness` — missing values per column (``missing_required`` for columns the contract says must be
    filled, ``missing`` for the others); empty / blank strings count as missing.
  - :func:`accuracy` — values that cannot be true: negative amounts, numbers below the contract minimum, implausible
    birth years, ratings outside 1–5, values outside a closed category set, ``net_amount > gross_amount``,
    timestamps after the as-of date.
  - :func:`consistency` — agreement between rows and tables: duplicate keys, foreign keys that point nowhere,
    orders before the member registered, channel that contradicts the store type, order ``gross_amount`` vs the
    sum of its item lines, line amount vs quantity × price, members sharing one masked phone, feedback answered
    before it was written.
  - :func:`security` — cells that look like *unmasked* personal data: 11-digit mainland mobile numbers, 18-digit
    resident ID numbers (checksum-valid) and e-mail addresses (:func:`find_pii` lists them cell by cell).
  - :func:`timeliness` (optional, not part of the report) — how far each table's latest timestamp lags the as-of date.

  :func:`quality_report` stacks the four dimensions; :func:`quality_summary` turns it into a short bilingual text.

* **Injected problems** — :func:`inject_problems` copies the data and plants known problems (missing values,
  duplicate orders, negative amounts, future dates, orders before registration, unmasked phones, order totals that
  disagree with their items) in distinct, otherwise clean rows, and returns the truth of what it planted. Measuring
  before and after (:func:`compare_with_truth`) must find exactly the planted counts — module 01 uses this so that
  trainees can check their measurements against a known answer, and the tests use it to check the checks.

* **PII** — :func:`mask_phone` (``138****5678``), :func:`mask_email` (``z***@example.com``), :func:`mask_id_card`
  (first 6 + last 4 digits kept: the region code stays usable for geography, the 8-digit birth date is hidden),
  :func:`hash_pii` (salted, keyed SHA-256 for linking records without keeping the contact itself) and
  :func:`find_pii`. Masking never returns a digit that was not meant to be shown: input that is not a valid number
  masks to ``None`` rather than being echoed back.

* **Consent** — :func:`contactable` says who may be contacted on a channel: only an explicit ``True`` consent counts.

* :func:`main` is ``python -m helpers check --data-dir DIR [--as-of DATE]``: load, print the loader's counts and
  quarantine reasons, then the quality summary.

Why
---
The loader (``helpers.data``) already quarantines rows that cannot be used at all. What survives can still be
incomplete, implausible, contradictory or unsafe to share; a number that goes into a report or a CRM list needs to
say how good its inputs were, and an analyst needs one place where these rules are written down and tested.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import re
import sys
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from helpers.data import Dataset, isin_str
from helpers.tables import TABLES

__all__ = [
    "CHECK_ZH",
    "DIMENSIONS",
    "PROBLEMS",
    "PROBLEM_ZH",
    "Injected",
    "accuracy",
    "compare_with_truth",
    "completeness",
    "consistency",
    "contactable",
    "fake_mobile",
    "find_pii",
    "hash_pii",
    "id_checksum_ok",
    "inject_problems",
    "main",
    "mask_email",
    "mask_id_card",
    "mask_phone",
    "mask_text",
    "quality_report",
    "quality_summary",
    "report_totals",
    "security",
    "timeliness",
]

#: report dimensions with their Chinese names, in report order
DIMENSIONS = {"completeness": "完整性", "accuracy": "准确性", "consistency": "一致性", "security": "安全性"}

REPORT_COLUMNS = ["dimension", "table", "column", "check", "n_checked", "n_failed", "share"]

#: Chinese names of the checks (for summaries and plots)
CHECK_ZH = {
    "missing": "缺失值",
    "missing_required": "必填字段缺失",
    "negative_amount": "金额为负",
    "below_min": "低于下限",
    "implausible_birth_year": "出生年份不合理",
    "out_of_range": "超出取值范围",
    "not_allowed": "不在允许取值内",
    "net_gt_gross": "实付大于应付",
    "after_as_of": "时间晚于截止日",
    "duplicate_key": "主键重复",
    "orphan_key": "关联不到主表",
    "order_before_registration": "注册前下单",
    "channel_vs_store": "渠道与门店类型不符",
    "gross_vs_items": "订单金额与明细合计不符",
    "line_vs_qty_price": "行金额≠数量×单价",
    "duplicate_masked_phone": "脱敏手机号重复(疑似重复会员)",
    "response_before_created": "响应早于提交",
    "resolved_before_created": "解决早于提交",
    "unmasked_mobile": "未脱敏手机号",
    "unmasked_id_card": "未脱敏身份证号",
    "unmasked_email": "未脱敏邮箱",
}

MONEY_TOL = 0.01  # 元; two amounts closer than this are equal

# --------------------------------------------------------------------------------------------------------------
# input handling


def _frames(data) -> dict[str, pd.DataFrame]:
    """``{table: DataFrame}`` from a Dataset, a dict or a single DataFrame (= orders); absent tables dropped."""
    if isinstance(data, pd.DataFrame):
        return {"orders": data}
    if isinstance(data, Dataset):
        return data.tables
    if isinstance(data, Injected):
        data = data.data
    if isinstance(data, dict):
        return {k: v for k, v in data.items() if isinstance(v, pd.DataFrame)}
    raise TypeError(f"expected a Dataset, a dict of DataFrames or a DataFrame, got {type(data).__name__}")


def _as_of(data, as_of) -> pd.Timestamp | None:
    if as_of is None:
        as_of = getattr(data, "as_of", None)
    return None if as_of is None or as_of == "" else pd.Timestamp(as_of)


def _row(dimension, table, column, check, checked, failed) -> dict:
    return {"dimension": dimension, "table": table, "column": column, "check": check,
            "n_checked": int(np.count_nonzero(checked)), "n_failed": int(np.count_nonzero(failed))}


def _tidy(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=REPORT_COLUMNS[:-1])
    df["n_checked"] = df["n_checked"].astype("int64")
    df["n_failed"] = df["n_failed"].astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        df["share"] = np.where(df["n_checked"] > 0, df["n_failed"] / df["n_checked"].clip(lower=1), 0.0)
    return df[REPORT_COLUMNS]


def _b(mask) -> np.ndarray:
    """Boolean numpy array with NA → False."""
    if isinstance(mask, pd.Series):
        return mask.fillna(False).to_numpy(dtype=bool, copy=True)
    return np.array(mask, dtype=bool)


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").astype("float64")


def _ts(s: pd.Series) -> pd.Series:
    return s if pd.api.types.is_datetime64_any_dtype(s) else pd.to_datetime(s, errors="coerce")


def _is_text(s: pd.Series) -> bool:
    return (pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)
            or isinstance(s.dtype, pd.CategoricalDtype))


def _missing(s: pd.Series) -> np.ndarray:
    miss = s.isna().to_numpy(dtype=bool, copy=True)
    if _is_text(s) and not isinstance(s.dtype, pd.CategoricalDtype):
        blank = s.astype("string").str.strip().eq("")
        miss |= _b(blank)
    elif isinstance(s.dtype, pd.CategoricalDtype):
        cats = pd.Series(s.cat.categories.astype(str)).str.strip().eq("").to_numpy()
        codes = s.cat.codes.to_numpy()
        if len(cats):
            miss |= (codes >= 0) & cats[np.clip(codes, 0, None)]
    return miss


# --------------------------------------------------------------------------------------------------------------
# the four dimensions: each check yields (table, column, check, checked-mask, failed-mask) so that the same rules
# serve the aggregated report and the row-level "clean rows" that inject_problems needs


def _completeness_checks(frames):
    for name, df in frames.items():
        spec = TABLES.get(name)
        for col in df.columns:
            required = False
            if spec is not None and col in spec.column_names:
                c = spec.column(col)
                required = c.required or not c.nullable
            check = "missing_required" if required else "missing"
            yield name, col, check, np.ones(len(df), dtype=bool), _missing(df[col])


def _accuracy_checks(frames, as_of):
    ref_year = (as_of or pd.Timestamp.today()).year
    for name, df in frames.items():
        spec = TABLES.get(name)
        if spec is None:
            continue
        for c in spec.columns:
            if c.name not in df.columns:
                continue
            s = df[c.name]
            if c.kind in ("money", "int", "float") and c.min_value is not None:
                x = _num(s)
                check = "negative_amount" if c.kind == "money" and c.min_value == 0 else "below_min"
                yield name, c.name, check, _b(x.notna()), _b(x < c.min_value)
            if c.allowed is not None:
                present = s.notna() & ~pd.Series(_missing(s), index=s.index)
                if isinstance(s.dtype, pd.CategoricalDtype):
                    ok_cat = np.asarray(s.cat.categories.astype(str).isin(c.allowed), dtype=bool)
                    codes = s.cat.codes.to_numpy()
                    allowed = (codes >= 0) & (ok_cat[np.clip(codes, 0, None)] if len(ok_cat) else False)
                else:
                    allowed = isin_str(s, pd.Series(c.allowed))
                yield name, c.name, "not_allowed", _b(present), _b(present) & ~allowed
            if c.kind == "datetime" and as_of is not None:
                t = _ts(s)
                yield name, c.name, "after_as_of", _b(t.notna()), _b(t >= as_of.normalize() + pd.Timedelta(days=1))
        if name == "members" and "birth_year" in df.columns:
            y = _num(df["birth_year"])
            yield name, "birth_year", "implausible_birth_year", _b(y.notna()), _b((y < ref_year - 100) | (y > ref_year - 14))
        if name == "feedback" and "rating" in df.columns:
            r = _num(df["rating"])
            yield name, "rating", "out_of_range", _b(r.notna()), _b(r.notna() & ((r < 1) | (r > 5) | (r != r.round())))
        if name == "orders" and {"net_amount", "gross_amount"} <= set(df.columns):
            net, gross = _num(df["net_amount"]), _num(df["gross_amount"])
            both = net.notna() & gross.notna()
            yield name, "net_amount", "net_gt_gross", _b(both), _b(net > gross + MONEY_TOL / 2)


def _arrow_strings(s: pd.Series) -> pa.Array:
    arr = pa.array(s.astype("string[pyarrow]").array)
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _consistency_checks(frames):
    for name, df in frames.items():
        spec = TABLES.get(name)
        if spec is None:
            continue
        key = [k for k in spec.key]
        if key and set(key) <= set(df.columns) and len(df):
            dup = df.duplicated(subset=key, keep="first")
            yield name, "+".join(key), "duplicate_key", np.ones(len(df), dtype=bool), _b(dup)
        for col, (ref_table, ref_col) in spec.foreign_keys.items():
            if col not in df.columns or ref_table not in frames or ref_col not in frames[ref_table].columns:
                continue
            present = _b(df[col].notna())
            known = isin_str(df[col], frames[ref_table][ref_col])
            yield name, col, "orphan_key", present, present & ~known

    orders = frames.get("orders")
    members = frames.get("members")
    if orders is not None and members is not None and {"member_id", "order_ts"} <= set(orders.columns) \
            and {"member_id", "register_ts"} <= set(members.columns):
        reg = members.drop_duplicates("member_id").set_index(members["member_id"].drop_duplicates().astype("string"))
        reg_ts = _ts(reg["register_ts"])
        mapped = orders["member_id"].astype("string").map(reg_ts)
        ts = _ts(orders["order_ts"])
        checked = ts.notna() & mapped.notna()
        # same rule as the loader: an earlier calendar day than the registration (same day is accepted, POS
        # systems often stamp the registration seconds after the first purchase)
        early = ts.dt.normalize() < mapped.dt.normalize()
        yield "orders", "order_ts", "order_before_registration", _b(checked), _b(checked & early)
    stores = frames.get("stores")
    if orders is not None and stores is not None and {"store_id", "channel"} <= set(orders.columns) \
            and {"store_id", "store_type"} <= set(stores.columns):
        st = stores.drop_duplicates("store_id")
        kind = pd.Series(st["store_type"].astype("string").to_numpy(), index=st["store_id"].astype("string"))
        mapped = orders["store_id"].astype("string").map(kind)
        ch = orders["channel"].astype("string")
        checked = mapped.notna() & ch.notna()
        yield "orders", "channel", "channel_vs_store", _b(checked), _b(checked & (ch != mapped))
    items = frames.get("order_items")
    if orders is not None and items is not None and {"order_id", "gross_amount"} <= set(orders.columns) \
            and {"order_id", "line_amount"} <= set(items.columns):
        sums = _num(items["line_amount"]).groupby(items["order_id"].astype("string")).sum(min_count=1)
        mapped = orders["order_id"].astype("string").map(sums)
        gross = _num(orders["gross_amount"])
        checked = mapped.notna() & gross.notna()
        yield "orders", "gross_amount", "gross_vs_items", _b(checked), _b(checked & ((gross - mapped).abs() > MONEY_TOL))
    if items is not None and {"quantity", "unit_price", "line_amount"} <= set(items.columns):
        q, p, line = _num(items["quantity"]), _num(items["unit_price"]), _num(items["line_amount"])
        checked = q.notna() & p.notna() & line.notna()
        yield "order_items", "line_amount", "line_vs_qty_price", _b(checked), _b(checked & ((q * p - line).abs() > MONEY_TOL))
    if members is not None and "phone_masked" in members.columns:
        ph = members["phone_masked"].astype("string")
        present = ph.notna() & ph.str.strip().ne("")
        dup = present & ph.where(present).duplicated(keep="first")
        yield "members", "phone_masked", "duplicate_masked_phone", _b(present), _b(dup)
    fb = frames.get("feedback")
    if fb is not None and "created_ts" in fb.columns:
        created = _ts(fb["created_ts"])
        for col, check in (("first_response_ts", "response_before_created"), ("resolved_ts", "resolved_before_created")):
            if col in fb.columns:
                t = _ts(fb[col])
                checked = t.notna() & created.notna()
                yield "feedback", col, check, _b(checked), _b(checked & (t < created))


def _security_checks(frames):
    for name, df in frames.items():
        for col in df.columns:
            s = df[col]
            if not _is_text(s):
                continue
            found = _scan_pii(s)
            present = _b(s.notna())
            for kind, mask in found.items():
                yield name, col, f"unmasked_{kind}", present, mask


_CHECKS = {
    "completeness": lambda frames, as_of: _completeness_checks(frames),
    "accuracy": _accuracy_checks,
    "consistency": lambda frames, as_of: _consistency_checks(frames),
    "security": lambda frames, as_of: _security_checks(frames),
}


def _measure(dimension: str, data, as_of=None) -> pd.DataFrame:
    frames = _frames(data)
    rows = [_row(dimension, t, c, k, checked, failed)
            for t, c, k, checked, failed in _CHECKS[dimension](frames, _as_of(data, as_of))]
    return _tidy(rows)


def completeness(data) -> pd.DataFrame:
    """Missing values per table and column (NA, empty or blank strings). ``missing_required`` rows are the columns
    the data contract requires to be filled; 1 − share is the required-field coverage."""
    return _measure("completeness", data)


def accuracy(data, as_of=None) -> pd.DataFrame:
    """Values that cannot be true: below the contract minimum (negative amounts …), implausible birth years,
    ratings outside 1–5, categories outside their closed set, net > gross, timestamps after ``as_of``
    (defaults to ``data.as_of``; the after-as-of check is skipped without one)."""
    return _measure("accuracy", data, as_of)


def consistency(data) -> pd.DataFrame:
    """Agreement within and between tables (duplicate keys, orphan foreign keys, orders before registration,
    channel vs store type, order gross vs item lines, line vs quantity × price, duplicate masked phones,
    feedback answered before it was written). Checks whose tables are absent are left out."""
    return _measure("consistency", data)


def security(data) -> pd.DataFrame:
    """Cells in text columns that hold an unmasked mobile number, resident ID number or e-mail address."""
    return _measure("security", data)


def quality_report(data, as_of=None) -> pd.DataFrame:
    """All four dimensions in one tidy frame: dimension, table, column, check, n_checked, n_failed, share."""
    frames = _frames(data)
    as_of = _as_of(data, as_of)
    parts = [_measure(dim, frames, as_of) for dim in DIMENSIONS]
    return pd.concat(parts, ignore_index=True)


def timeliness(data, as_of=None) -> pd.DataFrame:
    """Latest timestamp per table and datetime column and its lag behind ``as_of`` in days (optional dimension)."""
    frames = _frames(data)
    as_of = _as_of(data, as_of)
    rows = []
    for name, df in frames.items():
        spec = TABLES.get(name)
        for col in df.columns:
            if spec is not None and col in spec.column_names and spec.column(col).kind != "datetime":
                continue
            if not pd.api.types.is_datetime64_any_dtype(df[col]):
                continue
            latest = df[col].max()
            lag = (as_of.normalize() - latest.normalize()).days if as_of is not None and pd.notna(latest) else None
            rows.append({"table": name, "column": col, "latest": latest, "lag_days": lag})
    return pd.DataFrame(rows, columns=["table", "column", "latest", "lag_days"])


def report_totals(report: pd.DataFrame) -> pd.DataFrame:
    """Per dimension of a :func:`quality_report` (index: the :data:`DIMENSIONS`, in report order; int columns):

    * ``checks`` — rule checks, i.e. every row except the ``missing`` counts of optional columns;
    * ``failing`` — those of them with at least one failed value;
    * ``problems`` — their failed values (sum of ``n_failed``);
    * ``optional_missing`` — empty cells in optional columns (the ``missing`` rows: gaps, not errors).

    :func:`quality_summary` prints these; module 01 reports them."""
    rule = report["check"] != "missing"
    parts = pd.DataFrame({"dimension": report["dimension"], "checks": rule.astype("int64"),
                          "failing": (rule & (report["n_failed"] > 0)).astype("int64"),
                          "problems": report["n_failed"].where(rule, 0).astype("int64"),
                          "optional_missing": report["n_failed"].where(~rule, 0).astype("int64")})
    totals = parts.groupby("dimension").sum().reindex(list(DIMENSIONS), fill_value=0).astype("int64")
    totals.index.name = "dimension"
    return totals


def quality_summary(report: pd.DataFrame, top: int = 12) -> str:
    """A short bilingual text: per dimension how many checks ran and failed, then the largest problems."""
    lines = ["数据质量摘要 · Data-quality summary"]
    for dim, t in report_totals(report).iterrows():
        line = (f"  {DIMENSIONS[dim]} {dim}: {t['checks']} 项检查 checks, {t['failing']} 项有问题 failing, "
                f"{t['problems']} 处问题 problems")
        if dim == "completeness":
            line += (f";另有可选字段空值 {t['optional_missing']} 处 "
                     f"(+ {t['optional_missing']} empty cells in optional columns)")
        lines.append(line)
    bad = report[(report["n_failed"] > 0) & (report["check"] != "missing")]
    bad = bad.sort_values(["n_failed", "dimension"], ascending=[False, True]).head(top)
    if len(bad):
        lines.append("  主要问题 main problems:")
        for r in bad.itertuples():
            zh = CHECK_ZH.get(r.check, r.check)
            lines.append(f"    - {r.table}.{r.column} {zh} ({r.check}): {r.n_failed} / {r.n_checked} "
                         f"({r.share:.2%})")
    else:
        lines.append("  未发现问题(可选字段的缺失值除外)· no problems found (apart from gaps in optional fields)")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------------
# injected problems


@dataclass
class Injected:
    """A copy of the data with planted problems: ``data`` ({table: DataFrame}), ``truth`` (one row per planted
    problem: problem, dimension, table, column, check, n_injected) and ``rows`` (problem → index labels touched;
    for ``duplicates`` the labels of the added copies)."""

    data: dict[str, pd.DataFrame]
    truth: pd.DataFrame
    rows: dict[str, pd.Index] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)

    # Dataset-like access so that quality functions and notebooks can treat it like a loaded data set
    @property
    def present(self) -> tuple[str, ...]:
        return tuple(self.data)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.data[name]

    def __contains__(self, name: str) -> bool:
        return name in self.data


#: problem → (dimension, table, column, check) that must count it
PROBLEMS = {
    "missing_member_id": ("completeness", "orders", "member_id", "missing_required"),
    "missing_net_amount": ("completeness", "orders", "net_amount", "missing_required"),
    "missing_store_id": ("completeness", "orders", "store_id", "missing"),
    "duplicates": ("consistency", "orders", "order_id", "duplicate_key"),
    "negative_amounts": ("accuracy", "orders", "net_amount", "negative_amount"),
    "future_dates": ("accuracy", "orders", "order_ts", "after_as_of"),
    "before_registration": ("consistency", "orders", "order_ts", "order_before_registration"),
    "inconsistent_totals": ("consistency", "orders", "gross_amount", "gross_vs_items"),
    "unmasked_phones": ("security", "members", "phone_masked", "unmasked_mobile"),
}

#: Chinese names of the injected problems (for tables and plots)
PROBLEM_ZH = {
    "missing_member_id": "缺会员ID",
    "missing_net_amount": "缺实付金额",
    "missing_store_id": "缺门店ID",
    "duplicates": "重复订单",
    "negative_amounts": "金额为负",
    "future_dates": "未来日期",
    "before_registration": "注册前下单",
    "inconsistent_totals": "金额与明细不符",
    "unmasked_phones": "未脱敏手机号",
}

DEFAULT_RATES = {
    "missing": 0.01, "duplicates": 0.005, "negative_amounts": 0.005, "future_dates": 0.003,
    "before_registration": 0.003, "inconsistent_totals": 0.005, "unmasked_phones": 0.01,
}


def _failing_rows(frames, table: str, as_of) -> np.ndarray:
    """Rows of ``table`` that fail any row-level check (completeness only for contract-required columns)."""
    df = frames[table]
    spec = TABLES.get(table)
    # only the tables this one's checks can involve: itself, what it references, and (for orders) its items
    related = {table} | ({ref for ref, _ in spec.foreign_keys.values()} if spec is not None else set())
    if table == "orders":
        related |= {"members", "stores", "order_items"}
    own = {table: df}
    sub = {name: frames[name] for name in frames if name in related}
    bad = np.zeros(len(df), dtype=bool)
    for dim, gen in _CHECKS.items():
        for t, _col, check, _checked, failed in gen(sub if dim == "consistency" else own, as_of):
            if t != table or (dim == "completeness" and check == "missing"):
                continue
            bad |= failed
    return bad


def fake_mobile(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` random 11-digit mainland-style mobile numbers (for planting in memory only; never written to disk)."""
    second = rng.integers(3, 10, size=n)
    rest = rng.integers(0, 10**9, size=n)
    return [f"1{a}{b:09d}" for a, b in zip(second, rest, strict=True)]


def inject_problems(data, seed: int | np.random.Generator = 0, *, as_of=None, missing: float | None = None,
                    duplicates: float | None = None, negative_amounts: float | None = None,
                    future_dates: float | None = None, before_registration: float | None = None,
                    inconsistent_totals: float | None = None, unmasked_phones: float | None = None) -> Injected:
    """Copy ``data`` and plant known problems; return an :class:`Injected` with the dirty copy and the truth.

    Rates are shares of the rows of the touched table (``missing`` applies to each of ``orders.member_id``,
    ``net_amount`` and ``store_id``); ``None`` takes :data:`DEFAULT_RATES`, 0 switches a problem off. Every problem
    lands on distinct rows that passed every row-level check before, so that measuring the dirty copy finds exactly
    the planted counts on top of what the clean data already had (see :func:`compare_with_truth`). Problems whose
    tables are absent (e.g. no ``members`` for unmasked phones) are skipped and listed in ``.skipped``.
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    rates = dict(DEFAULT_RATES)
    for k, v in {"missing": missing, "duplicates": duplicates, "negative_amounts": negative_amounts,
                 "future_dates": future_dates, "before_registration": before_registration,
                 "inconsistent_totals": inconsistent_totals, "unmasked_phones": unmasked_phones}.items():
        if v is not None:
            rates[k] = float(v)
    frames = {k: v.copy() for k, v in _frames(data).items()}
    as_of = _as_of(data, as_of)
    if "orders" not in frames:
        raise ValueError("inject_problems needs an orders table / 需要订单表 orders")
    orders = frames["orders"]
    if as_of is None:
        as_of = _ts(orders["order_ts"]).max().normalize()

    clean = ~_failing_rows(frames, "orders", as_of)
    # a candidate row is also complete in the columns we blank out and positive in the amount we negate
    for col in ("member_id", "net_amount", "store_id"):
        if col in orders.columns:
            clean &= ~_missing(orders[col])
    if "net_amount" in orders.columns:
        clean &= _b(_num(orders["net_amount"]) > 0)
    pool = rng.permutation(np.flatnonzero(clean))
    used = np.zeros(len(orders), dtype=bool)
    n = len(orders)
    rows: dict[str, pd.Index] = {}
    skipped: dict[str, str] = {}

    def take(k: int, ok: np.ndarray | None = None) -> np.ndarray:
        """``k`` unused clean positions (in the shuffled order), optionally restricted to ``ok``."""
        free = pool[~used[pool]]
        if ok is not None:
            free = free[ok[free]]
        chosen = free[:k]
        used[chosen] = True
        return chosen

    def count(rate: float) -> int:
        return int(round(rate * n)) if rate > 0 else 0

    idx = orders.index
    # duplicates first: copies of clean rows, appended under fresh index labels
    if "order_id" in orders.columns:
        dup_pos = take(count(rates["duplicates"]))
    else:
        dup_pos = np.zeros(0, dtype=int)
        skipped["duplicates"] = "orders has no order_id column / 订单表没有订单号,无法判断重复"
    # the remaining problems go to other clean rows (positions in the original frame)
    plan: dict[str, np.ndarray] = {}
    for col in ("member_id", "net_amount", "store_id"):
        problem = f"missing_{col}"
        if col in orders.columns:
            plan[problem] = take(count(rates["missing"]))
        else:
            skipped[problem] = f"orders has no {col} column"
    plan["negative_amounts"] = take(count(rates["negative_amounts"]))
    plan["future_dates"] = take(count(rates["future_dates"]))

    members = frames.get("members")
    if members is not None and "register_ts" in members.columns:
        reg = _ts(members.drop_duplicates("member_id").set_index("member_id")["register_ts"])
        reg.index = reg.index.astype("string")
        reg_of = orders["member_id"].astype("string").map(reg)
        ok = _b(reg_of.notna())
        plan["before_registration"] = take(count(rates["before_registration"]), ok)
    else:
        skipped["before_registration"] = "no members table with register_ts / 没有会员注册时间"
    items = frames.get("order_items")
    if items is not None and {"order_id", "line_amount"} <= set(items.columns) and "gross_amount" in orders.columns:
        has_items = isin_str(orders["order_id"], items["order_id"])
        ok = has_items & _b(_num(orders["gross_amount"]).notna())
        plan["inconsistent_totals"] = take(count(rates["inconsistent_totals"]), ok)
    else:
        skipped["inconsistent_totals"] = "no order_items table / 没有订单明细表"

    orders = orders.copy()
    for problem, pos in plan.items():
        if not len(pos):
            continue
        labels = idx[pos]
        if problem.startswith("missing_"):
            col = problem[len("missing_"):]
            orders.loc[labels, col] = pd.NA if not pd.api.types.is_float_dtype(orders[col]) else np.nan
        elif problem == "negative_amounts":
            orders.loc[labels, "net_amount"] = -_num(orders.loc[labels, "net_amount"]).abs()
        elif problem == "future_dates":
            shift = pd.to_timedelta(rng.integers(1, 366, size=len(pos)), unit="D")
            base = as_of.normalize() + pd.Timedelta(days=1) + pd.to_timedelta(rng.integers(0, 86400, size=len(pos)), unit="s")
            orders.loc[labels, "order_ts"] = (base + shift).to_numpy()
        elif problem == "before_registration":
            before = reg_of.iloc[pos] - pd.to_timedelta(rng.integers(1, 91, size=len(pos)), unit="D")
            orders.loc[labels, "order_ts"] = before.to_numpy()
        elif problem == "inconsistent_totals":
            bump = np.round(rng.uniform(1, 50, size=len(pos)), 2)
            orders.loc[labels, "gross_amount"] = _num(orders.loc[labels, "gross_amount"]).to_numpy() + bump
        rows[problem] = pd.Index(labels)

    if len(dup_pos):
        copies = frames["orders"].iloc[dup_pos].copy()
        start = int(idx.max()) + 1 if len(idx) and pd.api.types.is_integer_dtype(idx) else 0
        copies.index = pd.RangeIndex(start, start + len(copies))
        orders = pd.concat([orders, copies])
        rows["duplicates"] = pd.Index(copies.index)
    frames["orders"] = orders

    if members is not None and "phone_masked" in members.columns:
        mclean = ~_failing_rows(frames, "members", as_of) & ~_missing(members["phone_masked"])
        k = int(round(rates["unmasked_phones"] * len(members)))
        pos = rng.permutation(np.flatnonzero(mclean))[:k]
        if len(pos):
            members = members.copy()
            labels = members.index[pos]
            members["phone_masked"] = members["phone_masked"].astype("string")
            members.loc[labels, "phone_masked"] = fake_mobile(rng, len(pos))
            frames["members"] = members
            rows["unmasked_phones"] = pd.Index(labels)
    else:
        skipped["unmasked_phones"] = "no members.phone_masked / 没有会员手机号字段"

    truth = pd.DataFrame(
        [{"problem": p, "dimension": PROBLEMS[p][0], "table": PROBLEMS[p][1], "column": PROBLEMS[p][2],
          "check": PROBLEMS[p][3], "n_injected": len(r)} for p, r in rows.items()],
        columns=["problem", "dimension", "table", "column", "check", "n_injected"],
    )
    truth["n_injected"] = truth["n_injected"].astype("int64")
    return Injected(data=frames, truth=truth, rows=rows, skipped=skipped)


def compare_with_truth(before: pd.DataFrame, after: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Join the planted truth with the measured increase (after − before) of the matching checks.

    Returns truth's columns plus ``n_before``, ``n_after``, ``n_found`` (= after − before) and ``match``."""
    key = ["dimension", "table", "column", "check"]
    b = before.set_index(key)["n_failed"].rename("n_before")
    a = after.set_index(key)["n_failed"].rename("n_after")
    out = truth.join(b, on=key).join(a, on=key)
    out[["n_before", "n_after"]] = out[["n_before", "n_after"]].fillna(0).astype("int64")
    out["n_found"] = out["n_after"] - out["n_before"]
    out["match"] = out["n_found"] == out["n_injected"]
    return out


# --------------------------------------------------------------------------------------------------------------
# PII: detection, masking, hashing

_SEP = r"(?:^|[^0-9A-Za-z])"
_END = r"(?:$|[^0-9A-Za-z])"
_MOBILE_RE = _SEP + r"(?:\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}" + _END
_ID_RE = (r"(?:[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx])")
_ID_FULL = _SEP + _ID_RE + _END
_EMAIL_RE = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_ID_PY = re.compile(r"(?<![0-9A-Za-z])" + _ID_RE + r"(?![0-9A-Za-z])")
_MOBILE_PY = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9A-Za-z])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_checksum_ok(number: str) -> bool:
    """ISO 7064 MOD 11-2 check digit of an 18-character mainland resident ID number."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def _scan_pii(s: pd.Series) -> dict[str, np.ndarray]:
    """kind → boolean mask of cells in ``s`` holding that kind of unmasked PII."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = pd.Series(s.cat.categories.astype(str))
        inner = _scan_pii(cats) if len(cats) else {k: np.zeros(0, dtype=bool) for k in ("mobile", "id_card", "email")}
        codes = s.cat.codes.to_numpy()
        return {k: (codes >= 0) & (m[np.clip(codes, 0, None)] if len(m) else False) for k, m in inner.items()}
    arr = _arrow_strings(s)
    non_ascii = pc.invert(pc.string_is_ascii(arr)).fill_null(False).to_numpy(zero_copy_only=False)
    if non_ascii.any():  # full-width digits and ＠ hide PII from a plain regex: NFKC-normalise (only where needed)
        values = arr.to_pylist()
        for i in np.flatnonzero(non_ascii):
            values[i] = unicodedata.normalize("NFKC", values[i])
        arr = pa.array(values, type=pa.string())

    def match(pattern: str) -> np.ndarray:
        return pc.match_substring_regex(arr, pattern).fill_null(False).to_numpy(zero_copy_only=False).copy()

    out = {"mobile": match(_MOBILE_RE)}
    cand = match(_ID_FULL)
    if cand.any():
        sub = pd.Series(arr.filter(pa.array(cand)).to_pylist(), dtype=object)
        ok = sub.map(lambda v: any(id_checksum_ok(m) for m in _ID_PY.findall(v)))
        cand[cand] = ok.to_numpy(dtype=bool)
    out["id_card"] = cand
    out["email"] = match(_EMAIL_RE)
    return out


def find_pii(df: pd.DataFrame, columns=None) -> pd.DataFrame:
    """Cells of text columns that hold unmasked PII: one row per (row, column, kind) with a masked preview.

    Columns: ``column``, ``row`` (index label), ``kind`` (mobile / id_card / email), ``preview`` (the cell with every
    PII match masked, so the result itself is safe to show)."""
    cols = [c for c in (columns or df.columns) if _is_text(df[c])]
    recs = []
    for col in cols:
        for kind, mask in _scan_pii(df[col]).items():
            for label in df.index[mask]:
                recs.append({"column": col, "row": label, "kind": kind, "preview": mask_text(str(df.at[label, col]))})
    return pd.DataFrame(recs, columns=["column", "row", "kind", "preview"])


def mask_text(text: str) -> str:
    """Mask every mobile number, ID number and e-mail address inside free text."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(_EMAIL_RE, lambda m: mask_email(m.group(0)) or "***", text)
    text = _ID_PY.sub(lambda m: mask_id_card(m.group(0)) or "***", text)
    text = _MOBILE_PY.sub(lambda m: mask_phone(m.group(0)) or "***", text)
    return text


_PHONE_STRIP = re.compile(r"[\s\-()()]")
_PHONE_OK = re.compile(r"^(?:\+?0{0,2}86)?(1[3-9][0-9])([0-9]{4})([0-9]{4})$")
_PHONE_MASKED = re.compile(r"^(1[3-9][0-9])\*{4}([0-9]{4})$")


def _normalise_phone(value) -> str | None:
    """11-digit mobile number from common spellings (+86, 0086, spaces, dashes, full-width digits), else None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    v = _PHONE_STRIP.sub("", unicodedata.normalize("NFKC", str(value)))
    m = _PHONE_OK.match(v)
    return "".join(m.groups()) if m else None


def _mask_phone_one(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    digits = _normalise_phone(value)
    if digits is not None:
        return f"{digits[:3]}****{digits[-4:]}"
    v = _PHONE_STRIP.sub("", unicodedata.normalize("NFKC", str(value)))
    return v if _PHONE_MASKED.match(v) else None


def mask_phone(value):
    """``"13812345678" → "138****5678"``; also ``+86 138-1234-5678``, ``0086…``, full-width digits.

    Already-masked values pass through; anything that is not a mainland mobile number returns ``None`` (never the
    input, which might carry digits). A Series gives a ``string`` Series with ``<NA>`` for invalid cells."""
    if isinstance(value, pd.Series):
        uniq = pd.unique(value.dropna())
        table = {u: _mask_phone_one(u) for u in uniq}
        return value.map(table).astype("string")
    return _mask_phone_one(value)


def _mask_email_one(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    v = unicodedata.normalize("NFKC", str(value)).strip()
    m = re.fullmatch(r"([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})", v)
    if not m:
        return v if re.fullmatch(r"[A-Za-z0-9]?\*{3}@[A-Za-z0-9.-]+", v) else None
    return f"{m.group(1)[0]}***@{m.group(2).lower()}"


def mask_email(value):
    """``"Zhang.San@Example.com" → "Z***@example.com"``: first character of the local part, then ``***``.
    Invalid input → ``None``; a Series gives a ``string`` Series."""
    if isinstance(value, pd.Series):
        return value.map(_mask_email_one, na_action="ignore").astype("string")
    return _mask_email_one(value)


def _mask_id_one(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    v = re.sub(r"\s", "", unicodedata.normalize("NFKC", str(value))).upper()
    if re.fullmatch(r"[0-9]{17}[0-9X]", v):
        return f"{v[:6]}********{v[-4:]}"
    return v if re.fullmatch(r"[0-9]{6}\*{8}[0-9]{3}[0-9X]", v) else None


def mask_id_card(value):
    """18-character resident ID → first 6 and last 4 kept: ``"110101199003071234" → "110101********1234"``.

    The first six digits are the issuing region (useful for geography, shared by a whole district); the hidden eight
    are the birth date, which together with region and sex would nearly identify a person. Invalid → ``None``."""
    if isinstance(value, pd.Series):
        return value.map(_mask_id_one, na_action="ignore").astype("string")
    return _mask_id_one(value)


def _normalise_pii(value, kind: str) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    v = unicodedata.normalize("NFKC", str(value)).strip()
    if kind in ("phone", "auto"):
        phone = _normalise_phone(v)
        if phone is not None:
            return phone
        if kind == "phone":
            return None
    if kind in ("email", "auto") and "@" in v:
        return v.lower()
    if kind in ("id_card", "auto") and re.fullmatch(r"[0-9]{17}[0-9Xx]", re.sub(r"\s", "", v)):
        return re.sub(r"\s", "", v).upper()
    if kind in ("email", "id_card"):
        return None
    return v or None  # "auto" fallback and "text": trimmed NFKC text


def hash_pii(value, salt: str, kind: str = "auto"):
    """Salted SHA-256 (HMAC-SHA256 keyed with ``salt``) hex digest of a normalised contact value.

    ``kind`` is ``"phone"`` (+86, spaces, dashes removed → 11 digits), ``"email"`` (lower-cased), ``"id_card"``
    (upper-case X), ``"text"`` (trimmed NFKC text) or ``"auto"`` (tries phone, e-mail, ID in that order, else
    text). The salt is required and must be
    kept apart from the data (a secret of the team, not a column): phone numbers are only ~10¹⁰ possibilities, so
    without a secret salt anyone could hash them all and reverse the column. Same value + salt ⇒ same hash (so
    tables can still be joined); a different salt ⇒ unrelated hashes. Missing / invalid input ⇒ ``None`` / ``<NA>``.
    """
    if not isinstance(salt, str) or not salt:
        raise ValueError("hash_pii needs a non-empty salt / 需要提供非空的盐值 salt(不要与数据存放在一起)")
    if kind not in ("auto", "phone", "email", "id_card", "text"):
        raise ValueError(f"unknown kind {kind!r}")
    key = salt.encode("utf-8")

    def one(v):
        norm = _normalise_pii(v, kind)
        if norm is None:
            return None
        return hmac.new(key, norm.encode("utf-8"), hashlib.sha256).hexdigest()

    if isinstance(value, pd.Series):
        uniq = pd.unique(value.dropna())
        table = {u: one(u) for u in uniq}
        return value.map(table).astype("string")
    return one(value)


# --------------------------------------------------------------------------------------------------------------
# consent

CONSENT_COLUMNS = {"sms": "sms_consent", "email": "email_consent"}


def contactable(members: pd.DataFrame, channel: str = "sms") -> pd.Series:
    """Boolean Series (index of ``members``): may this member receive marketing on ``channel`` ("sms" / "email")?

    Only an explicit ``True`` consent counts — missing (NA) is *no* consent, as PIPL requires an affirmative opt-in.
    For SMS the member must also have a phone on file (``phone_masked`` filled) when that column exists."""
    col = CONSENT_COLUMNS.get(channel)
    if col is None:
        raise ValueError(f"unknown channel {channel!r}; use one of {sorted(CONSENT_COLUMNS)} / 未知渠道")
    if col not in members.columns:
        raise KeyError(f"members has no {col} column / 会员表缺少授权字段 {col}")
    flag = members[col]
    if not pd.api.types.is_bool_dtype(flag):
        flag = flag.map(lambda v: str(v).strip().lower() in {"true", "1", "yes", "y", "是", "同意"} if pd.notna(v) else False)
    ok = flag.astype("boolean").fillna(False).astype(bool)
    if channel == "sms" and "phone_masked" in members.columns:
        ok &= ~pd.Series(_missing(members["phone_masked"]), index=members.index)
    return ok.rename(f"contactable_{channel}")


# --------------------------------------------------------------------------------------------------------------
# command line: python -m helpers check


def main(argv: list[str] | None = None) -> int:
    """``python -m helpers check --data-dir DIR [--as-of DATE]``: loader counts, quarantine and quality summary."""
    parser = argparse.ArgumentParser(prog="python -m helpers check",
                                     description="数据质量检查 · load a data set and print its data-quality summary")
    parser.add_argument("--data-dir", default="", help="data directory or orders file (default: datasets/default)")
    parser.add_argument("--as-of", default=None, help="analysis date YYYY-MM-DD (分析截止日期)")
    args = parser.parse_args(argv)
    from helpers import data as data_mod

    path = args.data_dir or data_mod.DEFAULT_DATA_DIR
    try:
        ds = data_mod.load(path, as_of=args.as_of)
    except data_mod.DataFileError as exc:
        print(f"error / 错误: {exc}", file=sys.stderr)
        return 1
    print(f"数据 · data: {path}  表 · tables: {', '.join(ds.present)}")
    print(ds.summary())
    print()
    print(quality_summary(quality_report(ds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

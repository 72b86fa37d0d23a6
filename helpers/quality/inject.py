"""Plant known problems in a copy of the data and check that the quality rules find exactly what was planted.

:func:`inject_problems` copies the data and plants missing values, duplicate orders, negative amounts, future
dates, orders before registration, order totals that disagree with their items and unmasked phones, each in
distinct rows that passed every row-level rule before, and returns the truth of what it planted.
:func:`compare_with_truth` joins that truth with the measured increase (after − before). :func:`sample_by_members`
keeps the demonstration on a member sample when an export is big: planting and re-measuring every check on tens of
millions of orders teaches nothing more than on one million, and cost module 01 about three minutes at 50M orders.

Why: a check that is never shown a known problem may silently count nothing. Module 01 uses this so that trainees
can check their measurements against a known answer, and the tests use it to check the checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from helpers.data import isin_str
from helpers.quality._base import _as_of, _b, _frames, _missing, _num, _ts, cutoff, reference_date
from helpers.quality.pii import fake_mobile
from helpers.quality.rules import rules
from helpers.tables import LOAD_ORDER, TABLES


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
    "duplicates": ("uniqueness", "orders", "order_id", "duplicate_key"),
    "negative_amounts": ("accuracy", "orders", "net_amount", "negative_amount"),
    "future_dates": ("accuracy", "orders", "order_ts", "after_as_of"),
    "before_registration": ("consistency", "orders", "order_ts", "order_before_registration"),
    "inconsistent_totals": ("consistency", "orders", "gross_amount", "gross_vs_items"),
    "unmasked_phones": ("security", "members", "phone_masked", "unmasked_mobile"),
}

#: Chinese names of the injected problems (for tables and plots)
PROBLEM_ZH = {
    "missing_member_id": "缺会员 ID",
    "missing_net_amount": "缺实付金额",
    "missing_store_id": "缺门店 ID",
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
    """Rows of ``table`` that fail any row-level rule (completeness only for contract-required columns)."""
    df = frames[table]
    spec = TABLES.get(table)
    # only the tables this one's checks can involve: itself, what it references, and (for orders) its items
    related = {table} | ({ref for ref, _ in spec.foreign_keys.values()} if spec is not None else set())
    if table == "orders":
        related |= {"members", "stores", "order_items"}
    sub = {name: frames[name] for name in frames if name in related}
    ref = as_of.normalize() if as_of is not None else reference_date(sub)
    bad = np.zeros(len(df), dtype=bool)
    for dim in ("completeness", "accuracy", "consistency", "timeliness", "uniqueness", "security"):
        frames_dim = sub if dim in ("consistency", "timeliness") else {table: df}
        for t, _col, check, _checked, failed in rules(dim, frames_dim, as_of, ref):
            if t != table or len(failed) != len(df) or (dim == "completeness" and check == "missing"):
                continue
            bad |= failed
    return bad


def sample_by_members(data, max_orders: int, seed: int = 0):
    """``data`` itself when it has at most ``max_orders`` orders (or ``max_orders`` is 0); else ``{table: DataFrame}``
    restricted to a seeded sample of members holding about ``max_orders`` orders.

    A member is in the sample when a keyed hash of their id (key from ``seed``) falls below the share
    ``max_orders / orders``: the same members in every table, whatever the row order, on every machine. Kept:
    the rows of every table with a ``member_id`` whose member is sampled (a row without a member id belongs to no
    member and is left out); the rows that reference a kept row of such a table through a foreign key (order lines
    of kept orders); tables with neither (stores, products, campaigns) whole. Measure the sample before and after planting, so that both sides of
    :func:`compare_with_truth` see the same rows."""
    max_orders = int(max_orders)
    if max_orders < 0:
        raise ValueError(f"max_orders must be ≥ 0 (0: never sample), not {max_orders} / 订单数上限不能为负")
    frames = _frames(data)
    orders = frames.get("orders")
    if max_orders == 0 or orders is None or len(orders) <= max_orders or "member_id" not in orders.columns:
        return data
    share = max_orders / len(orders)
    hash_key = f"{int(seed) % 10**16:016d}"
    limit = np.uint64(min(int(share * 2.0**64), 2**64 - 1))
    out: dict[str, pd.DataFrame] = {}
    for name in [*(n for n in LOAD_ORDER if n in frames), *(n for n in frames if n not in TABLES)]:  # parents first
        df, table = frames[name], TABLES.get(name)
        if "member_id" in df.columns:
            codes, uniques = pd.factorize(df["member_id"], use_na_sentinel=True)
            chosen = pd.util.hash_array(np.asarray(uniques.astype(str), dtype=object), hash_key=hash_key) < limit
            keep = np.zeros(len(df), dtype=bool)
            has = codes >= 0
            keep[has] = chosen[codes[has]]
        else:
            keep = None
            for col, (parent, parent_col) in (table.foreign_keys.items() if table is not None else ()):
                if parent in out and parent != name and col in df.columns and len(out[parent]) < len(frames[parent]):
                    ok = isin_str(df[col], out[parent][parent_col])
                    keep = ok if keep is None else keep & ok
        out[name] = df if keep is None else df[keep]
    return {name: out[name] for name in frames}


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
        skipped["duplicates"] = "orders has no order_id column / 订单表没有订单号，无法判断重复"
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
            base = cutoff(as_of) + pd.to_timedelta(rng.integers(0, 86400, size=len(pos)), unit="s")
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

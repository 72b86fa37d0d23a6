"""The loader's words: :class:`DataFileError` for a whole unusable file and the one bilingual reason vocabulary.

Every reason a row can be given — quarantined (bad data) or out of scope (after the as-of, not bad data) — is
defined here once, as "english phrase / 中文", and listed in :data:`REASONS`; :data:`SCOPE_REASONS` is the part of
that list used for out-of-scope rows. Foreign-key wording is derived from the contract's names, so it follows
:mod:`helpers.tables`.
"""

from __future__ import annotations

import re
from pathlib import Path

from helpers import tables as T


class DataFileError(ValueError):
    """A whole input file is unusable. The message is bilingual (Chinese first) and names the file and column."""

    def __init__(self, zh: str, en: str, path: Path | str | None = None, column: str | None = None):
        self.path = None if path is None else Path(path)
        self.column = column
        super().__init__(f"{zh}\n{en}")


# ---- quarantine: the row is bad data ---------------------------------------------------------------------------
R_FIELDS = "wrong number of fields / 字段数不符"
R_MISSING = "missing value / 缺少必填值"
R_DATE = "unparseable date / 日期无法解析"
R_NUMBER = "non-numeric value / 数值无法解析"
R_INTEGER = "not an integer / 不是整数"
R_BOOL = "unparseable boolean / 是否值无法解析"
R_NEGATIVE = "negative amount / 金额为负"
R_MINIMUM = "below minimum / 低于最小值"
R_NOT_ALLOWED = "value not allowed / 取值不在允许范围内"
R_DUPLICATE = "duplicate key / 主键重复"
R_BEFORE_REGISTRATION = "before member registration / 早于会员注册日期"
R_SCHEMA = "schema check failed / 模式校验未通过"
# 红冲 (reversal) lines: a refund of an original order, unless the original cannot be found
R_NEGATIVE_NO_ORIGINAL = "negative amount without original order / 金额为负且未关联原订单"
R_REVERSAL_NO_ORIGINAL = "reversal without original order / 红冲行未关联原订单"
R_REVERSAL_UNKNOWN = "reversal of an unknown order / 红冲的原订单不存在"
R_REVERSAL_QUARANTINED = "reversal of a quarantined order / 红冲的原订单已隔离"
R_REVERSAL_MEMBER = "reversal of another member's order / 红冲单与原订单的会员不同"
R_REVERSAL_EXCEEDS = "reversal exceeds the original amount / 红冲金额超过原订单"

# ---- out of scope: the row lies after the analysis as-of date (截止日) -------------------------------------------
R_AFTER_AS_OF = "after as-of date / 晚于截止日"


def _entity(table_name: str) -> tuple[str, str]:
    """(English, Chinese) name of one row of a referenced table: members → (member, 会员)."""
    t = T.TABLES[table_name]
    key_zh = t.column(t.key[0]).zh if t.key else t.zh
    return table_name.removesuffix("s"), re.sub(r"(ID|编号|号)$", "", key_zh)  # typography: ignore


def reason_unknown(ref_table: str) -> str:
    en, zh = _entity(ref_table)
    return f"unknown {en} / 未知{zh}"


def reason_parent_quarantined(ref_table: str) -> str:
    """The row belongs to a quarantined parent row (order line → order): "parent order quarantined"."""
    en, zh = _entity(ref_table)
    return f"parent {en} quarantined / 所属{zh}已隔离"


def reason_referenced_quarantined(ref_table: str) -> str:
    """The row points at a quarantined row it does not belong to (order → member): "referenced member …"."""
    en, zh = _entity(ref_table)
    return f"referenced {en} quarantined / 关联的{zh}已隔离"


def _is_parent(table_name: str, column: str) -> bool:
    """The foreign key leads the child's key (order_items.order_id): the row belongs to the referenced row."""
    t = T.TABLES[table_name]
    return bool(t.key) and t.key[0] == column and t.foreign_keys[column][0] != table_name


def reason_reference_quarantined(table_name: str, column: str) -> str:
    """Parent wording when the foreign key leads the child's key (order_items.order_id), else referenced."""
    ref_table = T.TABLES[table_name].foreign_keys[column][0]
    if _is_parent(table_name, column):
        return reason_parent_quarantined(ref_table)
    return reason_referenced_quarantined(ref_table)


def reason_reference_out_of_scope(table_name: str, column: str) -> str:
    """A row whose parent / referenced row is after the as-of: "parent order after as-of / 所属订单晚于截止日"."""
    ref_table = T.TABLES[table_name].foreign_keys[column][0]
    en, zh = _entity(ref_table)
    if _is_parent(table_name, column):
        return f"parent {en} after as-of date / 所属{zh}晚于截止日"
    return f"referenced {en} after as-of date / 关联的{zh}晚于截止日"


_FKS = [(t.name, col) for t in T.TABLES.values() for col in t.foreign_keys]
_REFERENCED = tuple(dict.fromkeys(T.TABLES[t].foreign_keys[c][0] for t, c in _FKS))
_REVERSAL_SCOPE = "reversal of an order after as-of date / 红冲的原订单晚于截止日"
R_REVERSAL_OUT_OF_SCOPE = _REVERSAL_SCOPE

#: reasons of out-of-scope rows (after the as-of, or belonging to / pointing at such a row)
SCOPE_REASONS: tuple[str, ...] = (
    R_AFTER_AS_OF,
    *dict.fromkeys(reason_reference_out_of_scope(t, c) for t, c in _FKS),
    R_REVERSAL_OUT_OF_SCOPE,
)

#: the complete, fixed vocabulary of reasons ("english phrase / 中文"): quarantine reasons, then scope reasons
REASONS: tuple[str, ...] = (
    R_FIELDS, R_MISSING, R_DATE, R_NUMBER, R_INTEGER, R_BOOL, R_NEGATIVE, R_MINIMUM, R_NOT_ALLOWED,
    R_DUPLICATE,
    *(reason_unknown(r) for r in _REFERENCED),
    *dict.fromkeys(reason_reference_quarantined(t, c) for t, c in _FKS),
    R_BEFORE_REGISTRATION,
    R_NEGATIVE_NO_ORIGINAL, R_REVERSAL_NO_ORIGINAL, R_REVERSAL_UNKNOWN, R_REVERSAL_QUARANTINED, R_REVERSAL_MEMBER,
    R_REVERSAL_EXCEEDS,
    R_SCHEMA,
    *SCOPE_REASONS,
)
#: the reasons a quarantined row can carry (REASONS without the scope reasons)
QUARANTINE_REASONS: tuple[str, ...] = tuple(r for r in REASONS if r not in SCOPE_REASONS)

"""Data quality of a member-analytics data set: six dimensions, injected problems, PII, consent, ``helpers check``.

What
----
* **Dimensions** (:mod:`.dimensions`, rules in :mod:`.rules`), measured on a loaded ``Dataset``
  (``helpers.data.load``), a ``{name: DataFrame}`` dict or a single orders frame. Every measure returns one tidy
  frame ``dimension, table, column, check, n_checked, n_failed, share``. Following GB/T 36344-2018 (信息技术 数据
  质量评价指标): :func:`completeness` 完整性, :func:`accuracy` 准确性, :func:`consistency` 一致性,
  :func:`timeliness` 时效性 (feed lag against an SLA, temporal order); :func:`uniqueness` 唯一性 (listed under the
  standard's accuracy indicators, measured on its own here) and :func:`security` 安全性 (unmasked personal
  information, the course's PIPL check). :func:`quality_report` stacks them, :func:`report_totals` /
  :func:`quality_summary` summarise, :func:`failed_rows` returns the rows behind a count, :func:`feed_lag` the
  per-channel lag, :func:`quarantine_impact` ranks the loader's quarantine reasons by rows lost.
* **Injected problems** (:mod:`.inject`): :func:`inject_problems` plants known problems, :func:`compare_with_truth`
  checks that the rules find exactly what was planted, :func:`sample_by_members` keeps that demonstration on a member
  sample of a big export.
* **PII** (:mod:`.pii`): :func:`find_pii`, :func:`mask_text`, :func:`mask_phone`, :func:`mask_email`,
  :func:`mask_id_card`, :func:`hmac_pii` (a keyed hash, HMAC-SHA256).
* **Consent** (:mod:`.consent`): :func:`contactable`.
* **Command line** (:mod:`.check_cli`): :func:`main` is ``python -m helpers check``.

Rules shared with the loader: the as-of date is the given one, else the last order day (never the clock); "after
the as-of date" is judged on each table's event column with the loader's cut-off; a 红冲 reversal line (negative
amount naming its original order) is a refund, not a wrong amount.

Why
---
The loader quarantines rows that cannot be used at all. What survives can still be incomplete, implausible,
contradictory, late, duplicated or unsafe to share; a number that goes into a report or a CRM list needs to say how
good its inputs were, and an analyst needs one place where these rules are written down and tested.
"""

from helpers.quality._base import (
    DIMENSIONS,
    MONEY_TOL,
    REPORT_COLUMNS,
    event_column,
    reference_date,
    reversal_column,
)
from helpers.quality.check_cli import main, report_text, suggest_column, unrecognised_columns
from helpers.quality.consent import CONSENT_COLUMNS, contactable
from helpers.quality.dimensions import (
    accuracy,
    completeness,
    consistency,
    failed_rows,
    feed_lag,
    quality_report,
    quality_summary,
    quarantine_impact,
    report_totals,
    security,
    timeliness,
    uniqueness,
)
from helpers.quality.inject import (
    DEFAULT_RATES,
    PROBLEM_ZH,
    PROBLEMS,
    Injected,
    compare_with_truth,
    inject_problems,
    sample_by_members,
)
from helpers.quality.pii import (
    fake_mobile,
    find_pii,
    hmac_pii,
    id_checksum_ok,
    mask_email,
    mask_id_card,
    mask_phone,
    mask_text,
)
from helpers.quality.rules import CHECK_ZH, FEED_SLA_DAYS

__all__ = [
    "CHECK_ZH",
    "CONSENT_COLUMNS",
    "DEFAULT_RATES",
    "DIMENSIONS",
    "FEED_SLA_DAYS",
    "MONEY_TOL",
    "PROBLEMS",
    "PROBLEM_ZH",
    "REPORT_COLUMNS",
    "Injected",
    "accuracy",
    "compare_with_truth",
    "completeness",
    "consistency",
    "contactable",
    "event_column",
    "failed_rows",
    "fake_mobile",
    "feed_lag",
    "find_pii",
    "hmac_pii",
    "id_checksum_ok",
    "inject_problems",
    "sample_by_members",
    "main",
    "mask_email",
    "mask_id_card",
    "mask_phone",
    "mask_text",
    "quality_report",
    "quality_summary",
    "quarantine_impact",
    "reference_date",
    "report_text",
    "report_totals",
    "reversal_column",
    "security",
    "suggest_column",
    "timeliness",
    "unrecognised_columns",
    "uniqueness",
]
